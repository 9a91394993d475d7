/**
 * The arguments of each method, and their conversion to the JSON the native layer takes.
 * Checking them (types, required fields, content length, app password format, …) is the
 * Rust core's job: it throws `TypeError` / `RangeError` naming the argument as spelled here.
 *
 * @module
 */

import type { Platform } from './models.js'
import type { RequestOptions } from './options.js'
import { describe, rangeError, typeError } from './options.js'

/** Arguments of `profiles.create()` / `createProfile()`. */
export interface CreateProfileParams {
  /** A label for the end-user this profile stands for, e.g. `"User: john@example.com"`. Omitted: an unnamed profile. */
  profileName?: string | null
  /**
   * Makes this creation happen once however often the call is made with the key, from any
   * process sharing the client's store: a repeat resolves to the first call's result, sending
   * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
   * job queue may run twice, e.g. `` `signup-${user.id}` ``.
   */
  idempotencyKey?: string | null
}

/** Arguments of `profiles.linkedInConnectUrl()`. */
export interface LinkedInConnectUrlParams {
  /** Where the browser returns after authorising, with `profileKey` added: an absolute `https` URL (`http` only on a loopback host). */
  returnUrl: string
  /** The profile to connect; omitted: postcore creates one. */
  profileKey?: string | null
}

/** Arguments of `profiles.connectBluesky()`. */
export interface ConnectBlueskyParams {
  /** The Bluesky handle, e.g. `"user.bsky.social"`. */
  handle: string
  /** An app password (`xxxx-xxxx-xxxx-xxxx`, created in Bluesky's settings), not the account password. Never logged. */
  appPassword: string
  /** The profile to connect; omitted: postcore creates one. */
  profileKey?: string | null
  /**
   * Makes this creation happen once however often the call is made with the key, from any
   * process sharing the client's store: a repeat resolves to the first call's result, sending
   * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
   * job queue may run twice, e.g. `` `signup-${user.id}` ``.
   */
  idempotencyKey?: string | null
}

/** Arguments of `posts.create()`. */
export interface CreatePostParams {
  /** The profile to post for. */
  profileKey: string
  /** The text: at most 3000 characters, and 300 graphemes when Bluesky is among the platforms. */
  content: string
  /** Where to post, each at most once; every one must be connected to the profile. */
  platforms: Platform[]
  /** When to publish: a `Date` or an ISO 8601 string with a zone; must be in the future. */
  scheduledFor: Date | string
  /**
   * Makes this creation happen once however often the call is made with the key, from any
   * process sharing the client's store: a repeat resolves to the first call's result, sending
   * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
   * job queue may run twice, e.g. `` `signup-${user.id}` ``.
   */
  idempotencyKey?: string | null
}

/** Options of `posts.wait()` and `posts.waitMany()`: the wait's own settings plus the per-call options of its polls. */
export interface WaitOptions extends Omit<RequestOptions, 'timeout'> {
  /** Give up after this many milliseconds with `WaitTimeoutError` (default: wait as long as it takes). */
  timeout?: number
  /** Milliseconds between polls once the post is due (default 10000; stretched to stay inside the rate limit). */
  interval?: number
}

/** Options of `client.events()`. */
export interface EventsOptions {
  /**
   * The consumer's name (1 to 200 characters, default `"default"`): each consumer gets every
   * event once, independently of the others, and its position is kept in the client's store.
   */
  consumer?: string
  /** Milliseconds between polls (default 30000); each poll is `GET /posts` and `GET /profiles`. */
  interval?: number
  /** Aborting it ends the iteration: a waiting `next()` rejects with `signal.reason`, as `fetch` does. */
  signal?: AbortSignal | null
}

/** A JSON value as the native layer takes it. @internal */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire }

/**
 * Arguments as JSON, in one generic pass: a `Date` becomes its ISO string (an invalid one is
 * a `RangeError`), `undefined` is dropped (it means "not given", as `null` does), and values
 * JSON cannot hold are refused with a `TypeError` / `RangeError` naming where they are.
 *
 * @internal
 */
export function toWire (value: unknown, path: string): Wire {
  if (path === '' && isFlat(value)) return value
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw rangeError(`${path} must be a finite number, got ${value}`)
      return value
    case 'object': {
      if (value === null) return null
      if (value instanceof Date) {
        const time = value.getTime()
        if (Number.isNaN(time)) throw rangeError(`${path} is an invalid Date`)
        return value.toISOString()
      }
      if (Array.isArray(value)) return value.map((item, i) => toWire(item, `${path}[${i}]`))
      const out: { [key: string]: Wire } = {}
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) out[key] = toWire(item, path === '' ? key : `${path}.${key}`)
      }
      return out
    }
    default:
      throw typeError(`${path || 'the arguments'} must be JSON data, got ${describe(value)}`)
  }
}

/**
 * Whether `value` is already what `toWire` would make of it, as the native layer reads it: a
 * plain object whose own values are strings, booleans, `null`, finite numbers or `undefined`
 * (which the native layer skips, as `toWire` drops it). Most calls' arguments are; they are
 * then passed as they are rather than copied.
 */
function isFlat (value: unknown): value is { [key: string]: Wire } {
  if (value === null || typeof value !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false
    const item: unknown = (value as Record<string, unknown>)[key]
    switch (typeof item) {
      case 'string':
      case 'boolean':
      case 'undefined':
        continue
      case 'number':
        if (Number.isFinite(item)) continue
        return false
      default:
        if (item === null) continue
        return false
    }
  }
  return true
}
