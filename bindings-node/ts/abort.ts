/**
 * Running a native call under an `AbortSignal`: when the signal fires, the call rejects at once
 * with the signal's reason (as `fetch` does) and the native call's future is dropped through
 * its `CancelToken`, which drops the HTTP request (or stops a `posts.wait()` polling).
 *
 * @module
 * @internal
 */

import native = require('../native.js')
import { fromNative } from './errors.js'

/** What a call rejects with when its signal fired: `signal.reason`, as `fetch` does. @internal */
export function abortReason (signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason
  return new DOMException('This operation was aborted', 'AbortError')
}

interface Waiters { set: Set<() => void>, listener: () => void }

// One 'abort' listener per signal, however many calls share it (a signal passed to 1,000
// calls would otherwise trip Node's MaxListenersExceededWarning). Weak: no signal is kept alive.
const abortWaiters = new WeakMap<AbortSignal, Waiters>()

/** Calls `onAbort` when `signal` aborts; returns the function that unsubscribes it. */
function onAbortOf (signal: AbortSignal, onAbort: () => void): () => void {
  let waiters = abortWaiters.get(signal)
  if (waiters === undefined) {
    const set = new Set<() => void>()
    const listener = (): void => {
      abortWaiters.delete(signal)
      for (const waiter of set) waiter()
    }
    waiters = { set, listener }
    abortWaiters.set(signal, waiters)
    signal.addEventListener('abort', listener, { once: true })
  }
  const { set, listener } = waiters
  const current = waiters
  set.add(onAbort)
  return () => {
    set.delete(onAbort)
    if (set.size === 0 && abortWaiters.get(signal) === current) {
      abortWaiters.delete(signal)
      signal.removeEventListener('abort', listener)
    }
  }
}

/**
 * Starts one native call, cancelling it when `signal` aborts. `start` may throw (argument
 * errors are found synchronously); every failure comes back as a rejection, converted to
 * the public error classes.
 *
 * @internal
 */
export function run<T> (start: (cancel: native.CancelToken) => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal))
  const token = new native.CancelToken()
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbortOf(signal, () => {
      token.cancel()
      reject(abortReason(signal))
    })
    let pending: Promise<T>
    try {
      pending = start(token)
    } catch (error) {
      unsubscribe()
      reject(fromNative(error))
      return
    }
    pending.then(
      (value) => {
        unsubscribe()
        resolve(value)
      },
      (error: unknown) => {
        unsubscribe()
        // After an abort the promise is already rejected; this settles nothing.
        reject(fromNative(error))
      }
    )
  })
}
