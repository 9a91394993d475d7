"""The package's public surface against the core's single definitions (exported by the
native module): error classes, models, operations. Adding an error kind, a model field or an
operation to the core makes one of these fail until the package has it. Also: the models'
value semantics, and the raw-response helpers. No server needed."""

from __future__ import annotations

import asyncio
import collections.abc
import inspect
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import postcore
import postcore.webhooks
from postcore import _postcore

ERROR_CLASSES = {
    name: obj
    for name in postcore.__all__
    if isinstance(obj := getattr(postcore, name), type) and issubclass(obj, BaseException)
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# ------------------------------------------------------------------------ error classes


def test_error_classes_match_the_core() -> None:
    kinds = dict(_postcore.ERROR_KINDS)
    assert set(ERROR_CLASSES) == set(kinds) | {"PostcoreError"}
    for name, parent in kinds.items():
        cls = ERROR_CLASSES[name]
        assert cls.__bases__[0] is ERROR_CLASSES[parent or "PostcoreError"], name
        assert cls.__module__ == "postcore" and cls.__doc__, name
    assert issubclass(postcore.ConfigurationError, ValueError)


def test_new_error_attributes_pickle() -> None:
    reset = datetime(2030, 1, 1, tzinfo=timezone.utc)
    post = postcore.Post("post_1", "prof_1", "bluesky", "hi", reset, "pending")
    error = postcore.RateLimitError(
        "429 RATE_LIMIT_EXCEEDED: wait",
        status_code=429,
        rate_limit=postcore.RateLimit(limit=100, remaining=0, reset=reset),
        attempts=3,
        platform="linkedin",
        next_available=reset,
        missing_platforms=["bluesky"],
        post=post,
        posts=[post, post],
        may_have_been_processed=True,
    )
    copy = pickle.loads(pickle.dumps(error))
    for attr in (
        "rate_limit",
        "attempts",
        "platform",
        "next_available",
        "missing_platforms",
        "post",
        "posts",
        "may_have_been_processed",
    ):
        assert getattr(copy, attr) == getattr(error, attr), attr
    plain = postcore.WaitTimeoutError("x")
    assert (plain.rate_limit, plain.attempts, plain.post, plain.missing_platforms) == (
        None,
        0,
        None,
        [],
    )
    assert plain.posts == []


# ------------------------------------------------------------------------------ models


def test_the_package_exports_every_public_name() -> None:
    # `postcore` loads its submodules lazily from a table: it must name every public name.
    expected = {"DEFAULT_BASE_URL", "__version__"}
    for module in (
        postcore._client,
        postcore._errors,
        postcore._events,
        postcore._hooks,
        postcore._models,
        postcore._resources,
        postcore._response,
    ):
        expected |= set(module.__all__)
    assert set(postcore.__all__) == expected
    for name in postcore.__all__:
        assert getattr(postcore, name) is not None, name


def test_import_postcore_loads_only_the_errors() -> None:
    code = "import sys, postcore; print(sorted(m for m in sys.modules if m.startswith('postcore')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['postcore', 'postcore._errors', 'postcore._postcore']"


def test_models_match_the_core() -> None:
    assert set(_postcore.MODELS) == set(postcore._models.__all__)
    for name, json_fields in _postcore.MODELS.items():
        cls = getattr(postcore, name)
        fields = {json_name for _, json_name, _, _ in cls._fields}
        assert fields == set(json_fields), name
        # The constructor takes every field (and `extra`), in the table's order.
        parameters = list(inspect.signature(cls).parameters)
        assert parameters == [python for python, _, _, _ in cls._fields] + ["extra"], name
        assert cls.__module__ == "postcore" and cls.__doc__


PROFILE_JSON: dict[str, Any] = {
    "profileKey": "prof_1",
    "profileName": "Ann",
    "createdAt": "2025-01-15T14:01:00Z",
    "connectedPlatforms": [
        {
            "platform": "linkedin",
            "displayName": "Ann A.",
            "username": "ann",
            "connectedAt": "2025-01-15T14:01:00.500Z",
            "expiresAt": "2025-03-16T14:01:00.123456Z",
            "daysUntilExpiry": 60,
            "needsReconnect": False,
            "scopes": ["w_member_social"],
        }
    ],
    "plan": {"tier": "pro"},
}


def test_model_round_trip_keeps_unknown_fields() -> None:
    profile = postcore.Profile.from_dict(PROFILE_JSON)
    assert profile.to_dict() == PROFILE_JSON
    assert profile.extra == {"plan": {"tier": "pro"}}
    assert profile.created_at == datetime(2025, 1, 15, 14, 1, tzinfo=timezone.utc)
    linkedin = profile.connected_platforms[0]
    assert linkedin.connected_at is not None and linkedin.connected_at.microsecond == 500000
    assert linkedin.extra == {"scopes": ["w_member_social"]}
    # Unknown fields are data, not identity: left out of ==, hash() and the repr.
    same = postcore.Profile.from_dict({**PROFILE_JSON, "plan": None})
    assert same == profile and hash(same) == hash(profile)
    assert "plan" not in repr(profile)
    assert pickle.loads(pickle.dumps(profile)) == profile
    assert pickle.loads(pickle.dumps(profile)).to_dict() == PROFILE_JSON
    # to_dict() hands out copies: changing them changes nothing.
    profile.to_dict()["plan"]["tier"] = "free"
    assert profile.to_dict()["plan"] == {"tier": "pro"}


def test_timestamps_are_aware_utc() -> None:
    at = datetime(2030, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    post = postcore.Post("post_1", "prof_1", "bluesky", "hi", at, "pending")
    assert post.to_dict()["scheduledFor"] == "2030-01-01T10:00:00Z"
    back = postcore.Post.from_dict(post.to_dict())
    assert back.scheduled_for.tzinfo is not None and back.scheduled_for.utcoffset() == timedelta()
    assert back == post  # the same instant


def test_profile_stays_what_it_was() -> None:
    profile = postcore.Profile("prof_1", "Ann")
    assert (profile.profile_key, profile.profile_name) == ("prof_1", "Ann")
    assert profile == postcore.Profile("prof_1", profile_name="Ann")
    assert len({profile, postcore.Profile("prof_1", "Ann")}) == 1
    assert postcore.Profile("prof_1").profile_name is None
    assert pickle.loads(pickle.dumps(profile)) == profile
    with pytest.raises(AttributeError):
        profile.profile_key = "other"  # type: ignore[misc]


# -------------------------------------------------------------------------- operations


def clients() -> tuple[postcore.Postcore, postcore.AsyncPostcore]:
    # Nothing is sent: these only expose their methods.
    url = "http://127.0.0.1:9"
    return postcore.Postcore("k", base_url=url), postcore.AsyncPostcore("k", base_url=url)


def test_every_operation_has_a_method_everywhere() -> None:
    sync, async_ = clients()
    assert len(_postcore.OPERATIONS) == len(set(_postcore.OPERATIONS))
    expected: dict[str, set[str]] = {}
    for operation in _postcore.OPERATIONS:
        if operation == "events.next":
            # The step of the iterators `client.events()` returns (no raw form: not one request).
            assert isinstance(sync.events(), postcore.Events) and sync.events.__doc__
            assert isinstance(async_.events(), postcore.AsyncEvents) and async_.events.__doc__
            parameters = inspect.signature(sync.events).parameters
            assert inspect.signature(async_.events).parameters == parameters
            continue
        resource, name = operation.split(".")
        expected.setdefault(resource, set()).add(name)
        plain = getattr(getattr(sync, resource), name)
        awaitable = getattr(getattr(async_, resource), name)
        raw = getattr(getattr(sync.with_raw_response, resource), name)
        async_raw = getattr(getattr(async_.with_raw_response, resource), name)
        for method in (plain, awaitable, raw, async_raw):
            assert callable(method) and method.__doc__, operation
        # One signature, four forms (the async ones are written separately: keep them equal).
        # The async methods return a native coroutine: ``Coroutine[Any, Any, <sync result>]``.
        signature = inspect.signature(plain)
        local = operation == "profiles.linkedin_connect_url"  # no request: never awaitable
        for method in (awaitable, raw, async_raw):
            other = inspect.signature(method)
            assert other.parameters == signature.parameters, operation
            returns = str(other.return_annotation)
            if method is awaitable and not local:
                assert returns == f"Coroutine[Any, Any, {signature.return_annotation}]", operation
            elif method is raw or local:
                assert returns == str(signature.return_annotation), operation
    for client in (sync, async_):
        assert inspect.signature(client.create_profile) == inspect.signature(client.profiles.create)
        assert callable(client.with_raw_response.create_profile)
    # And nothing more: every form's resources and their methods are exactly the table's, however
    # many operations it has (no count of our own).
    for form in (sync, async_, sync.with_raw_response, async_.with_raw_response):
        resources = {
            name
            for name in dir(form)
            if isinstance(getattr(form, name), postcore._resource._Resource)
        }
        assert resources == set(expected), type(form).__name__
        for resource, names in expected.items():
            public = {n for n in dir(getattr(form, resource)) if not n.startswith("_")}
            assert public == names, (type(form).__name__, resource)


def test_public_names() -> None:
    for name in postcore.__all__:
        assert hasattr(postcore, name), name
    assert len(postcore.__all__) == len(set(postcore.__all__))
    for name in ("Postcore", "AsyncPostcore", "APIResponse", "RateLimit", "WaitTimeoutError"):
        assert name in postcore.__all__


def test_defaults_come_from_the_core() -> None:
    sync, async_ = clients()
    for client in (sync, async_):
        assert client.timeout == _postcore.DEFAULT_TIMEOUT == 60.0
        assert client.max_retries == _postcore.DEFAULT_MAX_RETRIES == 2
        assert client.max_connections == _postcore.DEFAULT_MAX_CONNECTIONS == 100
    assert inspect.signature(postcore.Postcore).parameters["timeout"].default == 60.0


# ---------------------------------------------------------------------- response types


def test_headers_are_case_insensitive() -> None:
    headers = postcore.Headers(
        [("X-RateLimit-Limit", "100"), ("Set-Cookie", "a"), ("set-cookie", "b")]
    )
    assert headers["x-ratelimit-limit"] == headers["X-RATELIMIT-LIMIT"] == "100"
    assert "X-Ratelimit-Limit" in headers and "nope" not in headers
    assert headers["Set-Cookie"] == "a, b" and headers.get_list("SET-COOKIE") == ["a", "b"]
    assert dict(headers) == {"x-ratelimit-limit": "100", "set-cookie": "a, b"}
    assert headers.get("missing") is None


def test_api_response_parses_once() -> None:
    calls: list[Any] = []

    def parse(data: Any) -> str:
        calls.append(data)
        return str(data)

    response = postcore.APIResponse(
        1, parse, status_code=200, headers=postcore.Headers(), rate_limit=None, attempts=1
    )
    assert response.parse() == "1" and response.parse() == "1" and calls == [1]
    assert "status_code=200" in repr(response)


def test_async_methods_send_nothing_until_awaited() -> None:
    _, async_ = clients()
    coroutine = async_.profiles.list()
    # A native coroutine: asyncio (create_task, gather, TaskGroup) takes it as one.
    assert asyncio.iscoroutine(coroutine)
    assert isinstance(coroutine, collections.abc.Coroutine)
    coroutine.close()  # never awaited: no request, no warning
    asyncio.run(async_.close())


def test_the_native_stub_matches_the_module() -> None:
    """``_postcore.pyi`` is written by hand: ``mypy.stubtest`` checks it against the built
    module (every name, signature and default), as pydantic-core does."""
    checked = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "postcore._postcore"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_misspelled_option_names_the_client_class() -> None:
    for cls in (postcore.Postcore, postcore.AsyncPostcore):
        with pytest.raises(TypeError, match=rf"^{cls.__name__}\.__init__\(\) got an unexpected"):
            cls(api_key="k", max_retry=3)  # type: ignore[call-arg]
        assert cls.__init__.__doc__ == postcore._base_client.BaseClient.__init__.__doc__


def test_option_names_match_the_core() -> None:
    # The core lists every option (postcore::bindings::OptionSet): one added there must be
    # accepted here too.
    def keywords(function: Any) -> list[str]:
        parameters = inspect.signature(function).parameters
        return [name for name in parameters if name not in ("self", "profile_key", "post_id")]

    assert keywords(postcore.Postcore.__init__) == _postcore.OPTIONS["client"]
    assert keywords(postcore.Postcore.with_options) == _postcore.OPTIONS["with_options"]
    request = _postcore.OPTIONS["request"]
    assert keywords(postcore.Postcore.create_profile) == [
        "profile_name",
        "idempotency_key",
        *request,
    ]
    assert keywords(postcore._resources.Posts.list) == request
    assert keywords(postcore._resources.Posts.wait) == _postcore.OPTIONS["wait"]
    assert keywords(postcore._resources.Posts.wait_many) == [
        "post_ids",
        *_postcore.OPTIONS["wait_many"],
    ]
    assert keywords(postcore.Postcore.events) == _postcore.OPTIONS["events"]
    assert keywords(postcore.AsyncPostcore.events) == _postcore.OPTIONS["events"]
    verify = inspect.signature(postcore.webhooks.verify).parameters
    assert list(verify)[3:] == _postcore.OPTIONS["verify_webhook"]


def test_the_namespace_holds_only_the_package() -> None:
    leaked = {"annotations", "TYPE_CHECKING", "Any"} & set(vars(postcore))
    assert not leaked
    assert not leaked & set(dir(postcore))
