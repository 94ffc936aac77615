"""The app's preferences file: round trip, tolerance of newer files, clear refusals."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from apiclient.core.errors import StoreError
from apiclient.core.paths import config_dir, data_dir
from apiclient.core.preferences import (
    Preferences,
    load_preferences,
    preferences_path,
    proxy_problem,
    save_preferences,
)

CHANGED = Preferences(
    theme="dark",
    font_size=13,
    tab_width=2,
    history_size=250,
    timeout_s=12.5,
    connect_timeout_s=3.25,
    verify_tls=False,
    proxy="custom",
    proxy_url="socks5://127.0.0.1:1080",
    no_proxy="localhost, .internal",
)


def test_no_file_gives_the_defaults() -> None:
    assert load_preferences() == Preferences()


def test_round_trip_in_the_config_folder() -> None:
    save_preferences(CHANGED)
    assert preferences_path() == config_dir() / "preferences.json"
    assert load_preferences() == CHANGED
    saved = json.loads(preferences_path().read_text(encoding="utf-8"))
    assert saved["version"] == 1 and saved["theme"] == "dark"


def test_unknown_keys_and_whole_seconds_load(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    path.write_text(json.dumps({"theme": "light", "timeout_s": 5, "from_a_newer_app": [1]}))
    loaded = load_preferences(path)
    assert loaded == Preferences(theme="light", timeout_s=5.0)
    assert type(loaded.timeout_s) is float


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("theme", "blue"),
        ("proxy", "sometimes"),
        ("font_size", 49),
        ("font_size", 12.5),
        ("tab_width", 0),
        ("history_size", 5),
        ("timeout_s", 0),
        ("connect_timeout_s", "30"),
        ("verify_tls", "yes"),
        ("proxy_url", 8080),
        ("no_proxy", None),
        ("history_size", True),
    ],
)
def test_each_bad_value_is_named_and_the_file_left_alone(
    tmp_path: Path, field: str, value: object
) -> None:
    path = tmp_path / "prefs.json"
    text = json.dumps({field: value})
    path.write_text(text)
    with pytest.raises(StoreError) as caught:
        load_preferences(path)
    message = str(caught.value)
    assert field in message and repr(value) in message
    assert str(path) in message and "defaults are used" in message
    assert path.read_text() == text
    with pytest.raises(ValueError, match=field):
        Preferences().updated(**{field: value})


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\udcff"])
def test_a_broken_file_is_reported_with_its_path_and_left_untouched(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "prefs.json"
    data = text.encode("utf-8", "surrogateescape")
    path.write_bytes(data)
    with pytest.raises(StoreError, match="could not be read") as caught:
        load_preferences(path)
    assert caught.value.path == path and str(path) in str(caught.value)
    assert "File > Settings" in str(caught.value)  # what to try
    assert path.read_bytes() == data


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    path.mkdir()  # a folder where the file should be
    with pytest.raises(StoreError, match="defaults are used") as caught:
        load_preferences(path)
    assert caught.value.path == path


def test_save_where_the_folder_cannot_be_made_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError) as caught:
        save_preferences(CHANGED, blocker / "config" / "preferences.json")
    assert str(blocker / "config") in str(caught.value)


def test_the_folders_follow_the_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APICLIENT_CONFIG_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("APICLIENT_DATA_DIR", "~/portable-data")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert preferences_path() == tmp_path / "elsewhere" / "preferences.json"
    assert data_dir() == tmp_path / "home" / "portable-data"
    save_preferences(CHANGED)
    assert (tmp_path / "elsewhere" / "preferences.json").is_file()


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_linux_keeps_the_xdg_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs gives the same folders the app used before it (XDG base dirs)."""
    for name in ("APICLIENT_CONFIG_DIR", "APICLIENT_DATA_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert config_dir() == tmp_path / "xdg-config" / "apiclient"
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "apiclient"


@pytest.mark.parametrize(
    ("proxy", "url", "problem"),
    [
        ("system", "not a url", ""),
        ("none", "", ""),
        ("custom", "", "type the proxy's URL"),
        ("custom", "proxy.local:3128", "no known scheme"),
        ("custom", "ftp://proxy.local", "no known scheme"),
        ("custom", "http://", "names no host"),
        ("custom", "http://proxy.local:port", "not a usable URL"),
        ("custom", "http://me:secret@proxy.local:3128", "leave the password out"),
        ("custom", "http://proxy.local:3128", ""),
        ("custom", " https://proxy.local ", ""),
        ("custom", "SOCKS5://127.0.0.1:1080", ""),
        ("custom", "{{PROXY}}", ""),
    ],
)
def test_proxy_problem(proxy: str, url: str, problem: str) -> None:
    found = proxy_problem(proxy, url)
    assert (problem in found) if problem else found == ""


def test_the_connection_defaults_are_the_preferences_connection_fields() -> None:
    defaults = CHANGED.connection_defaults()
    assert (defaults.timeout_s, defaults.connect_timeout_s) == (12.5, 3.25)
    assert defaults.verify_tls is False and defaults.proxy == "custom"
    assert defaults.proxy_url == CHANGED.proxy_url and defaults.no_proxy == CHANGED.no_proxy
