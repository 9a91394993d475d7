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

import native = require('../native.js')
import { abortReason, run } from './abort.js'
import type { Wire } from './wire.js'
import { fromNative } from './errors.js'
import type { Event } from './event-types.js'

/** Starts one `events.next` call under a cancel token. @internal */
export type NextEvent = (args: { [key: string]: Wire }, token: native.CancelToken) => Promise<unknown>

/** Whether `signal` fired (a function: it changes while a call awaits, which narrowing cannot see). */
const aborted = (signal: AbortSignal): boolean => signal.aborted

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

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
export class Events implements AsyncIterableIterator<Event, undefined> {
  /** The consumer's name. */
  readonly consumer: string
  readonly #args: { [key: string]: Wire }
  readonly #start: NextEvent
  readonly #signal: AbortSignal | undefined
  /** The id of the event returned last, acknowledged by the next call. */
  #last: string | undefined
  #ended = false
  #token: native.CancelToken | undefined
  #queue: Promise<unknown> = Promise.resolve()

  /** @internal */
  constructor (args: { [key: string]: Wire }, start: NextEvent, signal: AbortSignal | undefined) {
    this.consumer = typeof args.consumer === 'string' ? args.consumer : 'default'
    this.#args = args
    this.#start = start
    this.#signal = signal
  }

  /** Resolves to the next event, waiting until there is one; acknowledges the one before. */
  next (): Promise<IteratorResult<Event, undefined>> {
    const step = this.#queue.then(() => this.#step())
    this.#queue = step.catch(() => undefined)
    return step
  }

  /** Ends the iteration (what `break` calls): a waiting `next()` resolves as done. */
  return (): Promise<IteratorResult<Event, undefined>> {
    this.#ended = true
    this.#token?.cancel()
    return Promise.resolve(DONE)
  }

  [Symbol.asyncIterator] (): this {
    return this
  }

  async #step (): Promise<IteratorResult<Event, undefined>> {
    if (this.#ended) return DONE
    const signal = this.#signal
    if (signal !== undefined && aborted(signal)) {
      this.#ended = true
      throw abortReason(signal)
    }
    const args = this.#last === undefined ? this.#args : { ...this.#args, after: this.#last }
    let event: Event
    try {
      event = (await this.#call(args)) as Event
    } catch (error) {
      if (signal !== undefined && aborted(signal)) this.#ended = true
      else if (this.#isEnded()) return DONE
      throw error
    } finally {
      this.#token = undefined
    }
    // Ended while it came: not handed out, so not acknowledged (the next run gets it).
    if (this.#isEnded()) return DONE
    this.#last = event.id
    return { done: false, value: event }
  }

  /** Whether `return()` was called (read through a method: it changes while `#step` awaits). */
  #isEnded (): boolean {
    return this.#ended
  }

  #call (args: { [key: string]: Wire }): Promise<unknown> {
    const start = (token: native.CancelToken): Promise<unknown> => {
      this.#token = token
      return this.#start(args, token)
    }
    if (this.#signal !== undefined) return run(start, this.#signal)
    try {
      return start(new native.CancelToken())
    } catch (error) {
      return Promise.reject(fromNative(error))
    }
  }

  /** A description (the consumer's name). */
  toString (): string {
    return `Events { consumer: ${JSON.stringify(this.consumer)} }`
  }
}
