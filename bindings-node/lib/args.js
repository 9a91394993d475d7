"use strict";
/**
 * The arguments of each method, and their conversion to the JSON the native layer takes.
 * Checking them (types, required fields, content length, app password format, …) is the
 * Rust core's job: it throws `TypeError` / `RangeError` naming the argument as spelled here.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.toWire = toWire;
const options_js_1 = require("./options.js");
/**
 * Arguments as JSON, in one generic pass: a `Date` becomes its ISO string (an invalid one is
 * a `RangeError`), `undefined` is dropped (it means "not given", as `null` does), and values
 * JSON cannot hold are refused with a `TypeError` / `RangeError` naming where they are.
 *
 * @internal
 */
function toWire(value, path) {
    switch (typeof value) {
        case 'string':
        case 'boolean':
            return value;
        case 'number':
            if (!Number.isFinite(value))
                throw (0, options_js_1.rangeError)(`${path} must be a finite number, got ${value}`);
            return value;
        case 'object': {
            if (value === null)
                return null;
            if (value instanceof Date) {
                const time = value.getTime();
                if (Number.isNaN(time))
                    throw (0, options_js_1.rangeError)(`${path} is an invalid Date`);
                return value.toISOString();
            }
            if (Array.isArray(value))
                return value.map((item, i) => toWire(item, `${path}[${i}]`));
            const out = {};
            for (const [key, item] of Object.entries(value)) {
                if (item !== undefined)
                    out[key] = toWire(item, path === '' ? key : `${path}.${key}`);
            }
            return out;
        }
        default:
            throw (0, options_js_1.typeError)(`${path || 'the arguments'} must be JSON data, got ${(0, options_js_1.describe)(value)}`);
    }
}
