"use strict";
/**
 * Arguments as the native layer takes them: JSON, converted in one generic pass.
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
    if (path === '' && isFlat(value))
        return value;
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
/**
 * Whether `value` is already what `toWire` would make of it, as the native layer reads it: a
 * plain object whose own values are strings, booleans, `null`, finite numbers or `undefined`
 * (which the native layer skips, as `toWire` drops it). Most calls' arguments are; they are
 * then passed as they are rather than copied.
 */
function isFlat(value) {
    if (value === null || typeof value !== 'object')
        return false;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
        return false;
    for (const key in value) {
        if (!Object.hasOwn(value, key))
            return false;
        const item = value[key];
        switch (typeof item) {
            case 'string':
            case 'boolean':
            case 'undefined':
                continue;
            case 'number':
                if (Number.isFinite(item))
                    continue;
                return false;
            default:
                if (item === null)
                    continue;
                return false;
        }
    }
    return true;
}
