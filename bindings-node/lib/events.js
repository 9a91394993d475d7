"use strict";
/**
 * `Events`: the async iterator `client.events()` returns.
 *
 * postcore has no webhooks; the Rust core finds what happened by comparing successive
 * `GET /posts` and `GET /profiles` answers, and keeps each consumer's position (and the events
 * found but not yet delivered) in the client's store. Each `next()` is one call of the core's
 * `events.next` operation: it acknowledges the event returned before (`after`) and resolves to
 * the next one, waiting until there is one.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.Events = void 0;
const native = require("../native.js");
const abort_js_1 = require("./abort.js");
const errors_js_1 = require("./errors.js");
/** Whether `signal` fired (a function: it changes while a call awaits, which narrowing cannot see). */
const aborted = (signal) => signal.aborted;
const DONE = Object.freeze({ done: true, value: undefined });
/**
 * The events of one consumer: `for await (const event of client.events()) { ... }`. It never
 * ends by itself: `break` (or `return()`) ends it, and so does aborting its `signal` (the
 * waiting `next()` then rejects with `signal.reason`, as `fetch` does). An error of a poll
 * (the API unreachable, say) rejects that `next()`; calling `next()` again carries on.
 *
 * An event counts as delivered once `next()` is called again: a watcher that stops before
 * (a crash, a `break`, `kill -9`) gets that event again when it starts with the same consumer.
 * `next()` calls made while one is waiting run one after the other.
 */
class Events {
    /** The consumer's name. */
    consumer;
    #args;
    #start;
    #signal;
    /** The id of the event returned last, acknowledged by the next call. */
    #last;
    #ended = false;
    #token;
    #queue = Promise.resolve();
    /** @internal */
    constructor(args, start, signal) {
        this.consumer = typeof args.consumer === 'string' ? args.consumer : 'default';
        this.#args = args;
        this.#start = start;
        this.#signal = signal;
    }
    /** Resolves to the next event, waiting until there is one; acknowledges the one before. */
    next() {
        const step = this.#queue.then(() => this.#step());
        this.#queue = step.catch(() => undefined);
        return step;
    }
    /** Ends the iteration (what `break` calls): a waiting `next()` resolves as done. */
    return() {
        this.#ended = true;
        this.#token?.cancel();
        return Promise.resolve(DONE);
    }
    [Symbol.asyncIterator]() {
        return this;
    }
    async #step() {
        if (this.#ended)
            return DONE;
        const signal = this.#signal;
        if (signal !== undefined && aborted(signal)) {
            this.#ended = true;
            throw (0, abort_js_1.abortReason)(signal);
        }
        const args = this.#last === undefined ? this.#args : { ...this.#args, after: this.#last };
        let event;
        try {
            event = (await this.#call(args));
        }
        catch (error) {
            if (signal !== undefined && aborted(signal))
                this.#ended = true;
            else if (this.#isEnded())
                return DONE;
            throw error;
        }
        finally {
            this.#token = undefined;
        }
        // Ended while it came: not handed out, so not acknowledged (the next run gets it).
        if (this.#isEnded())
            return DONE;
        this.#last = event.id;
        return { done: false, value: event };
    }
    /** Whether `return()` was called (read through a method: it changes while `#step` awaits). */
    #isEnded() {
        return this.#ended;
    }
    #call(args) {
        const start = (token) => {
            this.#token = token;
            return this.#start(args, token);
        };
        if (this.#signal !== undefined)
            return (0, abort_js_1.run)(start, this.#signal);
        try {
            return start(new native.CancelToken());
        }
        catch (error) {
            return Promise.reject((0, errors_js_1.fromNative)(error));
        }
    }
    /** A description (the consumer's name). */
    toString() {
        return `Events { consumer: ${JSON.stringify(this.consumer)} }`;
    }
}
exports.Events = Events;
