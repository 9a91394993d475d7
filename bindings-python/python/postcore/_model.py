"""What every model shares (the generated ``_models.py`` declares the models): construction
from the API's JSON and back, value equality and hashing, repr, pickling and immutability,
driven by each class's annotated fields and codecs.

They are plain classes with ``__slots__`` rather than dataclasses: ``import dataclasses`` (and
the ``inspect`` it imports) would double the time ``import postcore`` takes, and building one
from a response is on every call's path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, TypeVar

__all__: list[str] = []

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
#: A boolean the server may leave out (read as ``False``).
_BOOL: _Codec = (bool, _same)


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


def _many(model: Callable[[Any], M]) -> Callable[[Iterable[Any]], list[M]]:
    """A parser of a JSON list of ``model`` (for listings)."""
    return lambda items: [model(item) for item in items]


def _fill(model: M, values: Mapping[str, Any]) -> M:
    """``model`` with the fields named in ``values`` that the server did not send back set
    from the call's arguments, in the models it holds (``posts.create``'s posts get their
    ``profile_key`` and ``content``). Attributes only: ``to_dict()`` still holds what the
    server sent."""
    for name, _, _, _ in model._fields:
        value = getattr(model, name, _ABSENT)
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, _Model):
                    _fill(item, values)
        elif value is _ABSENT and name in values:
            object.__setattr__(model, name, values[name])
    return model
