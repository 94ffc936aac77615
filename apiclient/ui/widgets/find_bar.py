"""Search inside a text view: type, Enter for next, Shift+Enter for previous."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget


class FindBar(QWidget):
    def __init__(self, view: QPlainTextEdit, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = view
        self.query = QLineEdit(objectName=object_name, placeholderText="Search in body")
        self.query.setClearButtonEnabled(True)
        self.result = QLabel(objectName=f"{object_name}.result")
        previous = QToolButton(text="▲", toolTip="Previous match (Shift+Enter)")
        following = QToolButton(text="▼", toolTip="Next match (Enter)")
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

    def keyPressEvent(self, event) -> None:
        shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shift:
            self.find_previous()
            return
        super().keyPressEvent(event)

    def find_next(self) -> bool:
        return self._find(QTextDocument.FindFlag(0))

    def find_previous(self) -> bool:
        return self._find(QTextDocument.FindFlag.FindBackward)

    def _on_query_changed(self, _text: str) -> None:
        cursor = self._view.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._view.setTextCursor(cursor)
        self.find_next()

    def _find(self, flags: QTextDocument.FindFlag) -> bool:
        needle = self.query.text()
        if not needle:
            self.result.clear()
            return False
        found = self._view.find(needle, flags)
        if not found:
            cursor = self._view.textCursor()
            backward = bool(flags & QTextDocument.FindFlag.FindBackward)
            cursor.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            self._view.setTextCursor(cursor)
            found = self._view.find(needle, flags)
        self.result.setText("" if found else "No match")
        return found
