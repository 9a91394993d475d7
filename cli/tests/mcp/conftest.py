"""Fixtures: one local server (`postcore mock`) for the session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import Mock


@pytest.fixture(scope="session")
def mock_server() -> Iterator[Mock]:
    mock = Mock()
    yield mock
    mock.stop()


@pytest.fixture
def mock(mock_server: Mock) -> Mock:
    mock_server.request("POST", "/__mock/reset")
    return mock_server
