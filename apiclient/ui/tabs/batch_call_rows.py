"""The rows of a JSON batch call: a table of named columns, typed, pasted or imported.

The table is a model over plain lists (``columns``, ``rows``) so that thousands of rows
pasted from a spreadsheet stay cheap: no widget per cell. Clipboard text is read as
tab-separated when it holds a tab (what spreadsheets copy), else as CSV.

Every edit bumps ``version``; ``rows()`` keeps its copy for the current version, so the
tab's dirty tracking and the saved request do not copy 50,000 rows per keystroke.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QTableView,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex
_MAX_WIDTH = 320
_SAMPLE_ROWS = 100  # rows read to fit a column's width: cheap for any table


def parse_clipboard(text: str) -> list[list[str]]:
    """Cells of text copied from a spreadsheet (tab-separated) or a CSV file."""
    delimiter = "\t" if "\t" in text else ","
    reader = csv.reader(io.StringIO(text.rstrip("\r\n"), newline=""), delimiter=delimiter)
    return [row for row in reader if any(cell.strip() for cell in row)]


class ColumnNameError(ValueError):
    """A column name that cannot be used (blank, or already taken); the message says why."""


def unique_names(names: list[str], taken: Sequence[str] = ()) -> list[str]:
    """``names`` stripped, with blank or repeated ones renamed ``column N`` so that no two
    columns share a name (the body builder would let the later one win)."""
    used = set(taken)
    result: list[str] = []
    for number, name in enumerate(names, len(used) + 1):
        name = name.strip()
        if not name or name in used:
            while f"column {number}" in used:
                number += 1
            name = f"column {number}"
        used.add(name)
        result.append(name)
    return result


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
        self._version = 0
        self._cached: tuple[int, list[list[str]]] = (0, [])
        self.edited.connect(self._bump)

    @property
    def version(self) -> int:
        """A number that changes with every edit and every ``set_table``."""
        return self._version

    def _bump(self) -> None:
        self._version += 1

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
        self._bump()

    def columns(self) -> list[str]:
        return list(self._columns)

    def rows(self) -> list[list[str]]:
        """Every row, blank ones left out (a blank row is one not filled in yet).

        The list is built once per ``version`` and shared by later calls: do not change it.
        """
        version, rows = self._cached
        if version != self._version:
            rows = [list(row) for row in self._rows if any(cell.strip() for cell in row)]
            self._cached = (self._version, rows)
        return rows

    def holds(self, rows: list[list[str]]) -> bool:
        """Whether ``rows`` is the list ``rows()`` gives for the table as it is now."""
        version, cached = self._cached
        return version == self._version and cached is rows

    def has_column(self, name: str) -> bool:
        return name in self._columns

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
        """Remove ``rows`` (one model reset when there are many, so the view redraws once)."""
        doomed = {row for row in rows if 0 <= row < len(self._rows)}
        if not doomed:
            return
        if len(doomed) > 1:
            self.beginResetModel()
            self._rows = [row for r, row in enumerate(self._rows) if r not in doomed]
            self.endResetModel()
        else:
            (row,) = doomed
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        self.edited.emit()

    def check_column_name(self, name: str, column: int = -1) -> str:
        """``name`` stripped, if it can name ``column`` (-1: a new one); else
        :class:`ColumnNameError` saying why."""
        name = name.strip()
        if not name:
            raise ColumnNameError("A column needs a name; the name was left blank.")
        others = [other for c, other in enumerate(self._columns) if c != column]
        if name in others:
            raise ColumnNameError(
                f"There is already a column named '{name}'; two columns with one name"
                " would send only the last one's values. Choose another name."
            )
        return name

    def add_column(self, name: str) -> None:
        """Add a column at the end; :class:`ColumnNameError` for a blank or taken name."""
        name = self.check_column_name(name)
        at = len(self._columns)
        self.beginInsertColumns(QModelIndex(), at, at)
        self._columns.append(name)
        for row in self._rows:
            row.append("")
        self.endInsertColumns()
        self.edited.emit()

    def rename_column(self, column: int, name: str) -> None:
        """:class:`ColumnNameError` for a blank name or one another column has."""
        name = self.check_column_name(name, column)
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
        self.beginResetModel()
        if not self._columns:
            header, *cells = cells
            self._columns = unique_names(header)
            self._rows = []
            row = column = 0
        width = max((len(line) for line in cells), default=0)
        before = len(self._columns)
        while len(self._columns) < column + width:
            self._columns.append(unique_names([""], self._columns)[0])
        total = len(self._columns)
        if total > before:
            for existing in self._rows:
                existing.extend([""] * (total - before))
        self._rows.extend([""] * total for _ in range(row - len(self._rows)))
        overlap = self._rows[row : row + len(cells)]
        for target, line in zip(overlap, cells, strict=False):
            target[column : column + len(line)] = line
        lead = [""] * column
        for line in cells[len(overlap) :]:  # past the end: new rows, built in one pass
            added = lead + line
            added.extend([""] * (total - len(added)))
            self._rows.append(added)
        self.endResetModel()
        self.edited.emit()


class BatchRowsView(QTableView):
    """The rows table; Ctrl+V pastes clipboard text at the current cell, Delete removes
    the selected rows (as in the key/value tables)."""

    def __init__(self, model: BatchRowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch.rows")
        self.setModel(model)
        self._model = model
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setDefaultSectionSize(160)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setResizeContentsPrecision(_SAMPLE_ROWS)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        model.modelReset.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        """Widen the columns to their text (Qt samples the first rows), within reason."""
        self.resizeColumnsToContents()
        for column in range(self._model.columnCount()):
            self.setColumnWidth(column, min(max(self.columnWidth(column), 80), _MAX_WIDTH))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
            return
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self._model.remove_rows(self.selected_rows())
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
