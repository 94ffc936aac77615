"""Window shortcuts that a text field would otherwise take as an editing key.

On Linux and macOS Qt's text fields claim Ctrl+K for themselves (delete to the end of
the line, as in Emacs and the shells): with the focus in the URL field, the palette's
Ctrl+K would delete the rest of the URL instead of opening the palette. Qt lets the
focused widget keep a key before any shortcut sees it (a ``ShortcutOverride`` event it
accepts); the guard answers that event first, for the keys of the actions it guards,
so the window's shortcut wins.

It watches the focused widget only (moving with the focus), not every event of the
application, so it costs nothing while the focus stays put.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid


class ShortcutGuard(QObject):
    """Keeps the shortcuts of ``actions`` for ``window`` while any of its widgets has
    the focus."""

    def __init__(self, window: QWidget, actions: Sequence[QAction]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = list(actions)
        self._watched: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    def _on_app_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None and isValid(self._watched):  # it may be gone since
            self._watched.removeEventFilter(self)
        self._watched = None
        if new is not None and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        pressed = QKeySequence(event.keyCombination())
        for action in self._actions:
            if action.isEnabled() and pressed in action.shortcuts():
                event.ignore()  # not the widget's: the shortcut map gets the key
                return True
        return False
