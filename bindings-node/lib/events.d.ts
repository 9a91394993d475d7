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
import type { Event } from './event-types.js';
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
export declare class Events implements AsyncIterableIterator<Event, undefined> {
    #private;
    /** The consumer's name. */
    readonly consumer: string;
    /** Resolves to the next event, waiting until there is one; acknowledges the one before. */
    next(): Promise<IteratorResult<Event, undefined>>;
    /** Ends the iteration (what `break` calls): a waiting `next()` resolves as done. */
    return(): Promise<IteratorResult<Event, undefined>>;
    [Symbol.asyncIterator](): this;
    /** A description (the consumer's name). */
    toString(): string;
}
