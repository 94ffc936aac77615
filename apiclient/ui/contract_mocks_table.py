"""The table of contract mocks: one row per mock, with its own Start/Stop button."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from apiclient.ui.contract_mocks_rows import MockRow, State
from apiclient.ui.theme import semantic_color, theme_notifier

COLUMNS = ("Name", "Kind", "File", "Seed", "Port", "State", "URL", "")
NAME, KIND, FILE, SEED, PORT, STATE, URL, ACTION = range(len(COLUMNS))
# A state's semantic colour (apiclient.ui.theme); the others are "muted".
_STATE_TONES = {
    State.RUNNING: "success",
    State.FAILED: "error",
    State.MISSING: "error",
}
_TONE_ROLE = Qt.ItemDataRole.UserRole + 1  # on the state cell: its semantic colour


class MocksTable(QTableWidget):
    """Signals:
    toggle_requested(str): the row's Start or Stop button was pressed (the mock's name).
    """

    toggle_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("contracts.table")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        # Rows tall enough for their Start/Stop button, and room for five of them.
        row_height = QPushButton("Start").sizeHint().height() + 2
        self.verticalHeader().setDefaultSectionSize(row_height)
        self.setMinimumHeight(self.horizontalHeader().sizeHint().height() + 5 * row_height + 4)
        header = self.horizontalHeader()
        for column in (NAME, KIND, SEED, PORT, ACTION):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (FILE, STATE, URL):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        theme_notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        """Colour the states in the new theme's shades (their items hold them)."""
        for row in range(self.rowCount()):
            item = self.item(row, STATE)
            if item is not None and item.data(_TONE_ROLE):
                item.setForeground(semantic_color(item.data(_TONE_ROLE)))

    def selected_name(self) -> str:
        rows = self.selectionModel().selectedRows()
        item = self.item(rows[0].row(), NAME) if rows else None
        return item.text() if item is not None else ""

    def select_row(self, index: int) -> None:
        """Select row ``index`` whatever the mouse and keyboard are doing (``selectRow``
        asks them, and ignores the call while a button counts as held)."""
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().setCurrentIndex(self.model().index(index, NAME), flags)

    def show_rows(self, rows: list[MockRow]) -> None:
        """Show ``rows``, keeping the selected mock selected."""
        selected = self.selected_name()
        self.setRowCount(len(rows))
        for index, row in enumerate(rows):
            port = str(row.settings.port) if row.settings.port else "any"
            texts = (row.name, row.kind_label, row.settings.file, str(row.settings.seed), port)
            tips = {FILE: str(row.path)}
            for column, text in enumerate(texts):
                self._set(index, column, text, tips.get(column, ""))
            state = self._set(index, STATE, row.state_text, row.message or row.state_text)
            tone = _STATE_TONES.get(row.state, "muted")
            state.setData(_TONE_ROLE, tone)
            state.setForeground(semantic_color(tone))
            self._set(index, URL, row.url)
            self.setCellWidget(index, ACTION, self._button(row))
            if row.name == selected:
                self.select_row(index)
        if rows and not self.selectionModel().selectedRows():
            self.select_row(0)

    def _set(self, row: int, column: int, text: str, tip: str = "") -> QTableWidgetItem:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(row, column, item)
        item.setText(text)
        item.setToolTip(tip or text)
        return item

    def _button(self, row: MockRow) -> QPushButton:
        running = row.state in (State.RUNNING, State.STOPPING)
        button = QPushButton("Stop" if running else "Start")
        button.setObjectName(f"contracts.toggle.{row.name}")
        button.setEnabled(not row.busy)
        button.setToolTip(f"{'Stop' if running else 'Start'} the {row.name} mock")
        button.clicked.connect(lambda: self.toggle_requested.emit(row.name))
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button
