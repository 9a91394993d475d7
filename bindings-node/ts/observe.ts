/**
 * What watches a client's calls: its `hooks`, its `logger` and, when the application has
 * OpenTelemetry configured, their spans (`otel.ts`). For each call something watches, one
 * function receives the call's events from the native layer, on the JavaScript thread and in
 * order (`src/observe.rs`), and answers an attempt with the headers to add (`traceparent`).
 * A call nobody watches gets no function, and the native layer makes nothing for it.
 *
 * @module
 */

import type { NativeEvent } from '../native.js'
import { describe, typeError } from './options.js'
import { startSpans } from './otel.js'

/** What a hook is told about a call (times in milliseconds). No API key, no app password. */
export interface HookEvent {
  /** The operation, as every language names it: `'posts.create'`, `'posts.wait'`. */
  operation: string
  /** The request's HTTP method: `'GET'`. */
  method: string
  /** The request's path, ids included: `'/posts/post_123'`. */
  path: string
  /** Which attempt of this request, from 1. */
  attempt: number
  /** The response's status (`onResponse`). */
  status?: number
  /** Milliseconds since the call started. */
  elapsed: number
  /** Milliseconds the call waits before the retry (`onRetry`) or for the rate budget (`onRateLimitWait`). */
  delay?: number
  /** Why the call retries (`onRetry`): the failed status (`'503'`), or `'timeout'`, `'connect_failed'`, `'connection_failed'`, `'no_free_connection'`. */
  reason?: string
  /** The rate budget the call waits for (`onRateLimitWait`): `'general'`, or `'connect'` / `'posting'` for the calls that also spend one. */
  budget?: string
  /** The wait for the rate budget in seconds, as its name says (`onRateLimitWait`; `delay` in milliseconds). */
  seconds?: number
}

/** A hook: called with the event; a promise it returns is not waited for (a rejection is logged). */
export type Hook = (event: HookEvent) => unknown

/** Callbacks on every call of a client (`new Postcore({ hooks })`). */
export interface Hooks {
  /** Before each attempt is sent (after it got its slot of the rate budget). */
  onRequest?: Hook
  /** After each attempt that got a response (`status`). */
  onResponse?: Hook
  /** Before the wait that precedes a retry (`delay`, `reason`). */
  onRetry?: Hook
  /** Before a wait for a slot of the shared rate budget (`budget`, `delay`, `seconds`). */
  onRateLimitWait?: Hook
}

/** Where the client's log lines go: any object with these methods (console, pino, winston). */
export interface Logger {
  debug(message: string, ...rest: unknown[]): unknown
  info(message: string, ...rest: unknown[]): unknown
  warn(message: string, ...rest: unknown[]): unknown
  error(message: string, ...rest: unknown[]): unknown
}

/** A call's observer, as the native layer calls it. @internal */
export type NativeObserver = (event: NativeEvent) => string[] | undefined

/** What watches a client's calls. @internal */
export interface Watchers {
  hooks: Hooks | undefined
  logger: Logger | undefined
  tracing: boolean
  version: string
}

const HOOKS = ['onRequest', 'onResponse', 'onRetry', 'onRateLimitWait'] as const
const HOOK_OF: Partial<Record<string, (typeof HOOKS)[number]>> = {
  request: 'onRequest',
  response: 'onResponse',
  retry: 'onRetry',
  rateLimitWait: 'onRateLimitWait'
}

/** The constructor's `hooks`, `logger` and `tracing`, checked. @internal */
export function watchers (options: Record<string, unknown>, version: string): Watchers {
  let hooks: Hooks | undefined
  if (options.hooks !== undefined && options.hooks !== null) {
    if (typeof options.hooks !== 'object') {
      throw typeError(`options.hooks must be an object of functions, got ${describe(options.hooks)}`)
    }
    const given = options.hooks as Record<string, unknown>
    hooks = {}
    for (const name of HOOKS) {
      const hook = given[name]
      if (hook === undefined || hook === null) continue
      if (typeof hook !== 'function') {
        throw typeError(`options.hooks.${name} must be a function, got ${describe(hook)}`)
      }
      hooks[name] = hook as Hook
    }
    const unknown = Object.keys(given).filter((name) => !(HOOKS as readonly string[]).includes(name))
    if (unknown.length > 0) {
      throw typeError(`unknown hook ${JSON.stringify(unknown[0])} in options.hooks (valid: ${HOOKS.join(', ')})`)
    }
    if (Object.keys(hooks).length === 0) hooks = undefined
  }
  let logger: Logger | undefined
  if (options.logger !== undefined && options.logger !== null) {
    const candidate = options.logger as Record<string, unknown>
    const missing = ['debug', 'info', 'warn', 'error'].filter((m) => typeof candidate[m] !== 'function')
    if (typeof options.logger !== 'object' || missing.length > 0) {
      throw typeError(`options.logger must have debug, info, warn and error methods, got ${describe(options.logger)}`)
    }
    logger = options.logger as Logger
  }
  if (options.tracing !== undefined && options.tracing !== null && typeof options.tracing !== 'boolean') {
    throw typeError(`options.tracing must be a boolean, got ${describe(options.tracing)}`)
  }
  return { hooks, logger, tracing: options.tracing !== false, version }
}

/** The observer of a call of `operation` starting now, or `undefined` when nothing watches it. @internal */
export function observer (w: Watchers, operation: string): NativeObserver | undefined {
  const spans = w.tracing ? startSpans(operation, w.version) : undefined
  const { hooks, logger } = w
  if (spans === undefined && hooks === undefined && logger === undefined) return undefined
  // Never throws: an exception would reach napi's threadsafe function (the thread driver),
  // which makes it the process's.
  return (e) => {
    let headers: string[] | undefined
    if (spans !== undefined) {
      try {
        headers = spans.on(e)
      } catch (error) {
        report(logger, `postcore: OpenTelemetry failed on ${e.kind}`, error)
      }
    }
    if (logger !== undefined && e.line != null) {
      try {
        if (e.kind === 'warning') logger.warn(e.line)
        else logger.debug(e.line)
      } catch {
        // A logger that throws is not ours to report to.
      }
    }
    const name = HOOK_OF[e.kind]
    const hook = name === undefined ? undefined : hooks?.[name]
    if (name !== undefined && hook !== undefined) run(name, hook, e, logger)
    return headers
  }
}

function run (name: string, hook: Hook, e: NativeEvent, logger: Logger | undefined): void {
  const event: HookEvent = {
    operation: e.operation,
    method: e.method,
    path: e.path,
    attempt: e.attempt,
    elapsed: e.elapsed
  }
  if (e.status != null) event.status = e.status
  if (e.delay != null) event.delay = e.delay
  if (e.reason != null) event.reason = e.reason
  if (e.budget != null) event.budget = e.budget
  if (e.kind === 'rateLimitWait' && e.delay != null) event.seconds = e.delay / 1000
  const what = `postcore: the ${name} hook threw (ignored; the call goes on)`
  try {
    const result = hook(event) as { then?: unknown } | undefined
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      (result as Promise<unknown>).then(undefined, (error: unknown) => report(logger, what, error))
    }
  } catch (error) {
    report(logger, what, error)
  }
}

function report (logger: Logger | undefined, message: string, error: unknown): void {
  try {
    if (logger !== undefined) logger.error(message, error)
    else console.error(message, error)
  } catch {
    // Nowhere left to say it.
  }
}
