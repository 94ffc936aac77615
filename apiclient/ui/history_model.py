"""The history list: entries newest first under a label per day, drawn two lines a row.

The model holds only summaries (no request bodies), at most one page of them, so the
list stays light however large the history file grows.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from apiclient.core.history import HistorySummary
from apiclient.ui.method_style import badge_color as method_color
from apiclient.ui.theme import http_status_tone, is_dark, semantic_color

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

_HTTP_STATUS = re.compile(r"(\d{3})\b")
_KIND_LABELS = {"batch": "BATCH", "graphql": "GQL"}
_ROW_PAD = 4
_Index = QModelIndex | QPersistentModelIndex


def status_tone(summary: HistorySummary) -> str:
    """The semantic colour of an entry's status: success, info for redirects, warning
    for client-side trouble (4xx, a gRPC status, GraphQL errors), error for server
    errors, faults and failed sends."""
    status = summary.status
    if summary.error or status == "Fault":
        return "error"
    match = _HTTP_STATUS.match(status)
    if match:
        code = int(match.group(1))
        return "warning" if code < 400 and "error" in status else http_status_tone(code)
    return "success" if status == "OK" else "warning"


def badge_text(summary: HistorySummary) -> str:
    """The kind and method as one short badge: "GET", "GQL POST", "SOAP", "gRPC"."""
    prefix = _KIND_LABELS.get(summary.kind)
    return f"{prefix} {summary.method}" if prefix else summary.method


def local_time(sent_at: str) -> datetime:
    """``sent_at`` (UTC ISO) in the computer's time zone."""
    return datetime.fromisoformat(sent_at).astimezone()


def day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return day.strftime("%A %d %B %Y")


class HistoryModel(QAbstractListModel):
    """Rows are a day label (a ``str``) or an entry (``ENTRY_ROLE`` gives its summary)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[HistorySummary] = []
        self._rows: list[str | HistorySummary] = []

    @property
    def entries(self) -> list[HistorySummary]:
        return list(self._entries)

    def set_entries(self, entries: list[HistorySummary]) -> None:
        self._entries = list(entries)
        self._rebuild()

    def prepend(self, summary: HistorySummary) -> None:
        self._entries.insert(0, summary)
        self._rebuild()

    def remove(self, entry_id: int) -> None:
        self._entries = [entry for entry in self._entries if entry.id != entry_id]
        self._rebuild()

    def row_of(self, entry_id: int) -> int:
        """The row showing entry ``entry_id``, or -1."""
        for row, item in enumerate(self._rows):
            if isinstance(item, HistorySummary) and item.id == entry_id:
                return row
        return -1

    def _rebuild(self) -> None:
        self.beginResetModel()
        today = datetime.now().astimezone().date()
        rows: list[str | HistorySummary] = []
        last_day: date | None = None
        for entry in self._entries:
            day = local_time(entry.sent_at).date()
            if day != last_day:
                rows.append(day_label(day, today))
                last_day = day
            rows.append(entry)
        self._rows = rows
        self.endResetModel()

    # -- QAbstractListModel ----------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if isinstance(self._rows[index.row()], str):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if isinstance(item, str):
            return item if role == Qt.ItemDataRole.DisplayRole else None
        if role == ENTRY_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{badge_text(item)} {item.name} {item.url} {item.status}"
        if role == Qt.ItemDataRole.ToolTipRole:
            when = local_time(item.sent_at).strftime("%Y-%m-%d %H:%M:%S")
            tip = f"{item.method} {item.url}\n{when} · {item.status}"
            return f"{tip}\n{item.error}" if item.error else tip
        return None


class HistoryDelegate(QStyledItemDelegate):
    """Draws an entry as two lines (badge, name, status / time, URL, duration) and a day
    label as a small bold heading."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        entry = index.data(ENTRY_ROLE)
        lines = 2 if entry is not None else 1
        return QSize(200, lines * height + (3 if entry is not None else 2) * _ROW_PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        entry = index.data(ENTRY_ROLE)
        painter.save()
        try:
            if entry is None:
                self._paint_day(painter, option, str(index.data()))
            else:
                self._paint_entry(painter, option, entry)
        finally:
            painter.restore()

    def _paint_day(self, painter: QPainter, option: QStyleOptionViewItem, text: str) -> None:
        palette = option.palette
        painter.fillRect(option.rect, palette.color(QPalette.ColorRole.AlternateBase))
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        rect = option.rect.adjusted(6, 0, -6, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    def _paint_entry(
        self, painter: QPainter, option: QStyleOptionViewItem, entry: HistorySummary
    ) -> None:
        widget: QWidget | None = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        rect = option.rect.adjusted(6, _ROW_PAD, -6, -_ROW_PAD)
        top = QRect(rect.left(), rect.top(), rect.width(), line)
        bottom = QRect(rect.left(), rect.top() + line + _ROW_PAD, rect.width(), line)
        middle = Qt.AlignmentFlag.AlignVCenter

        # Line 1: badge, name ... status
        bold = QFont(option.font)
        bold.setBold(True)
        badge = badge_text(entry)
        bold_metrics = QFontMetrics(bold)
        badge_width = bold_metrics.horizontalAdvance(badge) + 8
        painter.setFont(bold)
        badge_color = method_color(entry.method, is_dark(option.palette))
        painter.setPen(text_color if selected else badge_color)
        painter.drawText(top.adjusted(0, 0, 0, 0), middle | Qt.AlignmentFlag.AlignLeft, badge)
        status = entry.status
        # A few pixels of slack: eliding to the exact advance may cut the last letter.
        status_width = min(bold_metrics.horizontalAdvance(status) + 4, rect.width() * 11 // 20)
        status = bold_metrics.elidedText(status, Qt.TextElideMode.ElideRight, status_width)
        painter.setPen(text_color if selected else semantic_color(status_tone(entry)))
        painter.drawText(top, middle | Qt.AlignmentFlag.AlignRight, status)
        painter.setFont(option.font)
        painter.setPen(text_color)
        name_rect = top.adjusted(badge_width, 0, -(status_width + 8), 0)
        name = metrics.elidedText(entry.name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, middle | Qt.AlignmentFlag.AlignLeft, name)

        # Line 2: time, URL ... duration
        painter.setPen(dim)
        when = local_time(entry.sent_at).strftime("%H:%M:%S")
        elapsed = "" if entry.elapsed_ms is None else f"{entry.elapsed_ms:,.0f} ms"
        elapsed_width = metrics.horizontalAdvance(elapsed)
        painter.drawText(bottom, middle | Qt.AlignmentFlag.AlignRight, elapsed)
        left = f"{when}  {entry.url}"
        left_rect = bottom.adjusted(0, 0, -(elapsed_width + 8), 0)
        left = metrics.elidedText(left, Qt.TextElideMode.ElideMiddle, left_rect.width())
        painter.drawText(left_rect, middle | Qt.AlignmentFlag.AlignLeft, left)
