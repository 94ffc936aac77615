"""The sub-requests of a multipart/mixed batch: a list of parts and the selected one's
headers and body.

Headers are typed as ``Name: value`` lines (as they appear on the wire), so a part reads
like the HTTP request it becomes; the table shows a one-line summary of each part.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import BatchPart, KeyValue
from apiclient.ui.widgets.code_editor import CodeEditor

PART_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ENABLED, _METHOD, _PATH, _HEADERS, _BODY = range(5)
_SUMMARY_CHARS = 60


def headers_text(headers: list[KeyValue]) -> str:
    """Headers as ``Name: value`` lines; a disabled one is a ``#`` comment line."""
    return "\n".join(f"{'' if row.enabled else '# '}{row.name}: {row.value}" for row in headers)


def parse_headers_text(text: str) -> list[KeyValue]:
    """``Name: value`` lines back into rows; ``#`` lines are disabled headers, a line
    without a colon is a header with an empty value (so nothing typed is dropped)."""
    rows: list[KeyValue] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        enabled = not line.lstrip().startswith("#")
        line = line.lstrip().removeprefix("#").strip() if not enabled else line
        name, _, value = line.partition(":")
        rows.append(KeyValue(name=name.strip(), value=value.strip(), enabled=enabled))
    return rows


def _summary(text: str) -> str:
    """One line for the table: the text with its whitespace squeezed, cut short."""
    flat = " ".join(text.split())
    return flat[:_SUMMARY_CHARS] + ("…" if len(flat) > _SUMMARY_CHARS else "")


class BatchPartsEditor(QWidget):
    """Edits the parts of a multipart batch.

    Signals:
        edited: the user changed a part, or added or removed one.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parts: list[BatchPart] = []
        self._loading = False
        self.table = QTableWidget(0, 5, objectName="batch.parts")
        self.table.setHorizontalHeaderLabels(["", "Method", "Path", "Headers", "Body"])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(_ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_PATH, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(_METHOD, 100)
        header.resizeSection(_HEADERS, 220)
        header.resizeSection(_BODY, 220)
        self.add = QPushButton("Add part", objectName="batch.parts.add")
        self.remove = QPushButton("Remove part", objectName="batch.parts.remove")
        self.headers = QPlainTextEdit(objectName="batch.part.headers")
        self.headers.setPlaceholderText("Content-Type: application/json\nIf-Match: *")
        self.body = CodeEditor("batch.part.body")
        self.body.setPlaceholderText('{"email": "ada@example.com"}')
        self.empty = QLabel(
            "No parts yet. Press “Add part”, then give each part a method and a path"
            " relative to the batch URL's host, such as /api/v1/contacts/1.",
            objectName="batch.parts.empty",
            wordWrap=True,
        )

        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(self._titled("Headers of the selected part (Name: value)", self.headers))
        detail.addWidget(self._titled("Body of the selected part", self.body))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)

        self.add.clicked.connect(self._on_add_clicked)
        self.remove.clicked.connect(self._on_remove_clicked)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.headers.textChanged.connect(self._on_detail_edited)
        self.body.textChanged.connect(self._on_detail_edited)
        self._show_detail()

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(title))
        layout.addWidget(widget, 1)
        return box

    # -- the parts as data ---------------------------------------------------------------

    def set_parts(self, parts: list[BatchPart]) -> None:
        """Show ``parts``; does not emit ``edited``."""
        self._loading = True
        try:
            self._parts = list(parts)
            self.table.setRowCount(0)
            for part in self._parts:
                self._append_row(part)
            if self._parts:
                self.table.selectRow(0)
        finally:
            self._loading = False
        self._show_detail()

    def parts(self) -> list[BatchPart]:
        return list(self._parts)

    def add_part(self, part: BatchPart) -> None:
        """Append ``part`` and select it (the Add button adds a blank GET)."""
        self._parts.append(part)
        self._loading = True
        try:
            self._append_row(part)
        finally:
            self._loading = False
        self.table.selectRow(len(self._parts) - 1)
        self.edited.emit()

    # -- internals -----------------------------------------------------------------------

    def _append_row(self, part: BatchPart) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked if part.enabled else Qt.CheckState.Unchecked)
        check.setToolTip("Send this part")
        self.table.setItem(r, _ENABLED, check)
        method = QComboBox(editable=True)
        method.addItems(PART_METHODS)
        method.setCurrentText(part.method)
        method.currentTextChanged.connect(self._on_method_changed)
        self.table.setCellWidget(r, _METHOD, method)
        self.table.setItem(r, _PATH, QTableWidgetItem(part.path))
        for column, text in ((_HEADERS, headers_text(part.headers)), (_BODY, part.body)):
            item = QTableWidgetItem(_summary(text))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip("Edit it below the table")
            self.table.setItem(r, column, item)

    def _current(self) -> int:
        row = self.table.currentRow()
        return row if 0 <= row < len(self._parts) else -1

    def _show_detail(self) -> None:
        row = self._current()
        self.empty.setVisible(not self._parts)
        self.remove.setEnabled(row >= 0)
        self.headers.setEnabled(row >= 0)
        self.body.setEnabled(row >= 0)
        was = self._loading
        self._loading = True
        try:
            part = self._parts[row] if row >= 0 else BatchPart()
            self.headers.setPlainText(headers_text(part.headers))
            self.body.set_text(part.body)
        finally:
            self._loading = was

    def _update(self, row: int, **fields: object) -> None:
        self._parts[row] = self._parts[row].model_copy(update=fields)
        if not self._loading:
            self.edited.emit()

    def _on_add_clicked(self) -> None:
        self.add_part(BatchPart())

    def _on_remove_clicked(self) -> None:
        row = self._current()
        if row < 0:
            return
        del self._parts[row]
        self.table.removeRow(row)
        self._show_detail()
        self.edited.emit()

    def _on_method_changed(self, text: str) -> None:
        for r in range(self.table.rowCount()):
            if self.table.cellWidget(r, _METHOD) is self.sender():
                self._update(r, method=text.strip().upper())

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == _ENABLED:
            self._update(item.row(), enabled=item.checkState() == Qt.CheckState.Checked)
        elif item.column() == _PATH:
            self._update(item.row(), path=item.text())

    def _on_table_selection_changed(self) -> None:
        if not self._loading:
            self._show_detail()

    def _on_detail_edited(self) -> None:
        row = self._current()
        if self._loading or row < 0:
            return
        headers = parse_headers_text(self.headers.toPlainText())
        body = self.body.toPlainText()
        self._update(row, headers=headers, body=body)
        self._loading = True
        try:
            self.table.item(row, _HEADERS).setText(_summary(self.headers.toPlainText()))
            self.table.item(row, _BODY).setText(_summary(body))
        finally:
            self._loading = False
