"""The search box of a text view: type, Enter for next, Shift+Enter for previous.

The bar only asks; its owner searches (in a worker when the text is long) and reports
back with :meth:`FindBar.show_result`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

# What ``find_requested`` asks for: from where the current match starts (the term was
# edited, so the match may grow in place), the next match, or the previous one.
HERE, NEXT, PREVIOUS = 0, 1, -1


class FindBar(QWidget):
    """Signals: ``find_requested(str, int)``: find this term, HERE, NEXT or PREVIOUS."""

    find_requested = Signal(str, int)

    def __init__(self, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.query = QLineEdit(objectName=object_name, placeholderText="Search in body")
        self.query.setClearButtonEnabled(True)
        self.result = QLabel(objectName=f"{object_name}.result")
        previous = QToolButton(
            text="▲", objectName=f"{object_name}.previous", toolTip="Previous match (Shift+Enter)"
        )
        previous.setAccessibleName("Previous match")
        following = QToolButton(
            text="▼", objectName=f"{object_name}.next", toolTip="Next match (Enter)"
        )
        following.setAccessibleName("Next match")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.result)
        self.query.textChanged.connect(self._on_query_changed)
        self.query.returnPressed.connect(self.find_next)
        previous.clicked.connect(self.find_previous)
        following.clicked.connect(self.find_next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shift:
            self.find_previous()
            return
        super().keyPressEvent(event)

    def find_next(self) -> None:
        self._request(NEXT)

    def find_previous(self) -> None:
        self._request(PREVIOUS)

    def show_result(self, text: str) -> None:
        """``""`` after a match, else e.g. ``"No match"`` or ``"Searching…"``."""
        self.result.setText(text)

    def _on_query_changed(self, _text: str) -> None:
        self._request(HERE)

    def _request(self, where: int) -> None:
        needle = self.query.text()
        if not needle:
            self.result.clear()
            return
        self.find_requested.emit(needle, where)
