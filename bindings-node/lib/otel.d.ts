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
export {};
