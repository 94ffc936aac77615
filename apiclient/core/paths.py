"""Where apiclient keeps its own files, following the XDG base directory layout.

``APICLIENT_DATA_DIR`` and ``APICLIENT_CONFIG_DIR`` override everything, so tests and
portable installs can point the app at any folder without touching the user's home.
"""

from __future__ import annotations

import os
from pathlib import Path

from apiclient.core.errors import StoreError

APP_NAME = "apiclient"


def _xdg(app_var: str, xdg_var: str, fallback: str) -> Path:
    override = os.environ.get(app_var)
    if override:
        return Path(override).expanduser()
    base = os.environ.get(xdg_var)
    # The XDG spec says relative values are invalid and must be ignored.
    if base and Path(base).is_absolute():
        return Path(base) / APP_NAME
    return Path.home() / fallback / APP_NAME


def data_dir() -> Path:
    """Folder for data the app owns (history, secrets); not created here, see ``ensure_dir``."""
    return _xdg("APICLIENT_DATA_DIR", "XDG_DATA_HOME", ".local/share")


def config_dir() -> Path:
    """Folder for settings; not created here, see ``ensure_dir``."""
    return _xdg("APICLIENT_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing and return it, so callers can chain."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError.from_os_error(exc, path, "create") from exc
    return path


def resources_dir() -> Path:
    """The package's ``resources/`` folder (sample collection, .proto files, icons).

    Inside the package, so a wheel and the PyInstaller bundle carry it too."""
    return Path(__file__).resolve().parents[1] / "resources"
