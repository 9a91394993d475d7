"""Replays every conformance scenario of ``tests/scenarios/`` through both clients.

The format is described in ``tests/README.md``; the files are shared with the Rust and Node
suites, so every language must report the same outcome. This runner is generic: it knows the
format, not the endpoints (an operation ``"posts.create"`` is ``client.posts.create``), so a new
scenario file needs no change here. A file or case it cannot read fails
``test_scenario_files_are_valid`` rather than being skipped.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

import pytest

import postcore

from .conftest import REPO_ROOT, MockServer

SCENARIO_DIR = REPO_ROOT / "tests" / "scenarios"
NOW = re.compile(r"^\$NOW(?:([+-])(\d+))?$")

SCENARIO_KEYS = {
    "name",
    "description",
    "seed",
    "advance",
    "faults",
    "client",
    "call",
    "expect",
    "then",
}
CLIENT_KEYS = {"api_key", "base_url", "timeout_ms", "max_retries", "max_rate_limit_wait_ms"}
STEP_KEYS = {"call", "expect"}
STEP_EXPECT_KEYS = {
    "result",
    "same_result_as",
    "error",
    "server_requests",
    "min_elapsed_ms",
    "max_elapsed_ms",
}
CALL_KEYS = {"method", "params", "options"}
OPTION_KEYS = {"timeout_ms", "max_retries", "headers"}
EXPECT_KEYS = {
    "result",
    "result_contains",
    "result_exact",
    "response",
    "error",
    "server_requests",
    "profiles_created",
    "posts_stored",
    "request",
    "min_elapsed_ms",
    "max_elapsed_ms",
}
ERROR_KEYS = {
    "type",
    "status",
    "code",
    "message_contains",
    "body_contains",
    "body_json",
    "retry_after",
    "retry_after_range",
    "missing_platforms",
    "platform",
    "next_available",
    "may_have_been_processed",
    "post_status",
    "attempts",
    "rate_limit",
}
RESPONSE_KEYS = {"status", "attempts", "rate_limit", "headers"}
RATE_LIMIT_KEYS = {"limit", "remaining", "reset"}
REQUEST_KEYS = {"method", "path", "headers", "json"}
# The two argument kinds are the language's own exceptions (tests/README.md).
BUILTIN_ERRORS: dict[str, type[Exception]] = {
    "InvalidArgumentError": ValueError,
    "InvalidArgumentTypeError": TypeError,
}


# --------------------------------------------------------------------------- loading


def deep_merge(template: Any, case: Any) -> Any:
    """Objects merge key by key; anything else in the case replaces the template's value."""
    if isinstance(template, dict) and isinstance(case, dict):
        merged = dict(template)
        for key, value in case.items():
            merged[key] = deep_merge(template[key], value) if key in template else value
        return merged
    return copy.deepcopy(case)


def check_shape(scenario: dict[str, Any]) -> None:
    """Unknown keys are mistakes (a typo would silently check nothing)."""
    _known("scenario", scenario, SCENARIO_KEYS)
    assert isinstance(scenario.get("name"), str), "every scenario needs a name"
    _known("client", scenario.get("client", {}), CLIENT_KEYS)
    call = scenario["call"]
    _known("call", call, CALL_KEYS)
    _known("call.options", call.get("options") or {}, OPTION_KEYS)
    expect = scenario["expect"]
    _known("expect", expect, EXPECT_KEYS)
    _known("expect.error", expect.get("error", {}), ERROR_KEYS)
    _known("expect.response", expect.get("response", {}), RESPONSE_KEYS)
    for where in ("response", "error"):
        rate_limit = expect.get(where, {}).get("rate_limit") or {}
        _known(f"expect.{where}.rate_limit", rate_limit, RATE_LIMIT_KEYS)
    _known("expect.request", expect.get("request", {}), REQUEST_KEYS)
    for i, step in enumerate(scenario.get("then", [])):
        _known(f"then[{i}]", step, STEP_KEYS)
        _known(f"then[{i}].call", step["call"], {"method", "params"})
        _known(f"then[{i}].expect", step["expect"], STEP_EXPECT_KEYS)
        _known(f"then[{i}].expect.error", step["expect"].get("error", {}), ERROR_KEYS)


def _known(where: str, value: dict[str, Any], keys: set[str]) -> None:
    unknown = set(value) - keys
    assert not unknown, f"{where}: unknown keys {sorted(unknown)} (see tests/README.md)"


def load_all() -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every scenario as ``(id, scenario)``, and what could not be read."""
    cases: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if "family" in data:
                scenarios = [deep_merge(data["template"], case) for case in data["cases"]]
            else:
                scenarios = [data]
            for i, scenario in enumerate(scenarios):
                name = scenario.get("name", f"#{i}")
                cases.append((f"{path.stem}::{name}", scenario))
                try:
                    check_shape(scenario)
                except (AssertionError, KeyError, TypeError) as e:
                    problems.append(f"{path.name} {name}: {e}")
        except (KeyError, TypeError, ValueError) as e:
            problems.append(f"{path.name}: {e!r}")
    return cases, problems


CASES, PROBLEMS = load_all()
IDS = [case_id for case_id, _ in CASES]


def test_scenario_files_are_valid() -> None:
    assert CASES, f"no scenario in {SCENARIO_DIR}"
    assert not PROBLEMS, "\n".join(PROBLEMS)
    # Every case still runs (pytest tells same-named ones apart), but a report naming the
    # scenario would be ambiguous: say so, loudly, without failing the suite over a name.
    duplicates = sorted({case_id for case_id in IDS if IDS.count(case_id) > 1})
    if duplicates:
        warnings.warn(f"scenarios with the same name: {duplicates}", stacklevel=1)


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    """One scenario, set up on the server and ready to call."""

    scenario: dict[str, Any]
    client_args: dict[str, Any]
    method: str
    params: dict[str, Any]
    options: dict[str, Any]
    now: datetime | None

    @property
    def raw(self) -> bool:
        """Whether the expectations need the response's metadata (``with_raw_response``)."""
        return "response" in self.scenario["expect"]

    @property
    def api_key(self) -> str | None:
        key: str | None = self.client_args.get("api_key")
        return key


@dataclass
class Outcome:
    result: Any
    error: BaseException | None
    elapsed: float
    response: postcore.APIResponse[Any] | None = None
    #: The outcomes of the scenario's ``then`` steps, made with the same client.
    steps: list[Outcome] = field(default_factory=list)
    #: The requests the server had seen when the call ended (the main one: before the steps).
    requests: list[dict[str, Any]] | None = None
    #: How many profiles and posts the server stored then, when the expectations ask.
    stored: dict[str, int] = field(default_factory=dict)


def substitute(value: Any, now: Callable[[], datetime], as_text: bool) -> Any:
    """``$NOW+n`` strings as the server's clock plus n seconds: an aware ``datetime`` in
    params, the ISO text the SDK sends (whole seconds, ``Z``) in expectations."""
    if isinstance(value, dict):
        return {k: substitute(v, now, as_text) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, now, as_text) for v in value]
    if isinstance(value, str):
        match = NOW.match(value)
        if match:
            sign, seconds = match.groups()
            offset = int(seconds or 0) * (-1 if sign == "-" else 1)
            at = now() + timedelta(seconds=offset)
            return at.strftime("%Y-%m-%dT%H:%M:%SZ") if as_text else at
    return value


def set_up(
    scenario: dict[str, Any], server: MockServer, refused_url: str, mp: pytest.MonkeyPatch
) -> Run:
    """Step 1 and 2 of tests/README.md: server state, then the client's arguments."""
    server.reset()
    if "seed" in scenario:
        server.seed(scenario["seed"])
    if "advance" in scenario:
        server.advance(scenario["advance"])
    server.faults(scenario.get("faults", []))

    spec = scenario.get("client", {})
    mp.delenv("POSTCORE_API_KEY", raising=False)
    mp.delenv("POSTCORE_BASE_URL", raising=False)
    client_args: dict[str, Any] = {}
    key = spec.get("api_key", "valid")
    assert key in ("valid", "invalid", "missing"), key
    if key != "missing":
        client_args["api_key"] = server.api_key if key == "valid" else "pc_wrong_key"
    base = spec.get("base_url", "mock")
    assert base in ("mock", "refused"), base
    client_args["base_url"] = server.url if base == "mock" else refused_url
    if "timeout_ms" in spec:
        client_args["timeout"] = spec["timeout_ms"] / 1000
    if "max_retries" in spec:
        client_args["max_retries"] = spec["max_retries"]
    if "max_rate_limit_wait_ms" in spec:
        client_args["max_rate_limit_wait"] = spec["max_rate_limit_wait_ms"] / 1000
    # A store of its own, so that no scenario's rate budget carries over to the next.
    client_args["store"] = f"memory://scenario-{secrets.token_hex(8)}"

    # The server's clock, read once right after any advance when $NOW is used.
    call = scenario["call"]
    uses_now = "$NOW" in json.dumps([call.get("params"), scenario["expect"], scenario.get("then")])
    clock = server.clock() if uses_now else None

    def now() -> datetime:
        assert clock is not None
        return clock

    params = substitute(call.get("params") or {}, now, as_text=False)
    # Per-call options by their Python names: seconds, and `extra_headers`.
    given = call.get("options") or {}
    options: dict[str, Any] = {}
    if "timeout_ms" in given:
        options["timeout"] = given["timeout_ms"] / 1000
    if "max_retries" in given:
        options["max_retries"] = given["max_retries"]
    if "headers" in given:
        options["extra_headers"] = given["headers"]
    return Run(scenario, client_args, call["method"], params, options, clock)


def target(client: postcore.Postcore | postcore.AsyncPostcore, run: Run) -> Callable[..., Any]:
    """The method ``run.method`` names, with the per-call options bound."""
    options = dict(run.options)
    if run.method == "posts.wait" and "timeout" in options:
        # wait's own `timeout` is the whole wait: the per-request one goes through with_options.
        client = client.with_options(timeout=options.pop("timeout"))
    view: Any = client.with_raw_response if run.raw else client
    if run.method == "events.next":
        # One step of a new iterator (so an event not acknowledged comes again).
        if isinstance(client, postcore.Postcore):
            return lambda: next(client.events(**run.params))
        return lambda: client.events(**run.params).__anext__()
    if run.method == "create_profile":
        method: Callable[..., Any] = view.create_profile
    else:
        resource, name = run.method.split(".")
        method = getattr(getattr(view, resource), name)
    return lambda: method(**run.params, **options)


def outcome(result: Any, elapsed: float) -> Outcome:
    """A successful call's outcome: the result as the API's JSON, and the metadata if raw."""
    if isinstance(result, postcore.APIResponse):
        return Outcome(as_json(result.parse()), None, elapsed, result)
    return Outcome(as_json(result), None, elapsed)


def as_json(result: Any) -> Any:
    """A result as the API's JSON, for matching."""
    if isinstance(result, list):
        return [as_json(item) for item in result]
    if hasattr(result, "to_dict"):
        return result.to_dict()
    return result


def steps(run: Run) -> list[Run]:
    """The scenario's ``then`` steps, as runs of their own (same client arguments)."""
    now = run.now
    return [
        Run(
            {"expect": step["expect"]},
            run.client_args,
            step["call"]["method"],
            substitute(step["call"].get("params") or {}, lambda: now or datetime.now(), False),
            {},
            now,
        )
        for step in run.scenario.get("then", [])
    ]


def seen(outcome: Outcome, server: MockServer, expect: dict[str, Any]) -> Outcome:
    """What the server had seen (and stored, when ``expect`` asks) right after a call: checked
    as it was then, not after the steps that follow."""
    outcome.requests = server.requests()
    if "profiles_created" in expect:
        outcome.stored["profiles"] = len(server.profiles())
    if "posts_stored" in expect:
        outcome.stored["posts"] = len(server.posts())
    return outcome


def run_sync(run: Run, server: MockServer) -> Outcome:
    start = time.monotonic()
    try:
        with postcore.Postcore(**run.client_args) as client:
            call = target(client, run)
            start = time.monotonic()
            try:
                result = call()
            except Exception as e:  # the expectations say which
                first = Outcome(None, e, time.monotonic() - start)
            else:
                first = outcome(result, time.monotonic() - start)
            seen(first, server, run.scenario["expect"])
            for step in steps(run):
                first.steps.append(seen(run_sync_step(client, step), server, {}))
            return first
    except Exception as e:  # the client could not be built
        return Outcome(None, e, time.monotonic() - start)


def run_sync_step(client: postcore.Postcore, step: Run) -> Outcome:
    call = target(client, step)
    start = time.monotonic()
    try:
        result = call()
    except Exception as e:  # the expectations say which
        return Outcome(None, e, time.monotonic() - start)
    return outcome(result, time.monotonic() - start)


async def run_async(run: Run, server: MockServer) -> Outcome:
    start = time.monotonic()
    try:
        async with postcore.AsyncPostcore(**run.client_args) as client:
            first = await run_async_step(client, run)
            seen(first, server, run.scenario["expect"])
            for step in steps(run):
                first.steps.append(seen(await run_async_step(client, step), server, {}))
            return first
    except Exception as e:  # the client could not be built
        return Outcome(None, e, time.monotonic() - start)


async def run_async_step(client: postcore.AsyncPostcore, step: Run) -> Outcome:
    call = target(client, step)
    start = time.monotonic()
    try:
        result = call()
        if step.method != "profiles.linkedin_connect_url":  # a plain method on both
            result = await result
    except Exception as e:  # the expectations say which
        return Outcome(None, e, time.monotonic() - start)
    return outcome(result, time.monotonic() - start)


# --------------------------------------------------------------------------- checking


def mismatches(got: Any, want: Any, path: str = "result", exact: bool = False) -> Iterator[str]:
    """Partial matching (tests/README.md): objects by the keys given (``exact``: and no
    others), arrays item by item, ``"prefix*"`` strings by prefix, anything else by
    equality."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            yield f"{path}: expected an object, got {got!r}"
            return
        for key, value in want.items():
            if key not in got:
                yield f"{path}.{key}: missing (got keys {sorted(got)})"
            else:
                yield from mismatches(got[key], value, f"{path}.{key}", exact)
        if exact:
            for key in got.keys() - want.keys():
                yield f"{path}.{key}: not expected (got {got!r})"
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            yield f"{path}: expected {len(want)} items, got {got!r}"
            return
        for i, (g, w) in enumerate(zip(got, want)):
            yield from mismatches(g, w, f"{path}[{i}]", exact)
    elif isinstance(want, str) and want.endswith("*"):
        if not (isinstance(got, str) and got.startswith(want[:-1])):
            yield f"{path}: expected a string starting with {want[:-1]!r}, got {got!r}"
    elif got != want or isinstance(got, bool) != isinstance(want, bool):
        yield f"{path}: expected {want!r}, got {got!r}"


def check_error(want: dict[str, Any], error: BaseException | None, outcome: Outcome) -> None:
    kind = want["type"]
    assert error is not None, f"expected {kind}, got the result {outcome.result!r}"
    if kind in BUILTIN_ERRORS:
        assert isinstance(error, BUILTIN_ERRORS[kind]), repr(error)
        assert not isinstance(error, postcore.PostcoreError), repr(error)
        if "message_contains" in want:
            assert want["message_contains"] in str(error), str(error)
        return
    assert type(error).__name__ == kind, f"expected {kind}, got {error!r}"
    assert getattr(postcore, kind) is type(error)
    assert isinstance(error, postcore.PostcoreError)
    if "status" in want:
        assert error.status_code == want["status"], repr(error)
    if "code" in want:
        assert error.code == want["code"], repr(error)
    if "message_contains" in want:
        assert want["message_contains"] in error.message, error.message
        assert want["message_contains"] in str(error), str(error)
    if "body_contains" in want:
        assert error.body_text is not None and want["body_contains"] in error.body_text
    if "body_json" in want:
        assert isinstance(error.body, dict), error.body
        for key, value in want["body_json"].items():
            assert error.body.get(key) == value, (key, error.body)
    if "retry_after_range" in want:
        low, high = want["retry_after_range"]
        assert error.retry_after is not None and low <= error.retry_after <= high, repr(error)
    if "retry_after" in want:
        if want["retry_after"] is None:
            assert error.retry_after is None, repr(error)
        else:
            assert error.retry_after == pytest.approx(float(want["retry_after"])), repr(error)
    if "missing_platforms" in want:
        assert error.missing_platforms == want["missing_platforms"], error.missing_platforms
    if "platform" in want:
        assert error.platform == want["platform"], error.platform
    if "next_available" in want:
        assert (error.next_available is not None) == want["next_available"], error
        if error.next_available is not None:
            assert error.next_available.tzinfo is not None
    if "may_have_been_processed" in want:
        assert error.may_have_been_processed is want["may_have_been_processed"], repr(error)
    if "post_status" in want:
        assert error.post is not None and error.post.status == want["post_status"], error.post
    if "attempts" in want:
        assert error.attempts == want["attempts"], repr(error)
    if "rate_limit" in want:
        check_rate_limit(want["rate_limit"], error.rate_limit)


def check_rate_limit(want: dict[str, Any] | None, got: postcore.RateLimit | None) -> None:
    """``null``: no headers; else the values given (``reset``: ``true`` = present, or Unix
    seconds)."""
    if want is None:
        assert got is None, got
        return
    assert got is not None, "expected rate-limit values, got none"
    for key in ("limit", "remaining"):
        if key in want:
            assert getattr(got, key) == want[key], (key, got)
    if "reset" in want:
        if isinstance(want["reset"], bool):
            assert (got.reset is not None) == want["reset"], got
        else:
            assert got.reset is not None and got.reset.timestamp() == want["reset"], got
        if got.reset is not None:
            assert got.reset.tzinfo is not None


def check_response(want: dict[str, Any], response: postcore.APIResponse[Any] | None) -> None:
    assert response is not None
    if "status" in want:
        assert response.status_code == want["status"], response
    if "attempts" in want:
        assert response.attempts == want["attempts"], response
    if "rate_limit" in want:
        check_rate_limit(want["rate_limit"], response.rate_limit)
    for name, value in (want.get("headers") or {}).items():
        assert response.headers.get(name) == value, (name, response.headers)


def check(run: Run, server: MockServer, outcome: Outcome) -> None:
    """Step 4 of tests/README.md."""
    expect = run.scenario["expect"]
    error = outcome.error

    def now() -> datetime:
        assert run.now is not None
        return run.now

    if "result" in expect:
        assert error is None, f"expected a result, got {error!r}"
        want = substitute(expect["result"], now, as_text=True)
        problems = list(mismatches(outcome.result, want, exact=expect.get("result_exact", False)))
        assert not problems, "\n".join(problems)
    if "result_contains" in expect:
        assert error is None, f"expected a result, got {error!r}"
        assert isinstance(outcome.result, str), outcome.result
        for part in expect["result_contains"]:
            assert part in outcome.result, (part, outcome.result)
    if "response" in expect:
        assert error is None, f"expected a response, got {error!r}"
        check_response(expect["response"], outcome.response)
    if "error" in expect:
        check_error(expect["error"], error, outcome)
    elif error is not None:
        raise AssertionError(f"unexpected {error!r}")

    # Secrets never show, whatever happened.
    secrets = [s for s in (run.api_key, run.params.get("app_password")) if isinstance(s, str)]
    if error is not None:
        for secret in secrets:
            assert secret not in str(error) and secret not in repr(error)

    requests = outcome.requests if outcome.requests is not None else server.requests()
    kind = expect.get("error", {}).get("type")
    if kind in BUILTIN_ERRORS:
        assert requests == [], "argument errors must be raised before any request"
    if "server_requests" in expect:
        assert len(requests) == expect["server_requests"], [
            (r["method"], r["path"], r["status"]) for r in requests
        ]
    if "profiles_created" in expect:
        stored = outcome.stored.get("profiles", len(server.profiles()))
        assert stored == expect["profiles_created"]
    if "posts_stored" in expect:
        stored = outcome.stored.get("posts", len(server.posts()))
        assert stored == expect["posts_stored"]
    for request in requests:
        assert request["headers"].get("user-agent", "").startswith("postcore-python/"), request
    if "request" in expect:
        assert requests, "expected a request, the server saw none"
        want_request = expect["request"]
        first = requests[0]
        if "method" in want_request:
            assert first["method"] == want_request["method"]
        if "path" in want_request:
            assert first["path"] == want_request["path"]
        for header, value in want_request.get("headers", {}).items():
            value = value.replace("$API_KEY", run.api_key or "")
            assert first["headers"].get(header.lower()) == value, (header, first["headers"])
        if "json" in want_request:
            sent = json.loads(first["body"])
            assert sent == substitute(want_request["json"], now, as_text=True), sent

    if "min_elapsed_ms" in expect:
        assert outcome.elapsed * 1000 >= expect["min_elapsed_ms"], outcome.elapsed
    if "max_elapsed_ms" in expect:
        assert outcome.elapsed * 1000 <= expect["max_elapsed_ms"], outcome.elapsed

    step_runs = steps(run)
    assert len(outcome.steps) == len(step_runs), outcome.steps
    for i, (step, got) in enumerate(zip(step_runs, outcome.steps)):
        check_step(i, step, server, got, [outcome, *outcome.steps[:i]])


def check_step(
    i: int, step: Run, server: MockServer, outcome: Outcome, earlier: list[Outcome]
) -> None:
    """A ``then`` step: its result or error (or the same result as an ``earlier`` call: the
    main one, then the steps before it), the requests the server saw in all, its time."""
    expect = step.scenario["expect"]
    where = f"then[{i}]"
    if "same_result_as" in expect:
        assert outcome.error is None, f"{where}: expected a result, got {outcome.error!r}"
        k = expect["same_result_as"]
        assert isinstance(k, int) and 0 <= k < len(earlier), f"{where}: same_result_as {k!r}"
        other = earlier[k]
        assert other.error is None, f"{where}: call {k} had no result"
        assert outcome.result == other.result, (where, outcome.result, other.result)
    if "result" in expect:
        assert outcome.error is None, f"{where}: expected a result, got {outcome.error!r}"
        want = substitute(expect["result"], lambda: step.now or datetime.now(), as_text=True)
        problems = list(mismatches(outcome.result, want))
        assert not problems, where + ": " + "\n".join(problems)
    if "error" in expect:
        check_error(expect["error"], outcome.error, outcome)
    elif outcome.error is not None:
        raise AssertionError(f"{where}: unexpected {outcome.error!r}")
    if "server_requests" in expect:
        requests = outcome.requests if outcome.requests is not None else server.requests()
        assert len(requests) == expect["server_requests"], (where, [r["path"] for r in requests])
    if "min_elapsed_ms" in expect:
        assert outcome.elapsed * 1000 >= expect["min_elapsed_ms"], (where, outcome.elapsed)
    if "max_elapsed_ms" in expect:
        assert outcome.elapsed * 1000 <= expect["max_elapsed_ms"], (where, outcome.elapsed)


@pytest.mark.parametrize(("case_id", "scenario"), CASES, ids=IDS)
def test_scenario_sync(
    case_id: str,
    scenario: dict[str, Any],
    server: MockServer,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_shape(scenario)
    run = set_up(scenario, server, refused_url, monkeypatch)
    check(run, server, run_sync(run, server))


@pytest.mark.parametrize(("case_id", "scenario"), CASES, ids=IDS)
async def test_scenario_async(
    case_id: str,
    scenario: dict[str, Any],
    server: MockServer,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_shape(scenario)
    run = set_up(scenario, server, refused_url, monkeypatch)
    check(run, server, await run_async(run, server))


def test_every_operation_has_scenarios() -> None:
    """Each operation is exercised by the shared scenarios (reported, so gaps are seen)."""
    covered = {scenario["call"]["method"] for _, scenario in CASES}
    covered |= {"profiles.create"} if "create_profile" in covered else set()
    missing = [op for op in postcore._postcore.OPERATIONS if op not in covered]
    assert not missing, f"operations without a scenario in tests/scenarios/: {missing}"
