"use strict";
/**
 * Running a native call under an `AbortSignal`: when the signal fires, the call rejects at once
 * with the signal's reason (as `fetch` does) and the native call's future is dropped through
 * its `CancelToken`, which drops the HTTP request (or stops a `posts.wait()` polling).
 *
 * @module
 * @internal
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.abortReason = abortReason;
exports.run = run;
const native = require("../native.js");
const errors_js_1 = require("./errors.js");
/** What a call rejects with when its signal fired: `signal.reason`, as `fetch` does. @internal */
function abortReason(signal) {
    if (signal.reason !== undefined)
        return signal.reason;
    return new DOMException('This operation was aborted', 'AbortError');
}
// One 'abort' listener per signal, however many calls share it (a signal passed to 1,000
// calls would otherwise trip Node's MaxListenersExceededWarning). Weak: no signal is kept alive.
const abortWaiters = new WeakMap();
/** Calls `onAbort` when `signal` aborts; returns the function that unsubscribes it. */
function onAbortOf(signal, onAbort) {
    let waiters = abortWaiters.get(signal);
    if (waiters === undefined) {
        const set = new Set();
        const listener = () => {
            abortWaiters.delete(signal);
            for (const waiter of set)
                waiter();
        };
        waiters = { set, listener };
        abortWaiters.set(signal, waiters);
        signal.addEventListener('abort', listener, { once: true });
    }
    const { set, listener } = waiters;
    const current = waiters;
    set.add(onAbort);
    return () => {
        set.delete(onAbort);
        if (set.size === 0 && abortWaiters.get(signal) === current) {
            abortWaiters.delete(signal);
            signal.removeEventListener('abort', listener);
        }
    };
}
/**
 * Starts one native call, cancelling it when `signal` aborts. `start` may throw (argument
 * errors are found synchronously); every failure comes back as a rejection, converted to
 * the public error classes.
 *
 * @internal
 */
function run(start, signal) {
    if (signal.aborted)
        return Promise.reject(abortReason(signal));
    const token = new native.CancelToken();
    return new Promise((resolve, reject) => {
        const unsubscribe = onAbortOf(signal, () => {
            token.cancel();
            reject(abortReason(signal));
        });
        let pending;
        try {
            pending = start(token);
        }
        catch (error) {
            unsubscribe();
            reject((0, errors_js_1.fromNative)(error));
            return;
        }
        pending.then((value) => {
            unsubscribe();
            resolve(value);
        }, (error) => {
            unsubscribe();
            // After an abort the promise is already rejected; this settles nothing.
            reject((0, errors_js_1.fromNative)(error));
        });
    });
}
