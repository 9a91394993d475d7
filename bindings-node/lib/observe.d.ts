/**
 * What watches a client's calls: its `hooks`, its `logger` and, when the application has
 * OpenTelemetry configured, their spans (`otel.ts`). For each call something watches, one
 * function receives the call's events from the native layer, on the JavaScript thread and in
 * order (`src/observe.rs`), and answers an attempt with the headers to add (`traceparent`).
 * A call nobody watches gets no function, and the native layer makes nothing for it.
 *
 * @module
 */
/** What a hook is told about a call (times in milliseconds). No API key, no app password. */
export interface HookEvent {
    /** The operation, as every language names it: `'posts.create'`, `'posts.wait'`. */
    operation: string;
    /** The request's HTTP method: `'GET'`. */
    method: string;
    /** The request's path, ids included: `'/posts/post_123'`. */
    path: string;
    /** Which attempt of this request, from 1. */
    attempt: number;
    /** The response's status (`onResponse`). */
    status?: number;
    /** Milliseconds since the call started. */
    elapsed: number;
    /** Milliseconds the call waits before the retry (`onRetry`) or for the rate budget (`onRateLimitWait`). */
    delay?: number;
    /** Why the call retries (`onRetry`): the failed status (`'503'`), or `'timeout'`, `'connect_failed'`, `'connection_failed'`, `'no_free_connection'`. */
    reason?: string;
    /** The rate budget the call waits for (`onRateLimitWait`): `'general'`, or `'connect'` / `'posting'` for the calls that also spend one. */
    budget?: string;
    /** The wait for the rate budget in seconds, as its name says (`onRateLimitWait`; `delay` in milliseconds). */
    seconds?: number;
}
/** A hook: called with the event; a promise it returns is not waited for (a rejection is logged). */
export type Hook = (event: HookEvent) => unknown;
/** Callbacks on every call of a client (`new Postcore({ hooks })`). */
export interface Hooks {
    /** Before each attempt is sent (after it got its slot of the rate budget). */
    onRequest?: Hook;
    /** After each attempt that got a response (`status`). */
    onResponse?: Hook;
    /** Before the wait that precedes a retry (`delay`, `reason`). */
    onRetry?: Hook;
    /** Before a wait for a slot of the shared rate budget (`budget`, `delay`, `seconds`). */
    onRateLimitWait?: Hook;
}
/** Where the client's log lines go: any object with these methods (console, pino, winston). */
export interface Logger {
    debug(message: string, ...rest: unknown[]): unknown;
    info(message: string, ...rest: unknown[]): unknown;
    warn(message: string, ...rest: unknown[]): unknown;
    error(message: string, ...rest: unknown[]): unknown;
}
