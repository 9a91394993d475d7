"use strict";
/**
 * Options of the client and of each call, and their type checks. Only types are checked here
 * (a `TypeError` names the option); values (ranges, header names, URLs) are checked once, by
 * the Rust core, which throws `RangeError` or `ConfigurationError`.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.checkOptionNames = checkOptionNames;
exports.describe = describe;
exports.typeError = typeError;
exports.rangeError = rangeError;
exports.checkObject = checkObject;
exports.optionalString = optionalString;
exports.optionalNumber = optionalNumber;
exports.headerPairs = headerPairs;
exports.requestOptions = requestOptions;
const native = require("../native.js");
/** The valid option names of each set, from the core (`checkOptions` has the same lists). */
const OPTION_NAMES = new Map(Object.entries(native.optionNames()).map(([set, names]) => [set, new Set(names)]));
/**
 * Refuses an option the core does not list for `set` (`"client"`, `"with_options"`,
 * `"request"`, `"wait"`) with a `TypeError` naming it and the closest valid one. Checked here
 * against the core's lists; the native layer writes the message. @internal
 */
function checkOptionNames(set, options) {
    const valid = OPTION_NAMES.get(set);
    for (const name of Object.keys(options)) {
        if (valid?.has(name) !== true)
            native.checkOptions(set, Object.keys(options));
    }
}
/** A short description of a value for error messages (never the whole of a long string). @internal */
function describe(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    switch (typeof value) {
        case 'string': return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
        case 'object': return 'an object';
        case 'function': return 'a function';
        case 'symbol': return 'a symbol';
        case 'bigint': return `a bigint (${value}n)`;
        default: return `${typeof value} ${String(value)}`;
    }
}
/** A `TypeError` with Node's code for a bad argument type. @internal */
function typeError(message) {
    return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}
/** A `RangeError` with Node's code for a bad argument value. @internal */
function rangeError(message) {
    return Object.assign(new RangeError(message), { code: 'ERR_INVALID_ARG_VALUE' });
}
/** `value` as an object; `undefined` / `null` mean "none given". @internal */
function checkObject(value, what) {
    if (value === undefined || value === null)
        return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
        throw typeError(`${what} must be an object, got ${describe(value)}`);
    }
    return value;
}
/** An optional string; `null` means "not given". @internal */
function optionalString(value, what) {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value !== 'string')
        throw typeError(`${what} must be a string, got ${describe(value)}`);
    return value;
}
/** An optional number (`unit` names it in the message); `null` means "not given". @internal */
function optionalNumber(value, what, unit = '') {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value !== 'number') {
        throw typeError(`${what} must be a number${unit === '' ? '' : ` of ${unit}`}, got ${describe(value)}`);
    }
    return value;
}
/** A headers object as `[name, value]` pairs (the core checks names and values). @internal */
function headerPairs(value, what) {
    if (value === undefined || value === null)
        return undefined;
    const headers = checkObject(value, what);
    return Object.entries(headers).map(([name, v]) => {
        if (typeof v !== 'string') {
            throw typeError(`${what}[${JSON.stringify(name)}] must be a string, got ${describe(v)}`);
        }
        return [name, v];
    });
}
/** Whether `value` is an `AbortSignal` (also from another realm or a polyfill). */
function isAbortSignal(value) {
    if (typeof AbortSignal === 'function' && value instanceof AbortSignal)
        return true;
    if (value === null || typeof value !== 'object')
        return false;
    const v = value;
    return typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function' &&
        typeof v.removeEventListener === 'function';
}
/** Checks per-call options; returns the signal and what the native layer takes. @internal */
function requestOptions(options, set = 'request') {
    const opts = checkObject(options, 'options');
    checkOptionNames(set, opts);
    const signal = opts.signal;
    if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
        throw typeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
    }
    const native = {};
    const timeout = optionalNumber(opts.timeout, 'options.timeout', 'milliseconds');
    if (timeout !== undefined)
        native.timeout = timeout;
    const maxRetries = optionalNumber(opts.maxRetries, 'options.maxRetries');
    if (maxRetries !== undefined)
        native.maxRetries = maxRetries;
    const headers = headerPairs(opts.headers, 'options.headers');
    if (headers !== undefined)
        native.headers = headers;
    const maxRateLimitWait = optionalNumber(opts.maxRateLimitWait, 'options.maxRateLimitWait', 'milliseconds');
    if (maxRateLimitWait !== undefined)
        native.maxRateLimitWait = maxRateLimitWait;
    return { signal: signal ?? undefined, native };
}
