"""Replays every conformance scenario of ``tests/scenarios/`` with both clients.

The format is described in ``tests/README.md``; the files are shared with the Rust and Node
suites, so all three languages must report the same outcome.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

import pytest

import postcore

from .conftest import REPO_ROOT, MockServer

SCENARIO_DIR = REPO_ROOT / "tests" / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.json"))
Outcome = tuple[Optional[postcore.Profile], Optional[BaseException], float]


def load(path: Path) -> dict[str, Any]:
    scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return scenario


def client_kwargs(
    scenario: dict[str, Any], server: MockServer, refused_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    spec = scenario["client"]
    monkeypatch.delenv("POSTCORE_API_KEY", raising=False)
    monkeypatch.delenv("POSTCORE_BASE_URL", raising=False)
    kwargs: dict[str, Any] = {}
    key = spec.get("api_key", "valid")
    if key == "valid":
        kwargs["api_key"] = server.api_key
    elif key == "invalid":
        kwargs["api_key"] = "pc_wrong_key"
    else:
        assert key == "missing", key
    base = spec.get("base_url", "mock")
    kwargs["base_url"] = server.url if base == "mock" else refused_url
    if "timeout_ms" in spec:
        kwargs["timeout"] = spec["timeout_ms"] / 1000
    if "max_retries" in spec:
        kwargs["max_retries"] = spec["max_retries"]
    return kwargs


def call_kwargs(scenario: dict[str, Any]) -> dict[str, Any]:
    call = scenario["call"]
    assert call["method"] == "create_profile", call["method"]
    kwargs: dict[str, Any] = dict(call.get("params", {}))
    options = call.get("options") or {}
    if "timeout_ms" in options:
        kwargs["timeout"] = options["timeout_ms"] / 1000
    if "max_retries" in options:
        kwargs["max_retries"] = options["max_retries"]
    return kwargs


def run_sync(client_args: dict[str, Any], args: dict[str, Any]) -> Outcome:
    start = time.monotonic()
    try:
        with postcore.Postcore(**client_args) as client:
            profile = client.create_profile(**args)
    except postcore.PostcoreError as e:
        return None, e, time.monotonic() - start
    return profile, None, time.monotonic() - start


async def run_async(client_args: dict[str, Any], args: dict[str, Any]) -> Outcome:
    start = time.monotonic()
    try:
        async with postcore.AsyncPostcore(**client_args) as client:
            profile = await client.create_profile(**args)
    except postcore.PostcoreError as e:
        return None, e, time.monotonic() - start
    return profile, None, time.monotonic() - start


def check(
    scenario: dict[str, Any], server: MockServer, used_key: str | None, outcome: Outcome
) -> None:
    profile, error, elapsed = outcome
    expect = scenario["expect"]
    name = scenario.get("name")

    if "result" in expect:
        assert error is None, f"{name}: expected a profile, got {error!r}"
        assert profile is not None
        got = profile.to_dict()
        assert set(got) == set(expect["result"]), (got, expect["result"])
        for field, wanted in expect["result"].items():
            if isinstance(wanted, str) and wanted.endswith("*"):
                assert isinstance(got[field], str) and got[field].startswith(wanted[:-1]), got
            else:
                assert got[field] == wanted, (field, got)

    if "error" in expect:
        want = expect["error"]
        assert error is not None, f"{name}: expected {want['type']}, got {profile!r}"
        assert isinstance(error, postcore.PostcoreError)
        assert type(error).__name__ == want["type"], repr(error)
        assert getattr(postcore, want["type"]) is type(error)
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
        if "retry_after" in want:
            assert error.retry_after == pytest.approx(float(want["retry_after"])), error
        if used_key:
            assert used_key not in str(error) and used_key not in repr(error)

    requests = server.requests()
    if "server_requests" in expect:
        assert len(requests) == expect["server_requests"], requests
    if "profiles_created" in expect:
        assert len(server.profiles()) == expect["profiles_created"]
    for request in requests:
        assert request["headers"].get("user-agent") == f"postcore-python/{postcore.__version__}"
    if "request" in expect:
        want_request = expect["request"]
        first = requests[0]
        if "method" in want_request:
            assert first["method"] == want_request["method"]
        if "path" in want_request:
            assert first["path"] == want_request["path"]
        for header, value in want_request.get("headers", {}).items():
            value = value.replace("$API_KEY", used_key or "")
            assert first["headers"].get(header.lower()) == value, (header, first["headers"])
        if "json" in want_request:
            assert json.loads(first["body"]) == want_request["json"], first["body"]

    if "min_elapsed_ms" in expect:
        assert elapsed * 1000 >= expect["min_elapsed_ms"], elapsed
    if "max_elapsed_ms" in expect:
        assert elapsed * 1000 <= expect["max_elapsed_ms"], elapsed


def test_scenarios_present() -> None:
    assert SCENARIOS, f"no scenario files in {SCENARIO_DIR}"
    for path in SCENARIOS:
        assert load(path)["call"]["method"] == "create_profile", path.name


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_sync(
    path: Path, server: MockServer, refused_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load(path)
    server.faults(scenario.get("faults", []))
    client_args = client_kwargs(scenario, server, refused_url, monkeypatch)
    outcome = run_sync(client_args, call_kwargs(scenario))
    check(scenario, server, client_args.get("api_key"), outcome)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario_async(
    path: Path, server: MockServer, refused_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load(path)
    server.faults(scenario.get("faults", []))
    client_args = client_kwargs(scenario, server, refused_url, monkeypatch)
    outcome = await run_async(client_args, call_kwargs(scenario))
    check(scenario, server, client_args.get("api_key"), outcome)
