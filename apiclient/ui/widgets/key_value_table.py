"""An editable table of name/value rows with an on/off checkbox per row.

Used for query params, headers, form fields and variables. There is always one empty row
at the bottom to type into, so adding a row needs no button.

With ``with_secret`` (variables), the value of a row marked secret is masked until it is
revealed, by the row's "Show" box or for every row with ``set_secrets_revealed``, so a
shared screen never shows it. Editing a masked value starts from the real text, and
copying a masked value copies nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from apiclient.core.models import FormField, KeyValue, Variable

_ENABLED, _NAME, _VALUE, _EXTRA, _REVEAL = 0, 1, 2, 3, 4
MASK = "\u25cf" * 8
"""What a masked value shows: always the same length, so it does not tell the real one."""
_LOADED_ROLE = Qt.ItemDataRole.UserRole + 1


def _check_state(checked: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked


def _check_item(checked: bool, tooltip: str) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
    item.setCheckState(_check_state(checked))
    item.setToolTip(tooltip)
    return item


class _MaskingDelegate(QStyledItemDelegate):
    """Paints a masked value as ``MASK``; the item keeps the real text, which the editor
    (``setEditorData`` reads the edit role) starts from."""

    def __init__(self, table: KeyValueTable) -> None:
        super().__init__(table)
        self._table = table

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if self._table.is_masked(index.row()):
            option.text = MASK


class KeyValueTable(QTableWidget):
    """Rows of (enabled, name, value[, type | secret, show]).

    Signals:
        rows_edited: the user changed a row (not emitted by ``set_rows``).
    """

    rows_edited = Signal()

    def __init__(
        self,
        object_name: str,
        name_label: str = "Name",
        with_types: bool = False,
        with_secret: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        extra = ["Type"] if with_types else ["Secret", "Show"] if with_secret else []
        columns = ["", name_label, "Value", *extra]
        super().__init__(0, len(columns), parent)
        self.setObjectName(object_name)
        self._with_types = with_types
        self._with_secret = with_secret
        self._loading = False
        self._revealed = False
        self.setHorizontalHeaderLabels(columns)
        header = self.horizontalHeader()
        header.setSectionResizeMode(_ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_VALUE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(_NAME, 200)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Tab leaves the table, arrows move between cells (while a cell is edited, Tab
        # still goes on to the next cell): Qt's default keeps Tab inside for ever.
        self.setTabKeyNavigation(False)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        if with_secret:
            self.setItemDelegateForColumn(_VALUE, _MaskingDelegate(self))
        self.itemChanged.connect(self._on_item_changed)
        self.cellDoubleClicked.connect(self._on_cell_double_clicked)
        self._append_blank_row()

    # -- reading and writing rows ------------------------------------------------

    def set_rows(self, rows: list[KeyValue] | list[FormField]) -> None:
        """Replace every row without emitting ``rows_edited``."""
        self._loading = True
        try:
            self.setRowCount(0)
            for row in rows:
                self._append_row(row)
            self._append_blank_row()
        finally:
            self._loading = False

    def rows(self) -> list[KeyValue]:
        return [self._row_model(r) for r in range(self.rowCount()) if not self._is_blank(r)]

    def form_fields(self) -> list[FormField]:
        result = []
        for r in range(self.rowCount()):
            if self._is_blank(r):
                continue
            row = self._row_model(r)
            kind = self._type_combo(r).currentText()
            if isinstance(row, FormField):
                result.append(row.model_copy(update={"type": kind}))
            else:
                result.append(
                    FormField(name=row.name, value=row.value, enabled=row.enabled, type=kind)
                )
        return result

    def set_variables(self, variables: list[Variable]) -> None:
        self.set_rows([KeyValue(name=v.name, value=v.value, enabled=v.enabled) for v in variables])
        self._loading = True
        for r, variable in enumerate(variables):
            self.item(r, _EXTRA).setCheckState(_check_state(variable.secret))
        self._loading = False

    def variables(self) -> list[Variable]:
        result = []
        for r in range(self.rowCount()):
            if self._is_blank(r):
                continue
            row = self._row_model(r)
            secret = self.item(r, _EXTRA).checkState() == Qt.CheckState.Checked
            result.append(
                Variable(name=row.name, value=row.value, enabled=row.enabled, secret=secret)
            )
        return result

    # -- masking secret values ----------------------------------------------------

    def is_masked(self, row: int) -> bool:
        """Whether the value of ``row`` is shown as ``MASK`` (secret and not revealed)."""
        if not self._with_secret or self._revealed or row < 0:
            return False
        secret, shown = self.item(row, _EXTRA), self.item(row, _REVEAL)
        if secret is None or secret.checkState() != Qt.CheckState.Checked:
            return False
        return shown is None or shown.checkState() != Qt.CheckState.Checked

    def set_secrets_revealed(self, revealed: bool) -> None:
        """Show (or mask again) the values of every secret row."""
        self._revealed = revealed
        self.viewport().update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Reached by Tab with no cell chosen yet: start on the first name, so typing
        writes a name (on the checkbox column it would only search)."""
        if not self.currentIndex().isValid() and event.reason() != Qt.FocusReason.MouseFocusReason:
            self.setCurrentCell(0, _NAME)
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.remove_selected_rows()
            return
        if event.matches(QKeySequence.StandardKey.Copy) and self._masked_current():
            event.accept()  # a masked value is not copied: the clipboard would reveal it
            return
        super().keyPressEvent(event)

    def _masked_current(self) -> bool:
        current = self.currentIndex()
        return current.column() == _VALUE and self.is_masked(current.row())

    def remove_selected_rows(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()}, reverse=True)
        for r in rows:
            if not self._is_blank(r):
                self.removeRow(r)
        if rows:
            self.rows_edited.emit()

    # -- internals ----------------------------------------------------------------

    def _row_model(self, r: int) -> KeyValue:
        """The row as loaded (description, bare flag, content type kept), as now edited."""
        loaded = self.item(r, _NAME).data(_LOADED_ROLE) or KeyValue()
        return loaded.model_copy(
            update={
                "name": self._text(r, _NAME),
                "value": self._text(r, _VALUE),
                "enabled": self.item(r, _ENABLED).checkState() == Qt.CheckState.Checked,
            }
        )

    def _text(self, r: int, c: int) -> str:
        item = self.item(r, c)
        return item.text() if item else ""

    def _is_blank(self, r: int) -> bool:
        return not self._text(r, _NAME) and not self._text(r, _VALUE)

    def _type_combo(self, r: int) -> QComboBox:
        combo = self.cellWidget(r, _EXTRA)
        assert isinstance(combo, QComboBox)
        return combo

    def _append_row(self, row: KeyValue) -> None:
        was_loading = self._loading
        self._loading = True
        r = self.rowCount()
        self.insertRow(r)
        self.setItem(r, _ENABLED, _check_item(row.enabled, "Use this row"))
        name = QTableWidgetItem(row.name)
        name.setData(_LOADED_ROLE, row)
        if row.description:
            name.setToolTip(row.description)
        self.setItem(r, _NAME, name)
        self.setItem(r, _VALUE, QTableWidgetItem(row.value))
        if self._with_secret:
            secret = _check_item(False, "Secret: kept out of the collection files")
            self.setItem(r, _EXTRA, secret)
            self.setItem(r, _REVEAL, _check_item(False, "Show this secret value"))
        if self._with_types:
            combo = QComboBox()
            combo.addItems(["text", "file"])
            combo.setToolTip("file: double-click the value to choose the file")
            combo.setCurrentText(getattr(row, "type", "text"))
            combo.currentTextChanged.connect(self._on_type_changed)
            self.setCellWidget(r, _EXTRA, combo)
        self._loading = was_loading

    def _append_blank_row(self) -> None:
        self._append_row(KeyValue())

    def _on_type_changed(self, _text: str) -> None:
        if not self._loading:
            self.rows_edited.emit()

    def _on_cell_double_clicked(self, r: int, c: int) -> None:
        """A file row's value is a path: pick it with a file dialog."""
        if not self._with_types or c != _VALUE or self._type_combo(r).currentText() != "file":
            return
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file to upload", self._text(r, c))
        if path:
            self.setItem(r, _VALUE, QTableWidgetItem(path))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._with_secret and item.column() in (_EXTRA, _REVEAL):
            self.viewport().update()
            if item.column() == _REVEAL:
                return  # showing a value changes nothing to save
        if self._loading:
            return
        if item.row() == self.rowCount() - 1 and not self._is_blank(item.row()):
            self._append_blank_row()
        self.rows_edited.emit()
