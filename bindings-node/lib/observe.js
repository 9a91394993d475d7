"use strict";
/**
 * What watches a client's calls: its `hooks`, its `logger` and, when the application has
 * OpenTelemetry configured, their spans (`otel.ts`). For each call something watches, one
 * function receives the call's events from the native layer, on the JavaScript thread and in
 * order (`src/observe.rs`), and answers an attempt with the headers to add (`traceparent`).
 * A call nobody watches gets no function, and the native layer makes nothing for it.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.watchers = watchers;
exports.observer = observer;
const options_js_1 = require("./options.js");
const otel_js_1 = require("./otel.js");
const HOOKS = ['onRequest', 'onResponse', 'onRetry', 'onRateLimitWait'];
const HOOK_OF = {
    request: 'onRequest',
    response: 'onResponse',
    retry: 'onRetry',
    rateLimitWait: 'onRateLimitWait'
};
/** The constructor's `hooks`, `logger` and `tracing`, checked. @internal */
function watchers(options, version) {
    let hooks;
    if (options.hooks !== undefined && options.hooks !== null) {
        if (typeof options.hooks !== 'object') {
            throw (0, options_js_1.typeError)(`options.hooks must be an object of functions, got ${(0, options_js_1.describe)(options.hooks)}`);
        }
        const given = options.hooks;
        hooks = {};
        for (const name of HOOKS) {
            const hook = given[name];
            if (hook === undefined || hook === null)
                continue;
            if (typeof hook !== 'function') {
                throw (0, options_js_1.typeError)(`options.hooks.${name} must be a function, got ${(0, options_js_1.describe)(hook)}`);
            }
            hooks[name] = hook;
        }
        const unknown = Object.keys(given).filter((name) => !HOOKS.includes(name));
        if (unknown.length > 0) {
            throw (0, options_js_1.typeError)(`unknown hook ${JSON.stringify(unknown[0])} in options.hooks (valid: ${HOOKS.join(', ')})`);
        }
        if (Object.keys(hooks).length === 0)
            hooks = undefined;
    }
    let logger;
    if (options.logger !== undefined && options.logger !== null) {
        const candidate = options.logger;
        const missing = ['debug', 'info', 'warn', 'error'].filter((m) => typeof candidate[m] !== 'function');
        if (typeof options.logger !== 'object' || missing.length > 0) {
            throw (0, options_js_1.typeError)(`options.logger must have debug, info, warn and error methods, got ${(0, options_js_1.describe)(options.logger)}`);
        }
        logger = options.logger;
    }
    if (options.tracing !== undefined && options.tracing !== null && typeof options.tracing !== 'boolean') {
        throw (0, options_js_1.typeError)(`options.tracing must be a boolean, got ${(0, options_js_1.describe)(options.tracing)}`);
    }
    return { hooks, logger, tracing: options.tracing !== false, version };
}
/** The observer of a call of `operation` starting now, or `undefined` when nothing watches it. @internal */
function observer(w, operation) {
    const spans = w.tracing ? (0, otel_js_1.startSpans)(operation, w.version) : undefined;
    const { hooks, logger } = w;
    if (spans === undefined && hooks === undefined && logger === undefined)
        return undefined;
    // Never throws: an exception would reach napi's threadsafe function (the thread driver),
    // which makes it the process's.
    return (e) => {
        let headers;
        if (spans !== undefined) {
            try {
                headers = spans.on(e);
            }
            catch (error) {
                report(logger, `postcore: OpenTelemetry failed on ${e.kind}`, error);
            }
        }
        if (logger !== undefined && e.line != null) {
            try {
                if (e.kind === 'warning')
                    logger.warn(e.line);
                else
                    logger.debug(e.line);
            }
            catch {
                // A logger that throws is not ours to report to.
            }
        }
        const name = HOOK_OF[e.kind];
        const hook = name === undefined ? undefined : hooks?.[name];
        if (name !== undefined && hook !== undefined)
            run(name, hook, e, logger);
        return headers;
    };
}
function run(name, hook, e, logger) {
    const event = {
        operation: e.operation,
        method: e.method,
        path: e.path,
        attempt: e.attempt,
        elapsed: e.elapsed
    };
    if (e.status != null)
        event.status = e.status;
    if (e.delay != null)
        event.delay = e.delay;
    if (e.reason != null)
        event.reason = e.reason;
    if (e.budget != null)
        event.budget = e.budget;
    if (e.kind === 'rateLimitWait' && e.delay != null)
        event.seconds = e.delay / 1000;
    const what = `postcore: the ${name} hook threw (ignored; the call goes on)`;
    try {
        const result = hook(event);
        if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
            result.then(undefined, (error) => report(logger, what, error));
        }
    }
    catch (error) {
        report(logger, what, error);
    }
}
function report(logger, message, error) {
    try {
        if (logger !== undefined)
            logger.error(message, error);
        else
            console.error(message, error);
    }
    catch {
        // Nowhere left to say it.
    }
}
