"""The answer half of the "Batch call" page: the HTTP status, then what happened per item.

A JSON batch shows its totals on one line and one row per item (failed ones tinted);
a multipart batch shows one row per sub-response and the selected one's headers and
body. The raw answer is always there too (the REST response panel's tabs), and when it
could not be read as a batch result the reason is said above it.

The items table is a view over a small model that reads the result's items as they
are drawn: showing 10,000 items costs one model reset, not 50,000 table items.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import human_size
from apiclient.ui.theme import semantic_color, theme_notifier, themed_style
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.response_view import ResponseView, read_only_table

if TYPE_CHECKING:
    from apiclient.protocols.batch import BatchResponse
    from apiclient.protocols.batch_multipart import SubResponse
    from apiclient.protocols.batch_results import BatchItem, BatchResult

_Index = QModelIndex | QPersistentModelIndex
# A failed item's row: this background (apiclient.ui.theme), with the palette's text.
FAILED_TINT = "failed_row"
ITEM_COLUMNS = ("#", "Status", "ID", "Key", "Errors")
_ITEM_WIDTHS = (60, 90, 110, 260)  # the last column (errors) takes the rest
_PREVIEW_CHARS = 80
_DETAIL_CHARS = 200_000


def summary_text(result: BatchResult) -> str:
    """The totals as one line: ``processed 5 · created 3 · ... · failed 1``."""
    counts = (
        ("processed", result.processed),
        ("created", result.created),
        ("updated", result.updated),
        ("skipped", result.skipped),
        ("failed", result.failed),
    )
    text = " · ".join(f"{name} {count}" for name, count in counts)
    return f"{text} · dry run, nothing was stored" if result.dry_run else text


def _body_preview(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text[:_PREVIEW_CHARS] + ("…" if len(text) > _PREVIEW_CHARS else "")


def _tint(table_row: list[QTableWidgetItem]) -> None:
    tint = semantic_color(FAILED_TINT)
    for item in table_row:
        item.setBackground(tint)


class BatchItemsModel(QAbstractTableModel):
    """The per-item results, read-only; failed items tinted, their errors as tooltips.

    ``set_items`` keeps the tuple it is given and resets once, so its cost does not grow
    with the number of items; cells are worked out only for the rows on screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: tuple[BatchItem, ...] = ()

    def set_items(self, items: tuple[BatchItem, ...]) -> None:
        self.beginResetModel()
        self._items = items
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ITEM_COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(item.index + 1)
            if column == 1:
                return item.status
            if column == 2:
                return item.id or ""
            if column == 3:
                return item.key
            return "; ".join(item.errors)
        if role == Qt.ItemDataRole.ToolTipRole and column == 4 and item.errors:
            return "\n".join(item.errors)
        if role == Qt.ItemDataRole.BackgroundRole and item.failed:
            return semantic_color(FAILED_TINT)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return ITEM_COLUMNS[section]


def _items_view(model: BatchItemsModel) -> QTableView:
    """Like ``read_only_table``, but with set column widths: fitting them to the text
    would ask the model for thousands of cells at each new result."""
    view = QTableView(objectName="batch.items")
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(_ITEM_WIDTHS):
        view.setColumnWidth(column, width)
    view.setWordWrap(False)
    return view


class BatchResponseView(QWidget):
    """Shows one batch answer or one failure, with the objectNames ``batch.summary_line``,
    ``batch.items``, ``batch.subresponses``, ``batch.subresponse.detail``,
    ``batch.result_error`` and the REST panel's under ``batch.response``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parts: tuple[SubResponse, ...] = ()
        self.http = ResponseView("batch.response")
        self.summary_line = QLabel(objectName="batch.summary_line")
        self.summary_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_error = QLabel(objectName="batch.result_error", wordWrap=True)
        themed_style(self.result_error, "color: $error")
        self.result_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items_model = BatchItemsModel(self)
        self.items = _items_view(self.items_model)
        self.subresponses = read_only_table(
            "batch.subresponses", ["#", "Content-ID", "Status", "Reason", "Body"]
        )
        self.detail = CodeEditor("batch.subresponse.detail", read_only=True)
        self.detail.setPlaceholderText("Select a sub-response to see its headers and body.")
        parts_page = QSplitter(Qt.Orientation.Horizontal, objectName="batch.subresponses.split")
        parts_page.addWidget(self.subresponses)
        parts_page.addWidget(self.detail)
        parts_page.setSizes([600, 400])
        self.preview = CodeEditor("batch.preview.body", read_only=True)
        self.preview.setPlaceholderText("Press “Preview body” to see what Send would send.")

        tabs = self.http.tabs
        tabs.setTabText(tabs.indexOf(self.http.body), "Raw body")
        tabs.insertTab(0, self.items, "Items")
        tabs.insertTab(1, parts_page, "Sub-responses")
        tabs.addTab(self.preview, "Request preview")
        self._parts_page = parts_page
        layout = self.http.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.summary_line)
        layout.insertWidget(2, self.result_error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.http)

        self.subresponses.itemSelectionChanged.connect(self._on_subresponses_selection_changed)
        theme_notifier().changed.connect(self._on_theme_changed)
        self.show_idle()

    @property
    def status(self) -> QLabel:
        return self.http.status

    # -- states --------------------------------------------------------------------------

    def show_idle(self) -> None:
        self.http.show_idle()
        self._clear()
        self.summary_line.setText("The per-item results appear here after Send.")

    def show_sending(self, method: str, url: str, items: str) -> None:
        self.http.show_sending(method, url)
        self._clear()
        self.summary_line.setText(f"Sending {items} …")

    def show_cancelled(self) -> None:
        self.http.show_cancelled()

    def show_error(self, title: str, message: str) -> None:
        self.http.show_error(title, message)
        self._clear()

    def show_preview(self, content_type: str, text: str, count: int) -> None:
        """The body Send would send, in the "Request preview" page."""
        self.preview.set_language("json" if content_type.endswith("json") else "text")
        self.preview.set_text(text)
        noun = "items" if content_type.endswith("json") else "parts"
        self.http.tabs.setCurrentWidget(self.preview)
        self.preview.setToolTip(f"{content_type} · {count} {noun} · {human_size(len(text))}")

    async def show_response(self, answer: BatchResponse) -> None:
        self._clear()
        await self.http.show_response(answer.response)
        tabs = self.http.tabs
        if answer.result is not None:
            self._show_result(answer.result)
            tabs.setTabVisible(tabs.indexOf(self.items), True)
            tabs.setCurrentWidget(self.items)
        elif answer.parts:
            self._show_parts(answer.parts, answer.sent_items)
            tabs.setTabVisible(tabs.indexOf(self._parts_page), True)
            tabs.setCurrentWidget(self._parts_page)
        else:
            self.summary_line.setText(f"{answer.sent_items} sent; no per-item results.")
            tabs.setCurrentWidget(self.http.body)
        if answer.result_error:
            self.result_error.setText(
                f"<b>Not a batch result.</b> {escape(answer.result_error)}"
                " The raw answer is shown below."
            )
            self.result_error.setVisible(True)

    # -- internals -----------------------------------------------------------------------

    def _clear(self) -> None:
        self._parts = ()
        self.summary_line.clear()
        self.result_error.clear()
        self.result_error.setVisible(False)
        self.items_model.set_items(())
        self.subresponses.setRowCount(0)
        self.detail.set_text("")
        tabs = self.http.tabs
        tabs.setTabVisible(tabs.indexOf(self.items), False)
        tabs.setTabVisible(tabs.indexOf(self._parts_page), False)

    def _show_result(self, result: BatchResult) -> None:
        self.summary_line.setText(summary_text(result))
        self.items_model.set_items(result.items)

    def _show_parts(self, parts: tuple[SubResponse, ...], sent: int) -> None:
        self._parts = parts
        ok = sum(200 <= part.status < 300 for part in parts)
        self.summary_line.setText(
            f"{sent} parts sent · {len(parts)} answered · {ok} succeeded (2xx)"
            f" · {len(parts) - ok} other"
        )
        self.subresponses.setRowCount(len(parts))
        for r, part in enumerate(parts):
            cells = [
                QTableWidgetItem(str(r + 1)),
                QTableWidgetItem(part.content_id),
                QTableWidgetItem(str(part.status)),
                QTableWidgetItem(part.reason),
                QTableWidgetItem(_body_preview(part.body)),
            ]
            if part.status >= 400:
                _tint(cells)
            for c, cell in enumerate(cells):
                self.subresponses.setItem(r, c, cell)
        self.subresponses.selectRow(0)

    def _on_theme_changed(self) -> None:
        """Tint the failed sub-responses in the new theme's shade (their items hold it)."""
        table = self.subresponses
        for r, part in enumerate(self._parts[: table.rowCount()]):
            if part.status >= 400:
                _tint([table.item(r, c) for c in range(table.columnCount())])

    def _on_subresponses_selection_changed(self) -> None:
        row = self.subresponses.currentRow()
        if not 0 <= row < len(self._parts):
            return
        part = self._parts[row]
        head = "\n".join(f"{name}: {value}" for name, value in part.headers)
        body = part.body.decode("utf-8", "replace")
        if len(body) > _DETAIL_CHARS:
            body = body[:_DETAIL_CHARS] + f"\n… ({human_size(len(part.body))} in all)"
        self.detail.set_text(f"HTTP {part.status} {part.reason}\n{head}\n\n{body}")
