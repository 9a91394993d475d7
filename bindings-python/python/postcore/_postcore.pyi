"""Type stubs for the native extension ``postcore._postcore`` (built from Rust), checked against
the built module by ``mypy.stubtest`` (bindings-python/test.sh).

The native client knows no endpoint: ``call`` takes an operation's name from ``OPERATIONS``
and its arguments by their Python names, and returns the JSON result as plain objects. The
typed methods are in ``postcore._resources``.
"""

import os
from collections.abc import Callable, Coroutine, Generator, Mapping, Sequence
from typing import Any, Literal, TypeVar, final, overload

from typing_extensions import Self

from ._response import RateLimit

_T = TypeVar("_T")

@final
class PendingCall(Coroutine[Any, Any, _T]):
    """One ``AsyncPostcore`` call: a native coroutine (registered as
    ``collections.abc.Coroutine``) that sends the request when first awaited and resolves to
    the parsed result; the event loop collects finished calls in batches."""

    def __await__(self) -> Generator[Any, None, _T]: ...
    def send(self, _value: Any) -> Any: ...
    def throw(self, kind: Any, value: Any = None, _traceback: Any = None) -> Any: ...
    def close(self) -> None: ...

def cli_main(argv: list[str]) -> int:
    """Run the ``postcore`` command line with ``argv``; returns its exit status."""

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONSUMER",
    "DEFAULT_EVENTS_INTERVAL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RATE_LIMIT_WAIT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WAIT_INTERVAL",
    "DEFAULT_WEBHOOK_TOLERANCE",
    "ERROR_KINDS",
    "EVENT_TYPES",
    "MOCK_DEFAULT_API_KEY",
    "MODELS",
    "OPERATIONS",
    "OPTIONS",
    "USER_AGENT",
    "WEBHOOK_SIGNATURE_HEADER",
    "Client",
    "MockServer",
    "PendingCall",
    "__version__",
    "_describe_mock_key",
    "_shutdown",
    "check_arguments",
    "cli_main",
    "sign_webhook",
    "verify_webhook",
]
__version__: str
USER_AGENT: str
DEFAULT_BASE_URL: str
MOCK_DEFAULT_API_KEY: str
"""The key a ``MockServer`` accepts when none is given."""
DEFAULT_TIMEOUT: float
DEFAULT_MAX_RETRIES: int
DEFAULT_MAX_CONNECTIONS: int
DEFAULT_MAX_RATE_LIMIT_WAIT: float
DEFAULT_WAIT_INTERVAL: float
DEFAULT_EVENTS_INTERVAL: float
"""Seconds between the polls of ``client.events()`` by default."""
DEFAULT_CONSUMER: str
"""The consumer of ``client.events()`` when none is named (``"default"``)."""
WEBHOOK_SIGNATURE_HEADER: str
"""``"Postcore-Signature"``."""
DEFAULT_WEBHOOK_TOLERANCE: float
"""Seconds a webhook's timestamp may be from now by default."""
EVENT_TYPES: tuple[str, ...]
"""Every event type (``"post.published"``…), in the order of the docs."""
OPERATIONS: tuple[str, ...]
"""Every operation's name, ``"resource.method"`` (e.g. ``"posts.create"``)."""
ERROR_KINDS: tuple[tuple[str, str | None], ...]
"""``(class name, parent class name or None)`` of every error class, parents first."""
MODELS: dict[str, tuple[str, ...]]
"""Every model's name and its JSON field names."""
OPTIONS: dict[str, list[str]]
"""The option names of each set (``"client"``, ``"with_options"``, ``"request"``,
``"wait"``, ``"wait_many"``, ``"events"``), from the core."""

_RawResult = tuple[Any, int, list[tuple[str, str]], RateLimit | None, int]
"""``(data, status_code, header pairs, rate_limit, attempts)``."""

def check_arguments(operation: str, arguments: dict[str, Any]) -> None:
    """Parse and validate ``operation``'s arguments without sending anything: raises the
    ``TypeError`` / ``ValueError`` a call would."""

def verify_webhook(
    payload: bytes | bytearray | memoryview | str,
    header: str | None,
    secret: str,
    tolerance: float,
) -> dict[str, Any]:
    """The event JSON of a verified delivery; raises ``WebhookSignatureError``."""

def sign_webhook(
    payload: bytes | bytearray | memoryview | str, secret: str, timestamp: int | None = None
) -> str:
    """The ``Postcore-Signature`` value for ``payload`` at ``timestamp`` (default now)."""

def _shutdown() -> None:
    """Stop the I/O runtime (registered with ``atexit`` when the module loads)."""

@final
class Client:
    """The native client. Use ``postcore.Postcore`` or ``postcore.AsyncPostcore`` instead."""

    def __new__(
        cls,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_connections: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        extra_ca_certs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        store: str | None = None,
        budget_group: str | None = None,
        max_rate_limit_wait: float | None = None,
        idempotency_ttl: float | None = None,
        hooks: Any | None = None,
        tracing: bool | None = None,
    ) -> Self: ...
    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Client: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def max_connections(self) -> int: ...
    @property
    def store(self) -> str: ...
    @property
    def max_rate_limit_wait(self) -> float: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    @overload
    def call(
        self,
        operation: str,
        arguments: dict[str, Any],
        parse: Callable[[Any], _T],
        options: dict[str, Any] | None = None,
        *,
        raw: bool = False,
        awaitable: Literal[False] = False,
    ) -> _T: ...
    @overload
    def call(
        self,
        operation: str,
        arguments: dict[str, Any],
        parse: Callable[[Any], _T],
        options: dict[str, Any] | None = None,
        *,
        raw: bool = False,
        awaitable: Literal[True],
    ) -> PendingCall[_T]: ...

@final
class MockServer:
    """A running postcore mock server on 127.0.0.1 (the ``postcore-mock`` crate, in-process).
    Use ``postcore.testing.MockServer`` instead."""

    def __new__(
        cls,
        *,
        api_key: str,
        port: int = 0,
        rate_limit: int | None = None,
        rate_window: int = 900,
        posts_per_month: int = 10,
    ) -> Self: ...
    @property
    def url(self) -> str: ...
    @property
    def dashboard_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def control(self, name: str, body: dict[str, Any] | None = None) -> Any:
        """Run the mock's control operation ``name`` (what ``/__mock/<name>`` does) with a
        JSON ``body``; its JSON answer. ``ValueError`` when the mock refuses."""
    def stop(self) -> None: ...

def _describe_mock_key(key: str, origin: str) -> str:
    """``"accepts x-api-key pc_t…_key (the default test key)"``: the key masked, with where it
    came from (``"flag"``, ``"default"`` or an environment variable's name)."""
