"""The app's preferences: the requests' connection defaults, the history's size, the look.

Kept in ``preferences.json`` in the config folder (``core.paths.config_dir``: the
platform's user config folder from platformdirs, or ``APICLIENT_CONFIG_DIR``), written
atomically. A file that does not load is reported (``StoreError`` with its path and
reason) and left untouched; the app then runs on the defaults.

They are read while the window's frame is built, before the collection models load, so
this module uses a dataclass and JSON rather than pydantic and YAML (each would add
tens of milliseconds to start-up).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from apiclient.core.atomic import atomic_write_text
from apiclient.core.connection_defaults import ConnectionDefaults
from apiclient.core.errors import StoreError
from apiclient.core.paths import config_dir, ensure_dir

Theme = Literal["system", "light", "dark"]
THEMES: tuple[str, ...] = get_args(Theme)
PROXY_MODES: tuple[str, ...] = ("system", "none", "custom")  # models.ProxyMode but "default"
PREFERENCES_FILE = "preferences.json"
FORMAT_VERSION = 1
"""Written as ``"version"`` in the file, for a later format to migrate from; a newer
file still loads (its unknown keys are ignored)."""
PROXY_SCHEMES: tuple[str, ...] = ("http://", "https://", "socks5://", "socks5h://")

# Per numeric field: (lowest, highest) allowed.
_RANGES: dict[str, tuple[float, float]] = {
    "font_size": (0, 48),
    "tab_width": (1, 16),
    "history_size": (10, 1_000_000),
    "timeout_s": (0.1, 86_400),
    "connect_timeout_s": (0.1, 86_400),
}
_CHOICES: dict[str, tuple[str, ...]] = {"theme": THEMES, "proxy": PROXY_MODES}


@dataclass(frozen=True)
class Preferences:
    """Every field has a default, so an older or partial file still loads.

    ``font_size`` 0 keeps the system's size (points otherwise); ``tab_width`` is in
    spaces, for the code editors; ``history_size`` is how many sent requests the
    history keeps. The connection fields (timeouts, TLS verification, proxy) are what
    every request whose Settings tab says "App default" uses (``connection_defaults``).
    """

    theme: Theme = "system"
    font_size: int = 0
    tab_width: int = 4
    history_size: int = 5000
    timeout_s: float = 30.0
    connect_timeout_s: float = 30.0
    verify_tls: bool = True
    proxy: str = "system"
    proxy_url: str = ""
    no_proxy: str = ""

    def __post_init__(self) -> None:
        for field in fields(self):
            kind = type(getattr(Preferences, field.name))
            value = getattr(self, field.name)
            if kind is float and type(value) is int:
                value = float(value)
                object.__setattr__(self, field.name, value)
            _check(field.name, value, kind)

    def updated(self, **changes: Any) -> Preferences:
        """A copy with ``changes``; raises ``ValueError`` naming a bad value."""
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preferences:
        """From a saved mapping; unknown keys (a newer app's) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def connection_defaults(self) -> ConnectionDefaults:
        """What a request's "App default" settings stand for under these preferences."""
        return ConnectionDefaults(
            **{field.name: getattr(self, field.name) for field in fields(ConnectionDefaults)}
        )


def proxy_url_problem(url: str) -> str:
    """What is wrong with a custom proxy's URL on its face (none, or an unknown scheme),
    in a sentence; ``""`` when nothing is or it is a ``{{variable}}``. Shared by a
    request's Settings tab and the Settings dialog."""
    if not url:
        return "Custom proxy: type the proxy's URL, e.g. http://proxy.local:3128."
    if "{{" in url or url.lower().startswith(PROXY_SCHEMES):
        return ""
    return (
        f"Custom proxy: '{url}' has no known scheme; start it with http://, https:// "
        "or socks5:// (e.g. socks5://127.0.0.1:1080)."
    )


def proxy_problem(proxy: str, proxy_url: str) -> str:
    """What is wrong with a default custom proxy, in a sentence; ``""`` when nothing is
    (or when the URL is a ``{{variable}}``, checked once a request resolves it).

    Not checked by :class:`Preferences` itself, so a file with a half-typed proxy still
    loads; the Settings dialog refuses to save one."""
    if proxy != "custom":
        return ""
    url = proxy_url.strip()
    problem = proxy_url_problem(url)
    if problem or "{{" in url:
        return problem
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port raises ValueError for "x:abc"
    except ValueError as exc:
        return f"Custom proxy: '{url}' is not a usable URL ({exc})."
    if not host:
        return f"Custom proxy: '{url}' names no host; e.g. http://proxy.local:3128."
    if parts.password:
        return (
            "Custom proxy: leave the password out of the URL (the preferences file is plain"
            " text); give the user and password in each request's Settings tab."
        )
    return ""


def _check(name: str, value: object, kind: type) -> None:
    if type(value) is not kind:
        raise ValueError(f"{name}: expected {kind.__name__}, found {value!r}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValueError(f"{name}: expected one of {', '.join(_CHOICES[name])}, found {value!r}")
    if name in _RANGES:
        low, high = _RANGES[name]
        if not low <= value <= high:  # type: ignore[operator]
            raise ValueError(f"{name}: expected {low:g} to {high:g}, found {value!r}")


_KEPT = "the defaults are used and the file is left as it is"


def preferences_path() -> Path:
    return config_dir() / PREFERENCES_FILE


def load_preferences(path: Path | None = None) -> Preferences:
    """The saved preferences; the defaults when there is no file yet. Raises
    ``StoreError`` naming the file when it cannot be read or holds bad values."""
    path = path or preferences_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:
        raise StoreError.from_os_error(exc, path, "read", keep=_KEPT) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected an object of settings, found {type(data).__name__}")
        return Preferences.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"The preferences in {path} could not be read ({exc}); {_KEPT}. Correct the"
            " file, or choose File > Settings… and Save to replace it.",
            path,
        ) from exc


def save_preferences(preferences: Preferences, path: Path | None = None) -> None:
    """Write ``preferences`` atomically; raises ``StoreError`` with the path and reason."""
    path = path or preferences_path()
    ensure_dir(path.parent)
    document = {"version": FORMAT_VERSION, **preferences.to_dict()}
    text = json.dumps(document, indent=2, sort_keys=True)
    atomic_write_text(path, text + "\n")
