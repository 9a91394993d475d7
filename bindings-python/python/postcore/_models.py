"""The values the API returns: :class:`Profile`, :class:`ConnectedPlatform`,
:class:`Connection`, :class:`Post`, :class:`Usage` and :class:`ScheduledPosts`.

Each is immutable, equal by value, hashable and picklable. Timestamps are timezone-aware
``datetime`` objects in UTC. ``to_dict()`` gives the API's camelCase JSON exactly as the server
sent it: **fields this version of the SDK does not know yet** are kept (in ``extra``, left out
of equality, hashing and the repr), and fields the server did not send are left out (not
written as ``None``), as openai-python's ``to_dict()`` does. A model built by hand
(``Profile(...)``) has every field.

Attributes stay convenient: a field the server left out reads as ``None`` (or empty) when its
type allows it. A field typed without ``None`` is always in the documented answer; should a
server leave it out, reading it raises ``AttributeError`` saying so (the answer itself is kept
as sent: test with ``"usage" in scheduled.to_dict()``).

The JSON name of every field is its Python name in camelCase (``profile_key`` ->
``profileKey``); a test checks the fields against the core's models
(``postcore._postcore.MODELS``), which define what the server's JSON holds.

They are plain classes with ``__slots__`` rather than dataclasses: ``import dataclasses`` (and
the ``inspect`` it imports) would double the time ``import postcore`` takes, and building one
from a response is on every call's path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, TypeVar

__all__ = ["ConnectedPlatform", "Connection", "Post", "Profile", "ScheduledPosts", "Usage"]

M = TypeVar("M", bound="_Model")


class FrozenInstanceError(AttributeError):
    """Raised when assigning to a field of a model: models are immutable."""


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    # The core writes RFC 3339 in UTC with "Z" (and 0, 3 or 6 fraction digits), which
    # `fromisoformat` reads on every supported Python once "Z" is spelled as an offset.
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _format_time(value: datetime | None) -> str | None:
    """The API's form: ``2025-01-15T14:01:00Z``, with milli- or microseconds only if any."""
    if value is None:
        return None
    utc = value.astimezone(timezone.utc) if value.tzinfo else value
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond % 1000:
        text += f".{utc.microsecond:06d}"
    elif utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


def _same(value: Any) -> Any:
    return value


#: How a field's JSON value becomes its Python value, and back.
_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
_PLAIN: _Codec = (_same, _same)
_TIMESTAMP: _Codec = (_parse_time, _format_time)


def _nested(parse: Callable[[Any], Any], *, many: bool = False) -> _Codec:
    """The codec of a field holding another model (``many``: a tuple of them, so that models
    stay hashable)."""

    def from_json(value: Any) -> Any:
        if value is None:
            return () if many else None
        return tuple(parse(item) for item in value) if many else parse(value)

    def to_json(value: Any) -> Any:
        if value is None:
            return None
        return [item.to_dict() for item in value] if many else value.to_dict()

    return from_json, to_json


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _Model:
    """What every model shares, driven by its ``_fields`` table: construction from the API's
    JSON and back, value equality and hashing (``extra`` excluded), repr, pickling, and
    immutability."""

    __slots__ = ("_sent", "extra")
    #: (Python name, JSON name, from JSON, to JSON) per known field, in constructor order.
    _fields: ClassVar[tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]]
    _json_names: ClassVar[frozenset[str]]
    #: Fields typed without ``None``: left unset when the server does not send them.
    _required: ClassVar[frozenset[str]]
    extra: Mapping[str, Any]
    """Fields this version of the SDK does not know, as sent."""
    _sent: frozenset[str] | None
    # The JSON names of the known fields the server sent; None for a model built by hand.

    def __init_subclass__(
        cls,
        codecs: Mapping[str, _Codec] | None = None,
        required: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        codecs = codecs or {}
        cls._required = frozenset(required)
        # The fields in the order the class declares them (its annotations), which is the
        # constructor's order; `__slots__` holds the same names for storage.
        slots = set(cls.__slots__)
        cls._fields = tuple(
            (name, _camel(name), *codecs.get(name, _PLAIN))
            for name in cls.__annotations__
            if name in slots
        )
        if {name for name, _, _, _ in cls._fields} != slots:
            raise TypeError(f"{cls.__name__}: __slots__ and the annotated fields differ")
        cls._json_names = frozenset(json_name for _, json_name, _, _ in cls._fields)

    def _init(
        self,
        values: Iterable[tuple[str, Any]],
        extra: Mapping[str, Any] | None,
        sent: frozenset[str] | None = None,
    ) -> None:
        for name, value in values:
            if value is not _ABSENT:
                object.__setattr__(self, name, value)
        object.__setattr__(self, "extra", {} if extra is None else dict(extra))
        object.__setattr__(self, "_sent", sent)

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """The model from the API's JSON object (camelCase keys); unknown keys go to
        ``extra``. Fields it lacks read as ``None`` (or empty), and ``to_dict()`` leaves them
        out."""
        model = object.__new__(cls)
        setattr_ = object.__setattr__
        required = cls._required
        absent = False
        for name, json_name, parse, _ in cls._fields:
            if json_name in data:
                setattr_(model, name, parse(data[json_name]))
            else:
                absent = True
                if name not in required:
                    setattr_(model, name, parse(None))
        known = cls._json_names
        setattr_(model, "extra", {k: v for k, v in data.items() if k not in known})
        # Which fields were sent is only worth recording when some were not.
        setattr_(model, "_sent", known.intersection(data) if absent else None)
        return model

    def to_dict(self) -> dict[str, Any]:
        """The model as the API's JSON object, as the server sent it: camelCase keys, ISO 8601
        timestamps, the fields this version does not know, and none it did not send."""
        sent = self._sent
        result = {}
        for name, json_name, _, write in self._fields:
            if sent is None or json_name in sent:
                value = getattr(self, name, _ABSENT)
                if value is not _ABSENT:
                    result[json_name] = write(value)
        for key, value in self.extra.items():
            result.setdefault(key, copy.deepcopy(value))
        return result

    def __getattr__(self, name: str) -> Any:
        # Only reached for a field left unset: one the server did not send although the
        # documented answer always has it.
        for field, json_name, _, _ in self._fields:
            if field == name:
                raise AttributeError(
                    f"{type(self).__name__}.{name}: the server's answer had no {json_name!r}"
                )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name, _ABSENT) for name, _, _, _ in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}" for (name, _, _, _), value in zip(self._fields, self._values())
        )
        return f"{self.__class__.__name__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}: models are immutable")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}: models are immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, self._values(), dict(self.extra), self._sent))

    def __copy__(self: M) -> M:
        return self

    def __deepcopy__(self: M, memo: dict[int, Any]) -> M:
        return _rebuild(
            type(self),
            copy.deepcopy(self._values(), memo),
            copy.deepcopy(dict(self.extra), memo),
            self._sent,
        )


class _Absent:
    """A field the server did not send (in ``_values()`` and pickles)."""

    def __repr__(self) -> str:
        return "<absent>"

    def __reduce__(self) -> str:
        return "_ABSENT"


_ABSENT: Any = _Absent()


def _rebuild(
    cls: type[M],
    values: tuple[Any, ...],
    extra: dict[str, Any],
    sent: frozenset[str] | None = None,
) -> M:
    model = object.__new__(cls)
    model._init(zip((name for name, _, _, _ in cls._fields), values), extra, sent)
    return model


class ConnectedPlatform(_Model, codecs={"connected_at": _TIMESTAMP, "expires_at": _TIMESTAMP}):
    """A social account connected to a profile, as ``profiles.list()`` reports it."""

    __slots__ = (
        "connected_at",
        "days_until_expiry",
        "display_name",
        "expires_at",
        "needs_reconnect",
        "platform",
        "username",
    )
    platform: str
    """``"linkedin"`` or ``"bluesky"`` (a newer platform's name as the server sent it)."""
    display_name: str | None
    """The account's display name."""
    username: str | None
    """The account's username or handle."""
    connected_at: datetime | None
    """When it was connected."""
    expires_at: datetime | None
    """When the connection expires (LinkedIn only: 60 days after connecting)."""
    days_until_expiry: int | None
    """Whole days until it expires (LinkedIn only)."""
    needs_reconnect: bool
    """Whether the end-user must connect again (an expired LinkedIn token)."""

    def __init__(
        self,
        platform: str,
        display_name: str | None = None,
        username: str | None = None,
        connected_at: datetime | None = None,
        expires_at: datetime | None = None,
        days_until_expiry: int | None = None,
        needs_reconnect: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init(
            (
                ("platform", platform),
                ("display_name", display_name),
                ("username", username),
                ("connected_at", connected_at),
                ("expires_at", expires_at),
                ("days_until_expiry", days_until_expiry),
                ("needs_reconnect", bool(needs_reconnect)),
            ),
            extra,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConnectedPlatform:
        """The account from the API's JSON; unknown keys go to ``extra``."""
        model = super().from_dict(data)
        object.__setattr__(model, "needs_reconnect", bool(model.needs_reconnect))
        return model


class Profile(
    _Model,
    codecs={
        "created_at": _TIMESTAMP,
        "connected_platforms": _nested(ConnectedPlatform.from_dict, many=True),
    },
):
    """A postcore profile: one end-user of your app. Store ``profile_key`` with that user.

    ``Profile(profile_key, profile_name=None)`` builds one by hand (e.g. in tests); the SDK
    returns them from ``create_profile`` / ``profiles.create`` (key and name only) and
    ``profiles.list()`` (every field).
    """

    __slots__ = ("connected_platforms", "created_at", "profile_key", "profile_name")
    profile_key: str
    """The profile's key, e.g. ``"prof_abc123def456"``."""
    profile_name: str | None
    """The name given at creation, or ``None``."""
    created_at: datetime | None
    """When it was created (sent by ``profiles.list()``, not by the create call)."""
    connected_platforms: tuple[ConnectedPlatform, ...]
    """The social accounts connected to it."""

    def __init__(
        self,
        profile_key: str,
        profile_name: str | None = None,
        created_at: datetime | None = None,
        connected_platforms: Iterable[ConnectedPlatform] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init(
            (
                ("profile_key", profile_key),
                ("profile_name", profile_name),
                ("created_at", created_at),
                ("connected_platforms", tuple(connected_platforms)),
            ),
            extra,
        )


class Connection(_Model, codecs={"connected_at": _TIMESTAMP}):
    """The account ``profiles.connect_bluesky`` connected; what the server did not send is
    ``None``."""

    __slots__ = ("connected_at", "display_name", "platform", "profile_key", "username")
    profile_key: str | None
    """The profile it was connected to (a new one when none was given)."""
    platform: str | None
    """``"bluesky"``."""
    username: str | None
    """The account's handle."""
    display_name: str | None
    """The account's display name."""
    connected_at: datetime | None
    """When it was connected."""

    def __init__(
        self,
        profile_key: str | None = None,
        platform: str | None = None,
        username: str | None = None,
        display_name: str | None = None,
        connected_at: datetime | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init(
            (
                ("profile_key", profile_key),
                ("platform", platform),
                ("username", username),
                ("display_name", display_name),
                ("connected_at", connected_at),
            ),
            extra,
        )


class Post(
    _Model,
    codecs={
        "scheduled_for": _TIMESTAMP,
        "created_at": _TIMESTAMP,
        "published_at": _TIMESTAMP,
    },
    required=("post_id", "profile_key", "platform", "content", "scheduled_for", "status"),
):
    """A post scheduled on one platform.

    In ``posts.create()``'s answer the server sends neither ``profileKey`` nor ``content``:
    the attributes hold the call's arguments, and ``to_dict()`` what the server sent.
    """

    __slots__ = (
        "content",
        "created_at",
        "platform",
        "platform_url",
        "post_id",
        "profile_key",
        "published_at",
        "scheduled_for",
        "status",
    )
    post_id: str
    """The post's id, e.g. ``"post_abc123"``."""
    profile_key: str
    """The profile it is posted for (in ``posts.create()``'s answer: the call's argument)."""
    platform: str
    """``"linkedin"`` or ``"bluesky"``."""
    content: str
    """The text (in ``posts.create()``'s answer: the call's argument)."""
    scheduled_for: datetime
    """When it is (or was) due to be published."""
    status: str
    """``"pending"``, ``"published"`` or ``"failed"``."""
    created_at: datetime | None
    """When it was scheduled."""
    published_at: datetime | None
    """When it was published."""
    platform_url: str | None
    """The published post on the platform."""

    def __init__(
        self,
        post_id: str,
        profile_key: str,
        platform: str,
        content: str,
        scheduled_for: datetime,
        status: str,
        created_at: datetime | None = None,
        published_at: datetime | None = None,
        platform_url: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init(
            (
                ("post_id", post_id),
                ("profile_key", profile_key),
                ("platform", platform),
                ("content", content),
                ("scheduled_for", scheduled_for),
                ("status", status),
                ("created_at", created_at),
                ("published_at", published_at),
                ("platform_url", platform_url),
            ),
            extra,
        )


class Usage(_Model, required=("month", "used", "limit", "remaining")):
    """The plan's monthly post quota after scheduling (Free: 10 posts, Pro: 3000)."""

    __slots__ = ("limit", "month", "remaining", "used")
    month: str
    """The month counted, e.g. ``"January 2025"``."""
    used: int
    """Posts scheduled this month (one per platform)."""
    limit: int
    """Posts allowed per month."""
    remaining: int
    """Posts left this month."""

    def __init__(
        self,
        month: str,
        used: int,
        limit: int,
        remaining: int,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._init(
            (("month", month), ("used", used), ("limit", limit), ("remaining", remaining)),
            extra,
        )


class ScheduledPosts(
    _Model,
    codecs={
        "posts": _nested(Post.from_dict, many=True),
        "usage": _nested(Usage.from_dict),
    },
    required=("posts", "usage"),
):
    """What ``posts.create`` returns: one pending :class:`Post` per platform, in the order
    asked for, and the quota left."""

    __slots__ = ("posts", "usage")
    posts: tuple[Post, ...]
    """One post per platform."""
    usage: Usage
    """The monthly quota left. Always in the documented answer; should a server leave it out,
    reading it raises ``AttributeError`` (``"usage" in scheduled.to_dict()`` tells)."""

    def __init__(
        self,
        posts: Iterable[Post] = (),
        usage: Usage | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """``usage=None``: an answer without it."""
        self._init((("posts", tuple(posts)), ("usage", _ABSENT if usage is None else usage)), extra)

    def _with_request(self, profile_key: str, content: str) -> ScheduledPosts:
        """This answer with each post's ``profile_key`` and ``content``, which the server
        does not send back, set from the call's arguments (attributes only: ``to_dict()``
        still holds what the server sent)."""
        for post in self.posts:
            for name, value in (("profile_key", profile_key), ("content", content)):
                if not hasattr(post, name):
                    object.__setattr__(post, name, value)
        return self


def _many(model: Callable[[Any], M]) -> Callable[[Iterable[Any]], list[M]]:
    """A parser of a JSON list of ``model`` (for listings)."""
    return lambda items: [model(item) for item in items]
