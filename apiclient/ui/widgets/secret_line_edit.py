"""A line edit for a password, token or signing secret: masked until its eye is clicked.

The eye is a checkable action inside the field, named ``<field objectName>.reveal`` like
the environment editor's ``environment.reveal`` box, so it is found the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QLineEdit, QWidget

from apiclient.core.variables import VARIABLE_PATTERN

_ICON_SIZE = 32  # drawn large and scaled down, so it stays sharp on high-DPI screens


def is_reference_only(text: str) -> bool:
    """Whether ``text`` is nothing but ``{{variable}}`` references (and spaces).

    Such a value is not a secret itself: it names where the secret lives, so the field
    shows it in clear and the person can see which variable is used.
    """
    return bool(VARIABLE_PATTERN.search(text)) and not VARIABLE_PATTERN.sub("", text).strip()


def _eye_icon(color: QColor, *, crossed: bool) -> QIcon:
    pixmap = QPixmap(_ICON_SIZE, _ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(color, 2.5))
    outline = QPainterPath(QPointF(3, 16))
    outline.quadTo(16, 2, 29, 16)
    outline.quadTo(16, 30, 3, 16)
    painter.drawPath(outline)
    painter.setBrush(color)
    painter.drawEllipse(QRectF(12, 12, 8, 8))
    if crossed:
        painter.drawLine(QPointF(6, 27), QPointF(26, 5))
    painter.end()
    return QIcon(pixmap)


class SecretLineEdit(QLineEdit):
    """A ``QLineEdit`` in Password echo mode with an eye that shows the value while checked.

    Qt copies, cuts and drags nothing out of a Password-mode field, so a masked value
    cannot reach the clipboard. A value made only of ``{{variable}}`` references is shown
    in clear whatever the eye says (see :func:`is_reference_only`).
    """

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName=object_name)
        self._draw_icons()
        self.reveal = QAction(self, objectName=f"{object_name}.reveal", checkable=True)
        self.addAction(self.reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.reveal.toggled.connect(self._update_echo)
        self.textChanged.connect(self._update_echo)
        self._update_echo()

    def is_masked(self) -> bool:
        """Whether the value is drawn as dots rather than in clear."""
        return self.echoMode() != QLineEdit.EchoMode.Normal

    def set_secret(self, text: str) -> None:
        """Show a newly loaded value, masked again: a reveal was for the value the person
        chose to look at, not for the next request's."""
        self.reveal.setChecked(False)
        self.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        """Redraw the eye in the new text colour when the palette changes (dark mode)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_icons()
            self._update_echo()

    def _draw_icons(self) -> None:
        color = self.palette().text().color()
        self._show_icon = _eye_icon(color, crossed=False)
        self._hide_icon = _eye_icon(color, crossed=True)

    def _update_echo(self) -> None:
        revealed = self.reveal.isChecked()
        clear = revealed or is_reference_only(self.text())
        mode = QLineEdit.EchoMode.Normal if clear else QLineEdit.EchoMode.Password
        if self.echoMode() != mode:
            self.setEchoMode(mode)
        self.reveal.setIcon(self._hide_icon if revealed else self._show_icon)
        self.reveal.setText("Hide" if revealed else "Show")
        self.reveal.setToolTip(
            "Hide the value behind ●●●●" if revealed else "Show the value instead of ●●●●"
        )
