"""The rows of a JSON batch call: a table of named columns, typed, pasted or imported.

The table is a model over plain lists (``columns``, ``rows``) so that thousands of rows
pasted from a spreadsheet stay cheap: no widget per cell. Clipboard text is read as
tab-separated when it holds a tab (what spreadsheets copy), else as CSV.
"""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QTableView,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex
_MAX_WIDTH = 320


def parse_clipboard(text: str) -> list[list[str]]:
    """Cells of text copied from a spreadsheet (tab-separated) or a CSV file."""
    delimiter = "\t" if "\t" in text else ","
    reader = csv.reader(io.StringIO(text.rstrip("\r\n"), newline=""), delimiter=delimiter)
    return [row for row in reader if any(cell.strip() for cell in row)]


class BatchRowsModel(QAbstractTableModel):
    """Editable rows under named columns.

    Signals:
        edited: the user changed a cell, a row or a column (not emitted by ``set_table``).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[list[str]] = []

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
        ):
            return None
        return self._rows[index.row()][index.column()]

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        self._rows[index.row()][index.column()] = str(value)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section] if section < len(self._columns) else None
        return str(section + 1)

    # -- the table as data ---------------------------------------------------------------

    def set_table(self, columns: list[str], rows: list[list[str]]) -> None:
        """Show ``rows`` under ``columns``; short rows are padded, long ones cut."""
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = [self._fit(row) for row in rows]
        self.endResetModel()

    def columns(self) -> list[str]:
        return list(self._columns)

    def rows(self) -> list[list[str]]:
        """Every row, blank ones left out (a blank row is one not filled in yet)."""
        return [list(row) for row in self._rows if any(cell.strip() for cell in row)]

    def _fit(self, row: list[str]) -> list[str]:
        width = len(self._columns)
        return [*row[:width], *[""] * (width - len(row))]

    # -- edits ---------------------------------------------------------------------------

    def add_row(self, at: int | None = None) -> int:
        """Insert a blank row (at the end by default); returns where it went."""
        if not self._columns:
            self.add_column("column 1")
        at = len(self._rows) if at is None else at
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, [""] * len(self._columns))
        self.endInsertRows()
        self.edited.emit()
        return at

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        if rows:
            self.edited.emit()

    def add_column(self, name: str) -> None:
        at = len(self._columns)
        self.beginInsertColumns(QModelIndex(), at, at)
        self._columns.append(name)
        for row in self._rows:
            row.append("")
        self.endInsertColumns()
        self.edited.emit()

    def rename_column(self, column: int, name: str) -> None:
        self._columns[column] = name
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
        self.edited.emit()

    def remove_column(self, column: int) -> None:
        self.beginRemoveColumns(QModelIndex(), column, column)
        del self._columns[column]
        for row in self._rows:
            del row[column]
        self.endRemoveColumns()
        self.edited.emit()

    def paste(self, cells: list[list[str]], row: int, column: int) -> None:
        """Put ``cells`` with their top-left at (row, column), adding rows and columns as
        needed. Into a table without columns, the first pasted line names the columns."""
        if not cells:
            return
        if not self._columns:
            header, *cells = cells
            self.set_table([name.strip() or f"column {n}" for n, name in enumerate(header, 1)], [])
            row = column = 0
        self.beginResetModel()
        width = max((len(line) for line in cells), default=0)
        while len(self._columns) < column + width:
            self._columns.append(f"column {len(self._columns) + 1}")
        for existing in self._rows:
            existing.extend([""] * (len(self._columns) - len(existing)))
        while len(self._rows) < row + len(cells):
            self._rows.append([""] * len(self._columns))
        for r, line in enumerate(cells):
            for c, value in enumerate(line):
                self._rows[row + r][column + c] = value
        self.endResetModel()
        self.edited.emit()


class BatchRowsView(QTableView):
    """The rows table; Ctrl+V pastes clipboard text at the current cell."""

    def __init__(self, model: BatchRowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch.rows")
        self.setModel(model)
        self._model = model
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setDefaultSectionSize(160)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(24)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        model.modelReset.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        """Widen the columns to their text (Qt samples the first rows), within reason."""
        self.resizeColumnsToContents()
        for column in range(self._model.columnCount()):
            self.setColumnWidth(column, min(max(self.columnWidth(column), 80), _MAX_WIDTH))

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
            return
        super().keyPressEvent(event)

    def paste_clipboard(self) -> None:
        """Paste the clipboard's text (TSV or CSV) at the current cell."""
        current = self.currentIndex()
        row = current.row() if current.isValid() else self._model.rowCount()
        column = current.column() if current.isValid() else 0
        self._model.paste(parse_clipboard(QApplication.clipboard().text()), row, column)

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectedIndexes()})
