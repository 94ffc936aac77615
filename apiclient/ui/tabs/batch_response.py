"""The answer half of the "Batch call" page: the HTTP status, then what happened per item.

A JSON batch shows its totals on one line and one row per item (failed ones tinted);
a multipart batch shows one row per sub-response and the selected one's headers and
body. The raw answer is always there too (the REST response panel's tabs), and when it
could not be read as a batch result the reason is said above it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QTableWidgetItem, QVBoxLayout, QWidget

from apiclient.core.formatting import human_size
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.response_view import ResponseView, read_only_table

if TYPE_CHECKING:
    from apiclient.protocols.batch import BatchResponse
    from apiclient.protocols.batch_multipart import SubResponse
    from apiclient.protocols.batch_results import BatchResult

FAILED_TINT = QColor("#fde0dc")
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
    for item in table_row:
        item.setBackground(FAILED_TINT)
        item.setForeground(QColor("#5d0f07"))


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
        self.result_error.setStyleSheet("color: #c62828")
        self.result_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items = read_only_table("batch.items", ["#", "Status", "ID", "Key", "Errors"])
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
        self.items.setRowCount(0)
        self.subresponses.setRowCount(0)
        self.detail.set_text("")
        tabs = self.http.tabs
        tabs.setTabVisible(tabs.indexOf(self.items), False)
        tabs.setTabVisible(tabs.indexOf(self._parts_page), False)

    def _show_result(self, result: BatchResult) -> None:
        self.summary_line.setText(summary_text(result))
        self.items.setRowCount(len(result.items))
        for r, item in enumerate(result.items):
            cells = [
                QTableWidgetItem(str(item.index + 1)),
                QTableWidgetItem(item.status),
                QTableWidgetItem(item.id or ""),
                QTableWidgetItem(item.key),
                QTableWidgetItem("; ".join(item.errors)),
            ]
            cells[4].setToolTip("\n".join(item.errors))
            if item.failed:
                _tint(cells)
            for c, cell in enumerate(cells):
                self.items.setItem(r, c, cell)

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
