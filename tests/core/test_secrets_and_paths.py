"""The secret store and the app's folders."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import apiclient
from apiclient.core.errors import StoreError
from apiclient.core.paths import config_dir, data_dir, ensure_dir, resources_dir
from apiclient.core.secrets import SecretStore


def test_secret_store_get_set_delete(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "s" / "secrets.json")
    assert store.get("k", "a") is None
    store.set("k", "a", "1")
    store.set("k", "b", "2")
    assert store.get("k", "a") == "1" and store.scope("k") == {"a": "1", "b": "2"}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.delete("k", "a")
    assert store.get("k", "a") is None
    store.move_scopes("k", "n")
    assert store.scope("n") == {"b": "2"} and store.scope("k") == {}
    store.move_scopes("n", "c", copy=True)
    assert store.scope("n") == store.scope("c") == {"b": "2"}
    store.delete_scopes("n")
    assert store.scope("n") == {}


def test_prefix_moves_only_touch_whole_path_parts(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.set("r::a/x.yaml", "v", "1")
    store.set("r::ab/x.yaml", "v", "2")
    store.move_scopes("r::a", "r::z")
    assert store.scope("r::z/x.yaml") == {"v": "1"} and store.scope("r::ab/x.yaml") == {"v": "2"}


def test_unchanged_set_does_not_write(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.set("k", "a", "1")
    before = store.path.stat().st_mtime_ns
    store.set("k", "a", "1")
    store.replace_scope("k", {"a": "1"})
    assert store.path.stat().st_mtime_ns == before


def test_damaged_secret_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{not json")
    store = SecretStore(path)
    with pytest.raises(StoreError, match="damaged"):
        store.set("k", "a", "1")
    assert path.read_text() == "{not json"


def test_default_secret_file_is_in_the_data_dir(tmp_path: Path) -> None:
    assert SecretStore().path == tmp_path / "data" / "secrets.json"


def test_dirs_follow_overrides_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_dir() == tmp_path / "data"
    assert config_dir() == tmp_path / "config"
    monkeypatch.delenv("APICLIENT_DATA_DIR")
    monkeypatch.delenv("APICLIENT_CONFIG_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "xdg-data" / "apiclient"
    assert config_dir() == tmp_path / "home" / ".config" / "apiclient"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "apiclient"


def test_ensure_dir_creates_on_demand(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert ensure_dir(target) == target and target.is_dir()
    assert ensure_dir(target) == target


def test_resources_dir_is_inside_the_package() -> None:
    """Inside ``apiclient/``, so the wheel and the PyInstaller bundle carry it."""
    assert resources_dir().parent == Path(apiclient.__file__).resolve().parent
    assert (resources_dir() / "sample-collection" / "collection.yaml").is_file()
    assert (resources_dir() / "proto" / "tracks" / "v1" / "tracks.proto").is_file()
