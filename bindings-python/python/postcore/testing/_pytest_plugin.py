"""postcore's pytest plugin, registered through the ``pytest11`` entry point when the package
is installed: the ``postcore_mock`` fixture.

Loading it costs nothing a test run would notice and starts nothing: a server starts only for
a test that asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from . import MockServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postcore_mock(**options): MockServer options for the postcore_mock fixture "
        "(api_key, rate_limit, rate_window, posts_per_month)",
    )


@pytest.fixture
def postcore_mock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MockServer]:
    """A fresh local postcore server (:class:`postcore.testing.MockServer`) for this test.

    While the test runs, ``POSTCORE_API_KEY`` and ``POSTCORE_BASE_URL`` point at it (so code
    that builds its client from the environment, ``postcore.Postcore()`` or
    ``postcore.create_profile()``, talks to it) and ``POSTCORE_STORE`` at a rate budget of the
    test's own; it stops when the test ends. Options go in a
    marker::

        @pytest.mark.postcore_mock(rate_limit=5, posts_per_month=100)
        def test_pacing(postcore_mock: MockServer) -> None: ...
    """
    from .. import _client

    marker = request.node.get_closest_marker("postcore_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    with MockServer(**options) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        # The module-level functions' client is made once per process from the environment:
        # this test gets one for its own server.
        monkeypatch.setattr(_client, "_default_client", None)
        yield server
