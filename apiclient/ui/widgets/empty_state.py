"""What an area shows while it has nothing to show: a title, one line saying what to do
next and, when there is a one-click way to do it, a button.

Colours come from the palette (the hint uses the placeholder colour), so the widget
follows a theme switch without any code here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["EmptyState"]

# The title stands out from the hint by size, relative to the user's font so it scales.
_TITLE_SCALE = 1.35


class EmptyState(QWidget):
    """Signals: ``button_clicked()``: the person pressed the button.

    Children are named after the widget: ``<name>.title``, ``<name>.hint`` and
    ``<name>.button``. The button stays hidden until :meth:`set_button` gives it a text;
    :meth:`add_button` puts more buttons next to it (e.g. "Open…" and "New…").
    """

    button_clicked = Signal()

    def __init__(
        self,
        object_name: str,
        title: str,
        hint: str,
        button_text: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent, objectName=object_name)
        self.title = QLabel(title, objectName=f"{object_name}.title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * _TITLE_SCALE)
        self.title.setFont(font)
        self.hint = QLabel(hint, objectName=f"{object_name}.hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.button = QPushButton(objectName=f"{object_name}.button")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.button_clicked)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addSpacing(self.fontMetrics().height() // 2)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addWidget(self.button)
        self._buttons.addStretch(1)
        layout.addLayout(self._buttons)
        layout.addStretch(1)
        self.setAccessibleName(title)
        self.setAccessibleDescription(hint)
        self.set_button(button_text)

    def set_text(self, title: str, hint: str) -> None:
        """Change what the area says (for example after a failed start)."""
        self.title.setText(title)
        self.hint.setText(hint)
        self.setAccessibleName(title)
        self.setAccessibleDescription(hint)

    def add_button(self, text: str, object_name: str, tooltip: str = "") -> QPushButton:
        """Another button, after the ones there; the caller connects its ``clicked``."""
        button = QPushButton(text, objectName=object_name, toolTip=tooltip)
        button.setAutoDefault(False)
        button.setAccessibleName(text)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button

    def set_button(self, text: str, tooltip: str = "") -> None:
        """Show the button with ``text``, or hide it when ``text`` is empty."""
        self.button.setText(text)
        self.button.setToolTip(tooltip)
        self.button.setAccessibleName(text)
        self.button.setVisible(bool(text))
