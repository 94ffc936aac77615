"""Where apiclient keeps its own files: the platform's user folders, from platformdirs.

On Linux these are the XDG base directories (``$XDG_DATA_HOME/apiclient``, else
``~/.local/share/apiclient``; ``$XDG_CONFIG_HOME/apiclient``, else
``~/.config/apiclient``; relative XDG values are ignored, as the spec says); on macOS
``~/Library/Application Support/apiclient``; on Windows ``%LOCALAPPDATA%\\apiclient``.
``APICLIENT_DATA_DIR`` and ``APICLIENT_CONFIG_DIR`` override them, so tests and portable
installs can point the app at any folder without touching the user's home.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from apiclient.core.errors import StoreError

APP_NAME = "apiclient"


def _override(app_var: str) -> Path | None:
    value = os.environ.get(app_var)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Folder for data the app owns (history, secrets); not created here, see ``ensure_dir``."""
    # appauthor=False: no "<author>\" level on Windows, the folder is just "apiclient".
    return _override("APICLIENT_DATA_DIR") or Path(
        platformdirs.user_data_dir(APP_NAME, appauthor=False)
    )


def config_dir() -> Path:
    """Folder for settings; not created here, see ``ensure_dir``."""
    return _override("APICLIENT_CONFIG_DIR") or Path(
        platformdirs.user_config_dir(APP_NAME, appauthor=False)
    )


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
