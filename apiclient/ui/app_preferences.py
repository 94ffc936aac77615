"""The preferences the running app uses, and who is told when they change.

One holder per process (:func:`app_preferences`): the theme, the editors' font and tab
width, and the requests' connection defaults follow ``current``; the Settings dialog saves
through :meth:`AppPreferences.save`, which writes the file in a worker and then emits
``changed``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from apiclient.core.errors import StoreError
from apiclient.core.preferences import Preferences, load_preferences, save_preferences


class AppPreferences(QObject):
    """Signals: ``changed(Preferences)``: ``current`` was replaced (saved or applied)."""

    changed = Signal(object)

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self._path = path
        self.current = Preferences()
        self.problem = ""  # why the file could not be read, if it could not

    def load(self) -> str:
        """Read the file (small: a few hundred bytes, read at start-up); returns the
        problem to report, "" when it loaded or there is none yet."""
        try:
            self.current = load_preferences(self._path)
            self.problem = ""
        except StoreError as exc:
            self.current = Preferences()
            self.problem = str(exc)
        self.changed.emit(self.current)
        return self.problem

    def apply(self, preferences: Preferences) -> None:
        """Use ``preferences`` from now on without writing them (a preview, a test)."""
        self.current = preferences
        self.changed.emit(preferences)

    async def save(self, preferences: Preferences) -> None:
        """Write ``preferences`` off the GUI thread, then use them. Raises ``StoreError``
        (nothing changes then)."""
        await asyncio.to_thread(save_preferences, preferences, self._path)
        self.apply(preferences)


_holder: AppPreferences | None = None


def app_preferences() -> AppPreferences:
    """The process's holder, made (with the defaults, unread) on first use."""
    global _holder
    if _holder is None:
        _holder = AppPreferences()
    return _holder


def reset_app_preferences(path: Path | None = None) -> AppPreferences:
    """A fresh holder reading ``path`` (each window of the tests gets its own files)."""
    global _holder
    _holder = AppPreferences(path)
    return _holder
