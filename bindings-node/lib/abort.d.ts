/**
 * Running a native call under an `AbortSignal`: when the signal fires, the call rejects at once
 * with the signal's reason (as `fetch` does) and the native call's future is dropped through
 * its `CancelToken`, which drops the HTTP request (or stops a `posts.wait()` polling).
 *
 * @module
 * @internal
 */
export {};
