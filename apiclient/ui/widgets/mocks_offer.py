"""The offer, on an empty response area, to start the bundled mock servers.

Before the first response a response area shows an :class:`EmptyState`; while the
window's mock servers are stopped, its button starts them (the window's
``action.start_mocks``), so a first-time user can try a request offline in one click.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction

from apiclient.ui.widgets.empty_state import EmptyState

__all__ = ["START_MOCKS_ACTION", "MocksOffer"]

START_MOCKS_ACTION = "action.start_mocks"
_TEXT = "Start the mock servers"
_TOOLTIP = "Run the bundled mock servers on 127.0.0.1, to try requests offline"


class MocksOffer(QObject):
    """Shows ``empty``'s button while the window can start its mock servers and they are
    stopped (checked each time ``empty`` is shown, and whenever the servers' state
    changes); the button then starts them."""

    def __init__(self, empty: EmptyState) -> None:
        super().__init__(empty, objectName=f"{empty.objectName()}.mocks_offer")
        self._empty = empty
        self._watched: QObject | None = None
        empty.button_clicked.connect(self._on_empty_button_clicked)
        empty.installEventFilter(self)

    def refresh(self) -> None:
        """Show or hide the button for the servers' state now."""
        action = self._start_action()
        mocks = getattr(self._empty.window(), "mocks", None)
        self._watch(mocks)
        stopped = getattr(mocks, "state", "stopped") in ("stopped", "failed")
        self._empty.set_button(_TEXT if action is not None and stopped else "", _TOOLTIP)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._empty and event.type() == QEvent.Type.Show:
            self.refresh()
        return super().eventFilter(watched, event)

    def _start_action(self) -> QAction | None:
        window = self._empty.window()
        return window.findChild(QAction, START_MOCKS_ACTION) if window is not self._empty else None

    def _watch(self, mocks: QObject | None) -> None:
        """Follow the mock servers' state, once per offer, when it tells changes."""
        if mocks is None or mocks is self._watched:
            return
        self._watched = mocks
        changed = getattr(mocks, "state_changed", None)
        if changed is not None:
            changed.connect(self.refresh)

    def _on_empty_button_clicked(self) -> None:
        action = self._start_action()
        if action is not None:
            action.trigger()
            self._empty.set_button("")  # until the servers' state is told again
