"""Events without webhooks: :class:`Event`, and the iterators ``client.events()`` returns
(:class:`Events` on :class:`Postcore`, :class:`AsyncEvents` on :class:`AsyncPostcore`).

postcore has no webhooks; the Rust core finds what happened by comparing successive
``GET /posts`` and ``GET /profiles`` answers, and keeps each consumer's position (and the
events found but not yet delivered) in the client's store. Each step of an iterator is one
call of the core's ``events.next`` operation: it acknowledges the event the iterator returned
before (``after``) and returns the next one, waiting until there is one.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from typing import Any, Union

from ._model import _TIMESTAMP, _Model
from ._models import ConnectedPlatform, Post, Profile
from ._postcore import Client as _NativeClient
from ._postcore import check_arguments

__all__ = ["AsyncEvents", "Event", "Events"]

EventData = Union[Post, Profile, ConnectedPlatform, Mapping[str, Any]]
"""What an :class:`Event` is about: a :class:`Post` (``post.*``), a :class:`Profile`
(``profile.*``) or a :class:`ConnectedPlatform` (``connection.*``); the JSON object itself
for a type this version does not know (an event from a newer ``postcore listen``)."""


def _data_model(event_type: str, data: Any) -> EventData:
    """``data`` as the model its type names."""
    if not isinstance(data, Mapping):
        return data  # type: ignore[no-any-return]  # not an object: kept as sent
    kind = event_type.split(".", 1)[0]
    if kind == "post":
        return Post.from_dict(data)
    if kind == "profile":
        return Profile.from_dict(data)
    if kind == "connection":
        return ConnectedPlatform.from_dict(data)
    return dict(data)


def _data_json(data: Any) -> Any:
    if isinstance(data, _Model):
        return data.to_dict()
    return copy.deepcopy(data)


class Event(
    _Model,
    codecs={"created_at": _TIMESTAMP, "data": (lambda value: value, _data_json)},
    required=("id", "type", "created_at", "data"),
):
    """One thing that happened to the account's posts, profiles or connections, as
    ``client.events()`` yields it and ``postcore listen`` sends it.

    ``type`` is one of ``post.published``, ``post.failed``, ``post.deleted`` (cancelled, or
    its profile deleted: ``data`` has only ``post_id``, ``profile_key``, ``platform`` and the
    last ``status``), ``profile.created``, ``profile.deleted`` (``data``: ``profile_key`` and
    ``profile_name``), ``connection.connected``, ``connection.disconnected``,
    ``connection.needs_reconnect`` and ``connection.expiring`` (a LinkedIn connection's
    ``days_until_expiry`` crossed 7, or 1). ``to_dict()`` is ``{"id", "type", "createdAt",
    "data"}`` with ``data`` in the API's camelCase: the JSON ``postcore listen`` sends.
    """

    __slots__ = ("created_at", "data", "id", "type")
    id: str
    """Stable for the change it describes: the same change seen twice (by two processes, or
    again after a crash) has the same id, so it can be recognised."""
    type: str
    """``"post.published"``, ``"connection.expiring"``… (``postcore._postcore.EVENT_TYPES``
    lists them)."""
    created_at: datetime
    """When the change was seen, on the server's clock (aware UTC ``datetime``)."""
    data: EventData
    """The object it is about: a :class:`Post`, a :class:`Profile` or a
    :class:`ConnectedPlatform` (whose profile is :attr:`profile_key`)."""

    def __init__(
        self,
        id: str,
        type: str,
        created_at: datetime,
        data: EventData,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init((("id", id), ("type", type), ("created_at", created_at), ("data", data)), extra)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        """The event from its JSON (``{"id", "type", "createdAt", "data"}``)."""
        event = super().from_dict(data)
        if "data" in data:
            object.__setattr__(event, "data", _data_model(str(data.get("type")), data["data"]))
        return event

    @property
    def profile_key(self) -> str | None:
        """The profile the event is about: the post's, the profile's own, or the connected
        account's (which :class:`ConnectedPlatform` itself does not hold)."""
        data = self.data
        if isinstance(data, ConnectedPlatform):
            key = data.extra.get("profileKey")
        elif isinstance(data, _Model):
            key = getattr(data, "profile_key", None)
        else:
            key = data.get("profileKey")
        return key if isinstance(key, str) else None


class _Cursor:
    """What both iterators share: the consumer, its interval and the event to acknowledge."""

    __slots__ = ("_consumer", "_interval", "_last", "_lock", "_native")

    def __init__(self, native: _NativeClient, consumer: str, interval: float | None) -> None:
        # The core's checks, now rather than at the first poll.
        check_arguments("events.next", {"consumer": consumer, "interval": interval})
        self._native = native
        self._consumer = consumer
        self._interval = interval
        self._last: str | None = None
        self._lock = threading.Lock()

    @property
    def consumer(self) -> str:
        """The consumer's name: its position is kept in the client's store under it."""
        return self._consumer

    @property
    def interval(self) -> float | None:
        """Seconds between polls (``None``: the default, 30)."""
        return self._interval

    def _arguments(self) -> dict[str, Any]:
        return {"consumer": self._consumer, "interval": self._interval, "after": self._last}

    def _enter(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("this events iterator is already waiting for the next event")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(consumer={self._consumer!r}, interval={self._interval!r})"


class Events(_Cursor, Iterator[Event]):
    """The events of one consumer, from ``Postcore.events()``: an endless iterator.

    Each ``next()`` returns the next event, waiting (with the GIL released) until there is
    one, and acknowledges the event returned before it: an event counts as delivered once the
    iterator is advanced past it. A watcher that stops (Ctrl-C, a crash, ``kill -9``) and
    starts again with the same consumer gets again the one event it had not finished with,
    then the rest, and misses none. Ctrl-C interrupts a waiting ``next()`` with
    ``KeyboardInterrupt``; an error (the API unreachable, say) is raised from ``next()``, and
    calling it again carries on where it was.
    """

    __slots__ = ()

    def __iter__(self) -> Events:
        return self

    def __next__(self) -> Event:
        self._enter()
        try:
            event: Event = self._native.call("events.next", self._arguments(), Event.from_dict)
        finally:
            self._lock.release()
        self._last = event.id
        return event


class AsyncEvents(_Cursor, AsyncIterator[Event]):
    """The events of one consumer, from ``AsyncPostcore.events()``: an endless async
    iterator (``async for event in client.events(): ...``), with the same delivery rules as
    :class:`Events`. Cancelling the task that waits in it stops the wait; the event returned
    before is then not acknowledged yet."""

    __slots__ = ()

    def __aiter__(self) -> AsyncEvents:
        return self

    async def __anext__(self) -> Event:
        self._enter()
        try:
            event: Event = await self._native.call(
                "events.next", self._arguments(), Event.from_dict, awaitable=True
            )
        finally:
            self._lock.release()
        self._last = event.id
        return event
