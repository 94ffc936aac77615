"""A waterfall of where the time of one request went: connect, TLS, wait, download."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from apiclient.core.formatting import human_duration
from apiclient.ui.theme import series_color

_ROW = 26
_LABEL_WIDTH = 190
_VALUE_WIDTH = 80


class TimingChart(QWidget):
    """Draws ``(phase, seconds or None)`` rows as bars laid end to end, each phase in a
    colour of the theme in use (read as it paints, so a switch repaints it right)."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._phases: list[tuple[str, float | None]] = []
        self._note = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_phases(self, phases: list[tuple[str, float | None]], note: str = "") -> None:
        self._phases = phases
        self._note = note
        self.setMinimumHeight(_ROW * (len(phases) + 2))
        self.update()

    def phases(self) -> list[tuple[str, float | None]]:
        return list(self._phases)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().windowText().color()
        total = sum(s for _, s in self._phases if s) or 1.0
        bar_width = max(40, self.width() - _LABEL_WIDTH - _VALUE_WIDTH - 24)
        start = 0.0
        for row, (name, seconds) in enumerate(self._phases):
            y = 8 + row * _ROW
            painter.setPen(text_color)
            painter.drawText(
                QRectF(8, y, _LABEL_WIDTH, _ROW - 6), Qt.AlignmentFlag.AlignVCenter, name
            )
            value = "—" if seconds is None else human_duration(seconds)
            painter.drawText(
                QRectF(_LABEL_WIDTH + bar_width + 16, y, _VALUE_WIDTH, _ROW - 6),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                value,
            )
            if seconds:
                x = _LABEL_WIDTH + 8 + bar_width * start / total
                width = max(2.0, bar_width * seconds / total)
                painter.fillRect(QRectF(x, y + 4, width, _ROW - 14), series_color(row))
                start += seconds
        if self._note:
            painter.setPen(text_color)
            y = 8 + len(self._phases) * _ROW
            painter.drawText(
                QRectF(8, y, self.width() - 16, _ROW), Qt.AlignmentFlag.AlignVCenter, self._note
            )
