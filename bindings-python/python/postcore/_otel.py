"""OpenTelemetry spans of a client's calls, through the application's own OpenTelemetry API.

Loaded by the native layer only once the application has imported ``opentelemetry.trace``
(an application that does not use OpenTelemetry never loads it, nor this module). A call
makes spans when a tracer provider is configured: one INTERNAL span per operation
(``posts.create``), child of the caller's current span, and under it one CLIENT span per HTTP
attempt (``POST /posts``), with the HTTP client semantic conventions; waits (retry back-off,
the rate budget, ``wait`` polling) are events on the operation span. Each attempt carries the
``traceparent`` / ``tracestate`` of its CLIENT span, from the application's propagator.

Everything here runs with an explicit context (the caller's, captured when the call starts),
so it does not matter on which thread an event is reported.
"""

from __future__ import annotations

from typing import Any

from ._postcore import __version__

__all__: list[str] = []

# (provider, tracer) of the provider last seen configured.
_cached: tuple[Any, Any] | None = None


def call_span(operation: str) -> CallSpan | None:
    """The spans of a call starting now, or ``None`` when no tracer provider is configured
    (``opentelemetry.trace`` still has its default proxy or no-op provider)."""
    global _cached
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    cached = _cached
    if cached is None or cached[0] is not provider:
        cached = _cached = (provider, provider.get_tracer("postcore", __version__))
    return CallSpan(cached[1], operation)


class CallSpan:
    """The operation span of one call and the CLIENT span of its attempt in progress."""

    __slots__ = ("_attempt", "_context", "_span", "_tracer")

    def __init__(self, tracer: Any, operation: str) -> None:
        from opentelemetry import context, trace

        parent = context.get_current()
        self._tracer = tracer
        self._span = tracer.start_span(
            operation,
            context=parent,
            kind=trace.SpanKind.INTERNAL,
            attributes={"postcore.operation": operation},
        )
        self._context = trace.set_span_in_context(self._span, parent)
        self._attempt: Any = None

    def on(
        self,
        kind: str,
        method: str,
        path_template: str,
        url: str,
        server_address: str,
        server_port: int,
        attempt: int,
        status: int | None,
        error_type: str | None,
        delay: float | None,
        reason: str | None,
        budget: str | None,
    ) -> list[tuple[str, str]] | None:
        """One event of the call (see ``postcore::bindings::EventKind``); for ``"request"``,
        the headers to send with the attempt."""
        if kind == "request":
            return self._request(method, path_template, url, server_address, server_port, attempt)
        if kind in ("response", "failure"):
            self._attempt_ended(status, error_type)
        elif kind == "retry":
            self._span.add_event(
                "postcore.retry",
                {"postcore.attempt": attempt, "postcore.delay": delay or 0.0}
                | ({"postcore.reason": reason} if reason else {}),
            )
        elif kind == "rate_limit_wait":
            self._span.add_event(
                "postcore.rate_limit_wait",
                {"postcore.budget": budget or "general", "postcore.delay": delay or 0.0},
            )
        elif kind == "pause":
            self._span.add_event("postcore.poll_wait", {"postcore.delay": delay or 0.0})
        elif kind == "end":
            self._end(attempt, error_type)
        return None

    def _request(
        self, method: str, template: str, url: str, host: str, port: int, attempt: int
    ) -> list[tuple[str, str]]:
        from opentelemetry import propagate, trace

        attributes: dict[str, Any] = {
            "http.request.method": method,
            "server.address": host,
            "server.port": port,
            "url.full": url,
            "url.template": template,
        }
        if attempt > 1:
            attributes["http.request.resend_count"] = attempt - 1
        self._attempt = self._tracer.start_span(
            f"{method} {template}",
            context=self._context,
            kind=trace.SpanKind.CLIENT,
            attributes=attributes,
        )
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(self._attempt, self._context))
        return list(carrier.items())

    def _attempt_ended(self, status: int | None, error_type: str | None) -> None:
        span, self._attempt = self._attempt, None
        if span is None:
            return
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if error_type is not None:
            from opentelemetry.trace import Status, StatusCode

            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR))
        span.end()

    def _end(self, attempts: int, error_type: str | None) -> None:
        self._attempt_ended(None, "cancelled" if self._attempt is not None else None)
        span = self._span
        span.set_attribute("postcore.attempts", attempts)
        if error_type is not None:
            from opentelemetry.trace import Status, StatusCode

            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR))
        span.end()
