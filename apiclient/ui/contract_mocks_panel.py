"""The "Contract mocks" window: the open collection's mocks served from OpenAPI, WSDL,
GraphQL SDL and .proto files, started and stopped here, with pinned responses.

It only shows the controller's rows and forwards what the user does; the controller
does the work, off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.models import PinnedResponse
from apiclient.ui import dialogs
from apiclient.ui.contract_mocks_controller import ContractMocksController
from apiclient.ui.contract_mocks_pins import PinEditor
from apiclient.ui.contract_mocks_rows import State
from apiclient.ui.contract_mocks_table import MocksTable
from apiclient.ui.theme import themed_style

EMPTY_TEXT = (
    "No contract mocks yet. Add an OpenAPI, WSDL, GraphQL SDL or .proto file to mock it: "
    "press “Add contract…”."
)
FILE_FILTER = (
    "Contracts (*.yaml *.yml *.json *.wsdl *.xml *.graphql *.gql *.graphqls *.sdl *.proto);;"
    "All files (*)"
)


async def choose_contracts(parent: QWidget) -> list[Path]:
    """Ask for one or more contract files (through ``dialogs``, which never nests a Qt
    event loop inside a coroutine); empty on Cancel. Tests replace this function."""
    dialog = QFileDialog(parent, "Add contracts to mock", "", FILE_FILTER)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    chosen: list[str] = []
    dialog.filesSelected.connect(chosen.extend)
    await dialogs.shown(dialog)
    return [Path(path) for path in chosen]


class ContractMocksPanel(QDialog):
    """A window (not modal) over the controller's mocks."""

    def __init__(self, controller: ContractMocksController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contracts.panel")
        self.setWindowTitle("Contract mocks")
        self.resize(1100, 650)
        self.controller = controller
        self.table = MocksTable()
        self.empty = QLabel(EMPTY_TEXT, objectName="contracts.empty", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.add = QPushButton("Add contract…", objectName="contracts.add")
        self.remove = QPushButton("Remove", objectName="contracts.remove")
        self.start_all = QPushButton("Start all", objectName="contracts.start_all")
        self.stop_all = QPushButton("Stop all", objectName="contracts.stop_all")
        self.url = QLineEdit(objectName="contracts.url", readOnly=True)
        self.url.setPlaceholderText("not running")
        self.copy_url = QPushButton("Copy", objectName="contracts.copy_url")
        self.copy_url.setToolTip("Copy the URL to the clipboard")
        self.port = QSpinBox(objectName="contracts.port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setToolTip("The port this mock listens on (applies at its next start)")
        self.seed = QSpinBox(objectName="contracts.seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Generated data depends only on the seed (applies at its next start)")
        self.problem = QLabel(objectName="contracts.problem", wordWrap=True)
        themed_style(self.problem, "color: $error")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pins = PinEditor()
        self.status = QLabel(objectName="contracts.status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_layout()

        self.add.clicked.connect(self._on_add_clicked)
        self.remove.clicked.connect(self._on_remove_clicked)
        self.start_all.clicked.connect(self._on_start_all_clicked)
        self.stop_all.clicked.connect(self._on_stop_all_clicked)
        self.copy_url.clicked.connect(self._on_copy_url_clicked)
        self.port.editingFinished.connect(self._on_port_editing_finished)
        self.seed.editingFinished.connect(self._on_seed_editing_finished)
        self.table.toggle_requested.connect(self._on_table_toggle_requested)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.pins.pin_requested.connect(self._on_pins_pin_requested)
        self.pins.unpin_requested.connect(self._on_pins_unpin_requested)
        self.pins.problem_found.connect(self.status.setText)
        controller.rows_changed.connect(self.refresh)
        controller.status_changed.connect(self.status.setText)
        self.refresh()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add, self.remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.start_all, self.stop_all):
            buttons.addWidget(button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.stack, 1)
        top_layout.addLayout(buttons)

        where = QHBoxLayout()
        where.addWidget(QLabel("URL:"))
        where.addWidget(self.url, 1)
        where.addWidget(self.copy_url)
        where.addSpacing(12)
        where.addWidget(QLabel("Port:"))
        where.addWidget(self.port)
        where.addWidget(QLabel("Seed:"))
        where.addWidget(self.seed)
        self.details = QGroupBox("Selected mock", objectName="contracts.details")
        details = QVBoxLayout(self.details)
        details.addLayout(where)
        details.addWidget(self.problem)
        details.addWidget(self.pins, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, objectName="contracts.splitter")
        splitter.addWidget(top)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([280, 370])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    def refresh(self) -> None:
        rows = self.controller.rows
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        self.details.setVisible(bool(rows))
        self.table.show_rows(rows)
        self.start_all.setEnabled(bool(rows))
        self.stop_all.setEnabled(self.controller.running > 0)
        self._show_selected()

    def _show_selected(self) -> None:
        row = self.controller.row(self.table.selected_name())
        self.details.setEnabled(row is not None)
        self.remove.setEnabled(row is not None and not row.busy)
        self.details.setTitle(f"Selected mock: {row.name}" if row else "Selected mock")
        self.url.setText(row.url if row else "")
        self.copy_url.setEnabled(bool(row and row.url))
        self.problem.setText(row.message if row is not None else "")
        self.problem.setVisible(bool(self.problem.text()))
        settings = row.settings if row is not None else None
        for box, value in (
            (self.port, settings.port if settings else 0),
            (self.seed, settings.seed if settings else 0),
        ):
            if not box.hasFocus():
                box.setValue(value)
        self.pins.show_row(row)

    # -- what the user does --------------------------------------------------------------

    @asyncSlot()
    async def _on_add_clicked(self) -> None:
        paths = await choose_contracts(self)
        if paths:
            await self.controller.add_files(paths)

    @asyncSlot()
    async def _on_remove_clicked(self) -> None:
        name = self.table.selected_name()
        if name:
            await self.controller.remove(name)

    @asyncSlot()
    async def _on_start_all_clicked(self) -> None:
        await self.controller.start_all()

    @asyncSlot()
    async def _on_stop_all_clicked(self) -> None:
        await self.controller.stop_all()

    @asyncSlot(str)
    async def _on_table_toggle_requested(self, name: str) -> None:
        row = self.controller.row(name)
        if row is not None and row.state is State.RUNNING:
            await self.controller.stop(name)
        else:
            await self.controller.start(name)

    def _on_copy_url_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.url.text())
        self.status.setText(f"Copied {self.url.text()}")

    def _on_port_editing_finished(self) -> None:
        self.controller.set_port(self.table.selected_name(), self.port.value())

    def _on_seed_editing_finished(self) -> None:
        self.controller.set_seed(self.table.selected_name(), self.seed.value())

    def _on_pins_pin_requested(self, operation: str, pinned: PinnedResponse) -> None:
        self.controller.set_pin(self.table.selected_name(), operation, pinned)

    def _on_pins_unpin_requested(self, operation: str) -> None:
        self.controller.set_pin(self.table.selected_name(), operation, None)
