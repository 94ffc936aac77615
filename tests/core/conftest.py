"""Fresh data and config folders for every core test, so no test touches a real home."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APICLIENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APICLIENT_CONFIG_DIR", str(tmp_path / "config"))
