"""Response metadata: :class:`APIResponse` (what ``client.with_raw_response`` returns),
:class:`RateLimit` and :class:`Headers`.

postcore allows 100 requests per 15 minutes: an app that onboards many users or polls posts
can pace itself with ``rate_limit.remaining`` and ``rate_limit.reset``; ``attempts`` tells a
slow call (retried) from a slow server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Callable, Generic, TypeVar

__all__ = ["APIResponse", "Headers", "RateLimit"]

T = TypeVar("T")


class RateLimit:
    """The rate-limit window as the server reported it on a response (the
    ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` headers). A value the server did not
    send is ``None``. Immutable, equal by value, hashable, picklable."""

    __slots__ = ("limit", "remaining", "reset")
    limit: int | None
    """Requests allowed per window (100 per 15 minutes per IP for most endpoints)."""
    remaining: int | None
    """Requests left in the current window."""
    reset: datetime | None
    """When the window resets (aware UTC ``datetime``)."""

    def __init__(self, limit: int | None, remaining: int | None, reset: datetime | None) -> None:
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "remaining", remaining)
        object.__setattr__(self, "reset", reset)

    def _values(self) -> tuple[int | None, int | None, datetime | None]:
        return (self.limit, self.remaining, self.reset)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not RateLimit:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return (
            f"RateLimit(limit={self.limit!r}, remaining={self.remaining!r}, reset={self.reset!r})"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: RateLimit is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (RateLimit, self._values())


class Headers(Mapping[str, str]):
    """Response headers: a read-only mapping with case-insensitive names
    (``headers["X-RateLimit-Remaining"]`` and ``headers["x-ratelimit-remaining"]`` are the
    same). A header sent more than once maps to its values joined with ``", "``;
    :meth:`get_list` gives them one by one."""

    __slots__ = ("_items", "_joined")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: tuple[tuple[str, str], ...] = tuple(
            (name.lower(), value) for name, value in items
        )
        joined: dict[str, str] = {}
        for name, value in self._items:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        self._joined = joined

    def __getitem__(self, name: str) -> str:
        return self._joined[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)

    def get_list(self, name: str) -> list[str]:
        """Every value of header ``name``, in the order received."""
        wanted = name.lower()
        return [value for key, value in self._items if key == wanted]

    def __repr__(self) -> str:
        return f"Headers({self._joined!r})"


class APIResponse(Generic[T]):
    """A call's result with what the server sent along: returned by
    ``client.with_raw_response.<resource>.<method>(...)``.

    Example::

        response = client.with_raw_response.profiles.create(profile_name="x")
        print(response.status_code, response.rate_limit, response.attempts)
        profile = response.parse()  # the same Profile that client.profiles.create returns
    """

    __slots__ = ("_data", "_parse", "_parsed", "attempts", "headers", "rate_limit", "status_code")

    status_code: int
    """The HTTP status of the successful response."""
    headers: Headers
    """The response headers (case-insensitive names)."""
    rate_limit: RateLimit | None
    """The ``X-RateLimit-*`` values, or ``None`` when the server sent none."""
    attempts: int
    """How many attempts the call took (1 when the first succeeded)."""

    def __init__(
        self,
        data: Any,
        parse: Callable[[Any], T],
        *,
        status_code: int,
        headers: Headers,
        rate_limit: RateLimit | None,
        attempts: int,
    ) -> None:
        self._data = data
        self._parse = parse
        self._parsed: tuple[T] | None = None
        self.status_code = status_code
        self.headers = headers
        self.rate_limit = rate_limit
        self.attempts = attempts

    def parse(self) -> T:
        """The result as the plain method returns it (a model, a list of them, or ``None``)."""
        if self._parsed is None:
            self._parsed = (self._parse(self._data),)
        return self._parsed[0]

    def __repr__(self) -> str:
        return (
            f"APIResponse(status_code={self.status_code!r}, rate_limit={self.rate_limit!r}, "
            f"attempts={self.attempts!r})"
        )

    @classmethod
    def _from_native(cls, raw: tuple[Any, ...], parse: Callable[[Any], T]) -> APIResponse[T]:
        """From the native ``call(..., raw=True)`` tuple ``(data, status, header pairs, rate limit,
        attempts)``."""
        data, status_code, pairs, rate_limit, attempts = raw
        return cls(
            data,
            parse,
            status_code=status_code,
            headers=Headers(pairs),
            rate_limit=rate_limit,
            attempts=attempts,
        )
