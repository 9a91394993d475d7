/**
 * OpenTelemetry spans of a client's calls, through the application's own `@opentelemetry/api`
 * (an optional peer dependency). A call makes spans when the application has registered a
 * global tracer provider: one INTERNAL span per operation (`posts.create`), child of the
 * caller's active span, and under it one CLIENT span per HTTP attempt (`POST /posts`), with the
 * HTTP client semantic conventions; waits (retry back-off, the rate budget, `wait` polling)
 * are events on the operation span. Each attempt carries the `traceparent` / `tracestate` of
 * its CLIENT span, from the application's propagator.
 *
 * Whether a provider is registered is read from the API's global registry
 * (`globalThis[Symbol.for('opentelemetry.js.api.1')]`) without loading anything: an
 * application that does not use OpenTelemetry never loads it. Only then is the API required
 * (from this package's location, else from the working directory).
 *
 * @module
 */

import { createRequire } from 'node:module'
import path from 'node:path'

import type * as Api from '@opentelemetry/api'

import type { NativeEvent } from '../native.js'

/** Where `@opentelemetry/api` 1.x registers its globals (the tracer provider among them). */
const REGISTRY = Symbol.for('opentelemetry.js.api.1')

let api: typeof Api | null | undefined

/** The application's OpenTelemetry API once it registered a tracer provider; else `undefined`. */
function configured (): typeof Api | undefined {
  const registry = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[REGISTRY]
  if (registry?.trace === undefined) return undefined
  api ??= load()
  return api ?? undefined
}

function load (): typeof Api | null {
  for (const from of [__filename, path.join(process.cwd(), 'package.json')]) {
    try {
      return createRequire(from)('@opentelemetry/api') as typeof Api
    } catch {
      // Not resolvable from there.
    }
  }
  return null
}

/** The spans of one call. @internal */
export interface CallSpans {
  /** One event of the call; for `request`, the headers for the attempt (`[name, value, …]`). */
  on(event: NativeEvent): string[] | undefined
}

/**
 * The spans of a call starting now (in the caller's active context), or `undefined` when the
 * application has no tracer provider registered. @internal
 */
export function startSpans (operation: string, version: string): CallSpans | undefined {
  const otel = configured()
  if (otel === undefined) return undefined
  const { trace, context, propagation, SpanKind, SpanStatusCode } = otel
  const tracer = trace.getTracer('postcore', version)
  const parent = context.active()
  const call = tracer.startSpan(operation, {
    kind: SpanKind.INTERNAL,
    attributes: { 'postcore.operation': operation }
  }, parent)
  const callContext = trace.setSpan(parent, call)
  let attempt: Api.Span | undefined

  function failed (span: Api.Span, errorType: string): void {
    span.setAttribute('error.type', errorType)
    span.setStatus({ code: SpanStatusCode.ERROR })
  }

  function attemptEnded (status: number | undefined, errorType: string | undefined): void {
    const span = attempt
    attempt = undefined
    if (span === undefined) return
    if (status !== undefined) span.setAttribute('http.response.status_code', status)
    if (errorType !== undefined) failed(span, errorType)
    span.end()
  }

  return {
    on (e: NativeEvent): string[] | undefined {
      switch (e.kind) {
        case 'request': {
          const attributes: Api.Attributes = {
            'http.request.method': e.method,
            'server.address': e.serverAddress,
            'server.port': e.serverPort,
            'url.full': e.url,
            'url.template': e.pathTemplate
          }
          if (e.attempt > 1) attributes['http.request.resend_count'] = e.attempt - 1
          attempt = tracer.startSpan(`${e.method} ${e.pathTemplate}`, { kind: SpanKind.CLIENT, attributes }, callContext)
          const carrier: Record<string, string> = {}
          propagation.inject(trace.setSpan(callContext, attempt), carrier)
          return Object.entries(carrier).flat()
        }
        case 'response':
        case 'failure':
          attemptEnded(e.status ?? undefined, e.errorType ?? undefined)
          break
        case 'retry':
          call.addEvent('postcore.retry', {
            'postcore.attempt': e.attempt,
            'postcore.delay': (e.delay ?? 0) / 1000,
            ...(e.reason == null ? {} : { 'postcore.reason': e.reason })
          })
          break
        case 'rateLimitWait':
          call.addEvent('postcore.rate_limit_wait', {
            'postcore.budget': e.budget ?? 'general',
            'postcore.delay': (e.delay ?? 0) / 1000
          })
          break
        case 'pause':
          call.addEvent('postcore.poll_wait', { 'postcore.delay': (e.delay ?? 0) / 1000 })
          break
        case 'end':
          attemptEnded(undefined, attempt === undefined ? undefined : 'cancelled')
          call.setAttribute('postcore.attempts', e.attempt)
          if (e.errorType != null) failed(call, e.errorType)
          call.end()
          break
      }
      return undefined
    }
  }
}
