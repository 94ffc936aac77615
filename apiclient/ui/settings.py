"""What the app remembers between runs: window layout, last collection, chosen environments."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from apiclient.core.paths import config_dir


class AppSettings:
    """A small typed front for an INI file in the config dir (``APICLIENT_CONFIG_DIR``)."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or config_dir() / "apiclient.ini"
        self._qt = QSettings(str(path), QSettings.Format.IniFormat)

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self._qt.value("window/geometry"), self._qt.value("window/state")

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qt.setValue("window/geometry", geometry)
        self._qt.setValue("window/state", state)

    def splitter(self, name: str) -> QByteArray | None:
        return self._qt.value(f"splitters/{name}")

    def set_splitter(self, name: str, state: QByteArray) -> None:
        self._qt.setValue(f"splitters/{name}", state)

    def last_collection(self) -> Path | None:
        value = self._qt.value("collections/last")
        return Path(value) if value else None

    def set_last_collection(self, path: Path | None) -> None:
        self._qt.setValue("collections/last", str(path) if path else "")

    def environment_for(self, collection: Path) -> str | None:
        """The environment last chosen for ``collection``; None if never chosen."""
        value = self._qt.value(f"environments/{_key(collection)}")
        return None if value is None else str(value)

    def set_environment_for(self, collection: Path, name: str) -> None:
        self._qt.setValue(f"environments/{_key(collection)}", name)

    def open_requests_for(self, collection: Path) -> list[str]:
        """The relpaths of the saved requests last open for ``collection``, in order."""
        value = self._qt.value(f"open_requests/{_key(collection)}")
        try:
            relpaths = json.loads(value) if isinstance(value, str) else []
        except ValueError:  # edited by hand: nothing to reopen, nothing to fail on
            return []
        if not isinstance(relpaths, list):
            return []
        return [relpath for relpath in relpaths if isinstance(relpath, str)]

    def set_open_requests_for(self, collection: Path, relpaths: list[str]) -> None:
        # JSON: QSettings' own lists read back a one-item list as a bare string.
        self._qt.setValue(f"open_requests/{_key(collection)}", json.dumps(relpaths))

    def palette_recent(self) -> list[str]:
        """The keys of the command palette's recently used items, most recent first."""
        value = self._qt.value("palette/recent")
        try:
            keys = json.loads(value) if isinstance(value, str) else []
        except ValueError:  # edited by hand: no recent items, nothing to fail on
            return []
        return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []

    def set_palette_recent(self, keys: list[str]) -> None:
        self._qt.setValue("palette/recent", json.dumps(keys))

    def sync(self) -> None:
        self._qt.sync()


def _key(path: Path) -> str:
    # QSettings treats "/" as a group separator; keep the whole path as one key.
    return str(path.resolve()).replace("/", "|")
