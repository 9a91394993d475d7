"""What :class:`Postcore` and :class:`AsyncPostcore` share: construction, settings,
``with_options`` and the repr. (Their differences, blocking or awaitable calls and context
managers, are in ``_client.py``.)"""

from __future__ import annotations

import os
import types
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Union

from ._postcore import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._postcore import Client as _NativeClient

if TYPE_CHECKING:
    from ._hooks import Hooks

__all__: list[str] = []

C = TypeVar("C", bound="BaseClient")

#: One CA certificate file, or several.
CertificatePaths = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


class BaseClient:
    """The configuration and connection pool of a client (see :class:`Postcore`)."""

    _native: _NativeClient
    #: Whether the client's calls are awaitable (its hooks may then be ``async``).
    _asynchronous = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            # A copy of the constructor named after the class, so that Python's own
            # TypeError for a misspelled option says "Postcore.__init__() got an unexpected
            # keyword argument 'max_retry'", not "BaseClient.__init__()".
            base = BaseClient.__init__
            init = types.FunctionType(
                base.__code__, base.__globals__, "__init__", base.__defaults__, base.__closure__
            )
            init.__kwdefaults__ = base.__kwdefaults__
            init.__qualname__ = f"{cls.__qualname__}.__init__"
            init.__doc__ = base.__doc__
            init.__annotations__ = base.__annotations__
            if hasattr(base.__code__, "co_qualname"):  # Python 3.11+ names the code object
                init.__code__ = base.__code__.replace(co_qualname=init.__qualname__)
            cls.__init__ = init  # type: ignore[method-assign]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int | None = DEFAULT_MAX_RETRIES,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        extra_ca_certs: CertificatePaths | None = None,
        store: str | None = None,
        budget_group: str | None = None,
        max_rate_limit_wait: float | None = DEFAULT_MAX_RATE_LIMIT_WAIT,
        idempotency_ttl: float | None = None,
        hooks: Hooks | None = None,
        tracing: bool = True,
    ) -> None:
        if hooks is not None and hasattr(hooks, "_check"):
            hooks._check(self._asynchronous)
        self._setup(
            _NativeClient(
                api_key=api_key,
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
                max_connections=max_connections,
                default_headers=default_headers,
                proxy=proxy,
                extra_ca_certs=extra_ca_certs,
                store=store,
                budget_group=budget_group,
                max_rate_limit_wait=max_rate_limit_wait,
                idempotency_ttl=idempotency_ttl,
                hooks=hooks,
                tracing=tracing,
            )
        )

    def _setup(self, native: _NativeClient) -> None:
        """Binds the client (and, in subclasses, its resources) to a native client."""
        self._native = native

    def with_options(
        self: C,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> C:
        """A client with some settings replaced that shares this one's connection pool and
        runtime: cheap enough to make per request.

        Example::

            patient = client.with_options(timeout=120.0, max_retries=5)
            patient.posts.list()

        Args:
            timeout: Per-attempt timeout in seconds.
            max_retries: Retries after the first attempt.
            default_headers: Headers sent with every request; *replaces* this client's
                default headers (same rules as the constructor's).
            max_rate_limit_wait: The longest a call waits for a slot of the shared rate
                budget, in seconds.

        Settings not given are this client's. Closing either client closes the shared pool,
        so both (close the one you created, not the copies).
        """
        clone = object.__new__(type(self))
        clone._setup(
            self._native.with_options(
                timeout=timeout,
                max_retries=max_retries,
                default_headers=default_headers,
                max_rate_limit_wait=max_rate_limit_wait,
            )
        )
        return clone

    @property
    def base_url(self) -> str:
        """The API root requests go to, without trailing slash."""
        return self._native.base_url

    @property
    def timeout(self) -> float:
        """The per-attempt timeout, in seconds."""
        return self._native.timeout

    @property
    def max_retries(self) -> int:
        """The number of retries after the first attempt."""
        return self._native.max_retries

    @property
    def max_connections(self) -> int:
        """The most connections the client keeps open to the API at once."""
        return self._native.max_connections

    @property
    def store(self) -> str:
        """The store the client shares its rate budgets through (``memory://``,
        ``sqlite:///…``, ``redis://…``; any password masked)."""
        return self._native.store

    @property
    def max_rate_limit_wait(self) -> float:
        """The longest a call waits for a slot of the rate budget, in seconds."""
        return self._native.max_rate_limit_wait

    @property
    def closed(self) -> bool:
        """Whether the client (or a client sharing its pool) was closed."""
        return self._native.closed

    def __repr__(self) -> str:
        # Never shows the API key.
        native = self._native
        return (
            f"{type(self).__name__}(base_url={native.base_url!r}, timeout={native.timeout!r}, "
            f"max_retries={native.max_retries!r})"
        )
