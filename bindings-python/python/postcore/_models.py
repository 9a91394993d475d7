"""The values the API returns: :class:`Profile`, :class:`ConnectedPlatform`,
:class:`Connection`, :class:`Post`, :class:`Usage` and :class:`ScheduledPosts`.

Each is a frozen dataclass: immutable, equal by value, hashable and picklable. Timestamps are
timezone-aware ``datetime`` objects in UTC. ``to_dict()`` gives the API's camelCase JSON,
**including fields this version of the SDK does not know yet**: they are kept in ``extra``
(left out of equality, hashing and the repr), so nothing the server sends is lost.

The JSON name of every field is its Python name in camelCase (``profile_key`` ->
``profileKey``); a test checks the fields against the core's models
(``postcore._postcore.MODELS``), which define what the server's JSON holds.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import field
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, TypeVar, cast

__all__ = ["ConnectedPlatform", "Connection", "Post", "Profile", "ScheduledPosts", "Usage"]

M = TypeVar("M", bound="_Model")

# How a field's JSON value becomes its Python value, and back (in field metadata).
_FROM_JSON = "postcore_from_json"
_TO_JSON = "postcore_to_json"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


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


#: Metadata of a timestamp field: an aware UTC ``datetime`` in Python, an ISO string in JSON.
_TIMESTAMP = {_FROM_JSON: _parse_time, _TO_JSON: _format_time}


def _nested(model: Callable[[Any], Any], *, many: bool = False) -> dict[str, Any]:
    """Metadata of a field holding another model (``many``: a tuple of them, so that models
    stay hashable)."""

    def from_json(value: Any) -> Any:
        if value is None:
            return () if many else None
        return tuple(model(item) for item in value) if many else model(value)

    def to_json(value: Any) -> Any:
        if value is None:
            return None
        return [item.to_dict() for item in value] if many else value.to_dict()

    return {_FROM_JSON: from_json, _TO_JSON: to_json}


class _Model:
    """What every model shares: ``from_dict`` / ``to_dict`` driven by the dataclass fields."""

    # (python name, JSON name, from JSON, to JSON) per known field; filled in on first use.
    _json_fields: ClassVar[tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]]
    _json_names: ClassVar[frozenset[str]]
    extra: Mapping[str, Any]

    @classmethod
    def _fields(
        cls,
    ) -> tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]:
        cached = cls.__dict__.get("_json_fields")
        if cached is None:
            cached = tuple(
                (
                    f.name,
                    _camel(f.name),
                    f.metadata.get(_FROM_JSON, _same),
                    f.metadata.get(_TO_JSON, _same),
                )
                for f in dataclasses.fields(cast(Any, cls))
                if f.name != "extra"
            )
            cls._json_fields = cached
            cls._json_names = frozenset(json_name for _, json_name, _, _ in cached)
        return cached

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """The model from the API's JSON object (camelCase keys); unknown keys go to
        ``extra``. Missing optional fields are ``None`` (or empty)."""
        fields = cls._fields()
        known = cls._json_names
        kwargs = {
            name: parse(data[json_name])
            for name, json_name, parse, _ in fields
            if json_name in data
        }
        extra = {key: value for key, value in data.items() if key not in known}
        model: M = cast(Any, cls)(**kwargs, extra=extra)
        return model

    def to_dict(self) -> dict[str, Any]:
        """The model as the API's JSON object: camelCase keys, ISO 8601 timestamps, and every
        field the server sent that this version does not know."""
        result = {
            json_name: write(getattr(self, name)) for name, json_name, _, write in self._fields()
        }
        for key, value in self.extra.items():
            result.setdefault(key, copy.deepcopy(value))
        return result


def _same(value: Any) -> Any:
    return value


@dataclasses.dataclass(frozen=True)
class ConnectedPlatform(_Model):
    """A social account connected to a profile, as ``profiles.list()`` reports it."""

    platform: str
    """``"linkedin"`` or ``"bluesky"`` (a newer platform's name as the server sent it)."""
    display_name: str | None = None
    """The account's display name."""
    username: str | None = None
    """The account's username or handle."""
    connected_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When it was connected."""
    expires_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When the connection expires (LinkedIn only: 60 days after connecting)."""
    days_until_expiry: int | None = None
    """Whole days until it expires (LinkedIn only)."""
    needs_reconnect: bool = False
    """Whether the end-user must connect again (an expired LinkedIn token)."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent."""


@dataclasses.dataclass(frozen=True)
class Profile(_Model):
    """A postcore profile: one end-user of your app. Store ``profile_key`` with that user.

    ``Profile(profile_key, profile_name=None)`` builds one by hand (e.g. in tests); the SDK
    returns them from ``create_profile`` / ``profiles.create`` (key and name only) and
    ``profiles.list()`` (every field).
    """

    profile_key: str
    """The profile's key, e.g. ``"prof_abc123def456"``."""
    profile_name: str | None = None
    """The name given at creation, or ``None``."""
    created_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When it was created (sent by ``profiles.list()``, not by the create call)."""
    connected_platforms: tuple[ConnectedPlatform, ...] = field(
        default=(), metadata=_nested(ConnectedPlatform.from_dict, many=True)
    )
    """The social accounts connected to it."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent."""


@dataclasses.dataclass(frozen=True)
class Connection(_Model):
    """The account ``profiles.connect_bluesky`` connected; what the server did not send is
    ``None``."""

    profile_key: str | None = None
    """The profile it was connected to (a new one when none was given)."""
    platform: str | None = None
    """``"bluesky"``."""
    username: str | None = None
    """The account's handle."""
    display_name: str | None = None
    """The account's display name."""
    connected_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When it was connected."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent."""


@dataclasses.dataclass(frozen=True)
class Post(_Model):
    """A post scheduled on one platform."""

    post_id: str
    """The post's id, e.g. ``"post_abc123"``."""
    profile_key: str
    """The profile it is posted for."""
    platform: str
    """``"linkedin"`` or ``"bluesky"``."""
    content: str
    """The text."""
    scheduled_for: datetime = field(metadata=_TIMESTAMP)
    """When it is (or was) due to be published."""
    status: str
    """``"pending"``, ``"published"`` or ``"failed"``."""
    created_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When it was scheduled."""
    published_at: datetime | None = field(default=None, metadata=_TIMESTAMP)
    """When it was published."""
    platform_url: str | None = None
    """The published post on the platform."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent (e.g. ``failureReason``)."""


@dataclasses.dataclass(frozen=True)
class Usage(_Model):
    """The plan's monthly post quota after scheduling (Free: 10 posts, Pro: 3000)."""

    month: str
    """The month counted, e.g. ``"January 2025"``."""
    used: int
    """Posts scheduled this month (one per platform)."""
    limit: int
    """Posts allowed per month."""
    remaining: int
    """Posts left this month."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent."""


@dataclasses.dataclass(frozen=True)
class ScheduledPosts(_Model):
    """What ``posts.create`` returns: one pending :class:`Post` per platform, in the order
    asked for, and the quota left."""

    posts: tuple[Post, ...] = field(default=(), metadata=_nested(Post.from_dict, many=True))
    """One post per platform."""
    usage: Usage | None = field(default=None, metadata=_nested(Usage.from_dict))
    """The monthly quota, when the server reported it."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Fields this version of the SDK does not know, as sent."""


def _many(model: Callable[[Any], M]) -> Callable[[Iterable[Any]], list[M]]:
    """A parser of a JSON list of ``model`` (for listings)."""
    return lambda items: [model(item) for item in items]
