"""How long a run's requests took, as bars of a histogram with p50/p95/p99 markers.

Drawn with QPainter from the runner's ``LatencyBin`` tuples: no chart library, and a
repaint costs a few dozen rectangles whatever the number of requests.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from apiclient.protocols.runner_model import LatencyBin
from apiclient.ui.theme import semantic_color, series_color

EMPTY_TEXT = "Run a folder to see how long its requests take"
_BAR_SERIES = 2  # blue (apiclient.ui.theme.series_color)
# Each percentile's marker and its semantic colour; colours are read as it paints, so a
# switch of theme repaints them right.
_MARKERS = (("p50", "success"), ("p95", "warning"), ("p99", "error"))
_LEFT, _RIGHT = 48, 16


def _ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f} s"
    if value >= 1000:
        return f"{value / 1000:.1f} s"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


class LatencyHistogram(QWidget):
    """Bars of ``LatencyBin`` counts over time in ms; empty, it says what it is for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch.histogram")
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._bins: tuple[LatencyBin, ...] = ()
        self._percentiles: tuple[float | None, float | None, float | None] = (None, None, None)

    def set_bins(
        self,
        bins: Sequence[LatencyBin],
        p50: float | None = None,
        p95: float | None = None,
        p99: float | None = None,
    ) -> None:
        self._bins = tuple(bins)
        self._percentiles = (p50, p95, p99)
        self.update()

    def bins(self) -> tuple[LatencyBin, ...]:
        return self._bins

    def clear(self) -> None:
        self.set_bins(())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().windowText().color()
        painter.setPen(text_color)
        if not self._bins or not any(b.count for b in self._bins):
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            return
        metrics = painter.fontMetrics()
        line = metrics.height()
        # From the top: a row of percentile labels, then room for the tallest bar's count.
        top, bottom = 2 * line + 8, 2 * line + 12
        plot = QRectF(_LEFT, top, self.width() - _LEFT - _RIGHT, self.height() - top - bottom)
        low = self._bins[0].low_ms
        high = self._bins[-1].high_ms
        span = (high - low) or 1.0
        tallest = max(b.count for b in self._bins)

        def x_of(ms: float) -> float:
            return plot.left() + plot.width() * (ms - low) / span

        # Axes: counts up the left, milliseconds along the bottom.
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for value, y in ((tallest, plot.top()), (0, plot.bottom())):
            painter.drawText(
                QRectF(0, y - line / 2, _LEFT - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{value:,}",
            )
        ticks = 5 if plot.width() > 300 else 3
        for tick in range(ticks + 1):
            ms = low + span * tick / ticks
            x = x_of(ms)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            label = _ms(ms)
            width = metrics.horizontalAdvance(label) + 4
            left = min(max(x - width / 2, 0), self.width() - width)
            painter.drawText(
                QRectF(left, plot.bottom() + 5, width, line), Qt.AlignmentFlag.AlignCenter, label
            )
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 6 + line, plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            "time (ms); bar height: requests",
        )

        # Bars, each with its count above it when there is room for the number.
        bar_color = series_color(_BAR_SERIES)
        for each in self._bins:
            if not each.count:
                continue
            left, right = x_of(each.low_ms), x_of(each.high_ms)
            height = plot.height() * each.count / tallest
            bar = QRectF(left + 1, plot.bottom() - height, max(1.0, right - left - 2), height)
            painter.fillRect(bar, bar_color)
            count = f"{each.count:,}"
            if metrics.horizontalAdvance(count) <= right - left:
                painter.drawText(
                    QRectF(left, bar.top() - line - 1, right - left, line),
                    Qt.AlignmentFlag.AlignCenter,
                    count,
                )

        # Percentile markers, labelled along the top so their labels never hit the bars.
        # Equal percentiles (few requests) share one line and one label, "p95 = p99 133",
        # drawn in the highest one's colour, so neither hides the other.
        markers: list[tuple[list[str], QColor, float]] = []
        for (name, tone), value in zip(_MARKERS, self._percentiles, strict=True):
            color = semantic_color(tone)
            if value is None:
                continue
            if markers and markers[-1][2] == value:
                markers[-1] = ([*markers[-1][0], name], color, value)
            else:
                markers.append(([name], color, value))
        label_right = plot.left()
        for names, color, value in markers:
            x = x_of(min(max(value, low), high))
            painter.setPen(QPen(color, 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            label = f"{' = '.join(names)} {_ms(value)}"
            width = metrics.horizontalAdvance(label) + 6
            left = min(max(x - width / 2, label_right), self.width() - width)
            painter.setPen(color)
            painter.drawText(
                QRectF(left, 2, width, line),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
            label_right = left + width
