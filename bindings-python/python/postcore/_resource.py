"""What every resource shares (the generated ``_resources.py`` holds the methods).

A method forwards to one generic ``_call``: the operation's name, how to read its result, and
its arguments by their Python names. The native module passes them to the Rust core, which
validates them, sends the request and decodes the answer. The blocking form returns the result,
the async form a native coroutine, and the raw forms (``_raw`` set) an :class:`APIResponse`
around it.
"""

from __future__ import annotations

import functools
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar, cast

from ._postcore import Client as _NativeClient
from ._response import APIResponse

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    P = ParamSpec("P")

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _nothing(_: Any) -> None:
    """The result of deletions."""


def _options(
    timeout: float | None,
    max_retries: int | None,
    extra_headers: Mapping[str, str] | None,
    max_rate_limit_wait: float | None,
) -> dict[str, Any] | None:
    """A call's options for the native layer (the core checks them); ``None``: none given."""
    if (
        timeout is None
        and max_retries is None
        and extra_headers is None
        and max_rate_limit_wait is None
    ):
        return None
    return {
        "timeout": timeout,
        "max_retries": max_retries,
        "extra_headers": extra_headers,
        "max_rate_limit_wait": max_rate_limit_wait,
    }


def _identity(value: T) -> T:
    return value


class _Resource:
    """A resource bound to a native client; ``_raw`` selects the ``with_raw_response`` form."""

    _raw: ClassVar[bool] = False

    def __init__(self, native: _NativeClient) -> None:
        self._native = native

    def _local(self, operation: str, arguments: dict[str, Any]) -> str:
        """Runs an operation that makes no request (``profiles.linkedin_connect_url``): a
        plain method on every resource, the async and raw ones too."""
        url: str = self._native.call(operation, arguments, _identity)
        return url

    def _parse(self, parse: Callable[[Any], T]) -> Callable[[Any], Any]:
        """What reads the native result: ``parse``, or in raw mode an :class:`APIResponse`
        around it (the one place the declared type is widened, see the module docstring)."""
        if self._raw:
            return functools.partial(APIResponse._from_native, parse=parse)
        return parse


class _SyncResource(_Resource):
    def _call(
        self,
        operation: str,
        parse: Callable[[Any], T],
        arguments: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> T:
        """Runs ``operation`` and returns ``parse`` of its JSON result."""
        options = _options(timeout, max_retries, extra_headers, max_rate_limit_wait)
        return cast(
            T, self._native.call(operation, arguments, self._parse(parse), options, raw=self._raw)
        )


class _AsyncResource(_Resource):
    def _call(
        self,
        operation: str,
        parse: Callable[[Any], T],
        arguments: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, T]:
        """The awaitable form of ``_SyncResource._call``: a native coroutine that sends the
        request when awaited and resolves to ``parse`` of the result, parsed on the event loop
        when the call completes (no Python coroutine frame per call). Cancelling it cancels
        the request."""
        options = _options(timeout, max_retries, extra_headers, max_rate_limit_wait)
        pending = self._native.call(
            operation, arguments, self._parse(parse), options, raw=self._raw, awaitable=True
        )
        return cast("Coroutine[Any, Any, T]", pending)


def _doc(source: Callable[..., Any]) -> Callable[[F], F]:
    """Gives an async method the docstring of its blocking twin (written once)."""

    def apply(method: F) -> F:
        method.__doc__ = source.__doc__
        return method

    return apply


R = TypeVar("R")


def _with_response(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], APIResponse[R]]:
    """The same method, declared to return an :class:`APIResponse` (the resource's ``_raw``
    flag makes ``_call`` return one)."""
    return cast("Callable[Concatenate[Any, P], APIResponse[R]]", method)


def _async_with_response(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[R]]]:
    """:func:`_with_response` for coroutine methods."""
    return cast("Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[R]]]", method)
