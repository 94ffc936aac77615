"""Shared by every test: headless Qt, private data dirs, one mock host per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sample_copy import copy_sample

from mock_servers.host import MockHost

# The fault servers' fixtures (tests/faults/fixtures.py), for any test that names one.
pytest_plugins = ["faults.fixtures"]


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write a real user's settings, data or secrets."""
    monkeypatch.setenv("APICLIENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APICLIENT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("APICLIENT_SECRETS", "file")  # never a developer's own keyring


@pytest.fixture(scope="session", autouse=True)
def worker_process_stops() -> Iterator[None]:
    """The app's worker process, if a test started one, ends with the session rather
    than at interpreter exit, where concurrent.futures' own clean-up fails noisily."""
    yield
    workers = sys.modules.get("apiclient.ui.workers")
    if workers is not None:
        workers.shutdown_workers()


@pytest.fixture(scope="session")
def mock_urls() -> Iterator[dict[str, str]]:
    """Every mock server, started once on ephemeral ports of 127.0.0.1."""
    host = MockHost(ephemeral=True)
    urls = host.start(timeout=15.0)
    try:
        yield urls
    finally:
        host.stop()


@pytest.fixture
def sample(tmp_path: Path, mock_urls: dict[str, str]) -> Path:
    """A copy of the sample collection whose environment points at this session's mocks."""
    return copy_sample(tmp_path / "sample", mock_urls)


@pytest.fixture(scope="session")
def rest_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["rest"]


@pytest.fixture(scope="session")
def websocket_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["websocket"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/ui need a Qt application: mark them ``gui``."""
    for item in items:
        if "tests/ui/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)
