"""``apiclient run`` fills a request's "App default" settings with the built-in defaults,
never with the preferences file of whoever runs it: a CI run gives the same answer on
every machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiclient.cli_run import main
from apiclient.core.models import Check, RequestSettings, RestRequest
from apiclient.core.paths import config_dir, ensure_dir
from apiclient.core.preferences import PREFERENCES_FILE, Preferences, save_preferences
from apiclient.core.store import CollectionStore


def _collection(root: Path, rest_url: str, settings: RequestSettings) -> Path:
    store = CollectionStore.create(root, "Slow")
    request = RestRequest(
        name="Slow",
        url=f"{rest_url}/delay/1",
        settings=settings,
        checks=[Check(source="status", op="equals", expected="200")],
    )
    store.save_request(request)
    return root


def test_a_run_ignores_the_preferences_file(
    tmp_path: Path, rest_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    preferences = config_dir() / PREFERENCES_FILE  # the test's own (tests/conftest.py)
    ensure_dir(preferences.parent)
    save_preferences(Preferences(timeout_s=0.5, connect_timeout_s=0.5), preferences)
    assert json.loads(preferences.read_text(encoding="utf-8"))["timeout_s"] == 0.5

    inherits = _collection(tmp_path / "inherits", rest_url, RequestSettings())
    assert main([str(inherits), "--quiet"]) == 0  # the built-in 30 s: the 1 s delay passes
    assert "1 passed" in capsys.readouterr().out

    own = _collection(tmp_path / "own", rest_url, RequestSettings(timeout_s=0.5))
    assert main([str(own)]) == 1  # its own limit still holds
    assert "read timeout" in capsys.readouterr().out
