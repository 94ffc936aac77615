"""Edit global variables, the collection's variables and its environments in one dialog.

Edits are kept in the dialog until Save; a failed save leaves the dialog open with the
reason, so nothing typed is lost. Values of secret variables are masked until the person
shows them, and the dialog says where they are kept (OS keyring or a private file).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.errors import CoreError
from apiclient.core.models import Environment, Variable
from apiclient.core.secrets import SecretStore
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.workspace import Workspace

GLOBALS = "Globals"
COLLECTION = "Collection variables"


class EnvironmentEditor(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environment.editor")
        self.setWindowTitle("Environments and variables")
        self.resize(820, 480)
        self._workspace = workspace
        self._fixed = [GLOBALS] + ([COLLECTION] if workspace.store else [])
        self._variables: dict[str, list[Variable]] = {GLOBALS: list(workspace.globals)}
        if workspace.store:
            self._variables[COLLECTION] = list(workspace.store.variables)
        self._renamed: dict[str, str] = {}
        for env in workspace.environments():
            self._variables[env.name] = list(env.variables)
        self._shown: str | None = None

        self.list = QListWidget(objectName="environment.list")
        self.list.addItems(list(self._variables))
        self.add = QPushButton("Add", objectName="environment.add")
        self.rename = QPushButton("Rename", objectName="environment.rename")
        self.delete = QPushButton("Delete", objectName="environment.delete")
        self.add.setEnabled(workspace.store is not None)
        self.table = KeyValueTable("environment.variables", "Variable", with_secret=True)
        self.scope_note = QLabel(wordWrap=True)
        self.reveal = QCheckBox("Show secrets", objectName="environment.reveal")
        self.reveal.setToolTip("Show the values of secret variables instead of ●●●●")
        self.secrets_backend = QLabel(
            "Looking for the system keyring…", objectName="environment.secrets_backend"
        )
        self.secrets_backend.setWordWrap(True)
        self.error = QLabel(objectName="environment.error", wordWrap=True, visible=False)
        themed_style(self.error, "color: $error")
        if workspace.globals_problem:
            self.error.setText(workspace.globals_problem)
            self.error.setVisible(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("environment.save")

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        for button in (self.add, self.rename, self.delete):
            row.addWidget(button)
        left.addLayout(row)
        right = QVBoxLayout()
        right.addWidget(self.scope_note)
        right.addWidget(self.table, 1)
        secrets_row = QHBoxLayout()
        secrets_row.addWidget(self.secrets_backend, 1)
        secrets_row.addWidget(self.reveal)
        right.addLayout(secrets_row)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.list.currentTextChanged.connect(self._on_list_current_changed)
        self.reveal.toggled.connect(self.table.set_secrets_revealed)
        self.add.clicked.connect(self._on_add_clicked)
        self.rename.clicked.connect(self._on_rename_clicked)
        self.delete.clicked.connect(self._on_delete_clicked)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        selected = workspace.environment_name or (COLLECTION if workspace.store else GLOBALS)
        self.select(selected)
        self._show_secrets_backend()

    @asyncSlot()
    async def _show_secrets_backend(self) -> None:
        """Say where secret values are kept; finding the keyring may ask the OS over D-Bus,
        so it runs off the GUI thread."""
        backend = await asyncio.to_thread(lambda: SecretStore().backend_name)
        self.secrets_backend.setText(f"Secret values are kept in {backend}.")

    def select(self, name: str) -> None:
        matches = self.list.findItems(name, Qt.MatchFlag.MatchExactly)
        if matches:
            self.list.setCurrentItem(matches[0])

    def environments(self) -> list[Environment]:
        self._keep_table()
        return [
            Environment(name=name, variables=variables)
            for name, variables in self._variables.items()
            if name not in self._fixed
        ]

    def _keep_table(self) -> None:
        if self._shown is not None and self._shown in self._variables:
            self._variables[self._shown] = self.table.variables()

    def _on_list_current_changed(self, name: str) -> None:
        self._keep_table()
        self._shown = name or None
        self.table.set_variables(self._variables.get(name, []))
        fixed = name in self._fixed
        self.rename.setEnabled(not fixed and bool(name))
        self.delete.setEnabled(not fixed and bool(name))
        notes = {
            GLOBALS: "Global variables apply to every collection; anything more specific wins.",
            COLLECTION: "Collection variables apply to every request of this collection; the "
            "chosen environment overrides them.",
        }
        self.scope_note.setText(
            notes.get(name, f"Used when '{name}' is chosen in the environment picker.")
        )

    def _ask_name(self, title: str, text: str = "") -> str:
        name, ok = QInputDialog.getText(self, title, "Environment name:", text=text)
        name = name.strip()
        if not ok or not name:
            return ""
        if name in self._variables:
            self.error.setText(f"There is already an environment called '{name}'.")
            self.error.setVisible(True)
            return ""
        return name

    def _on_add_clicked(self) -> None:
        name = self._ask_name("New environment")
        if name:
            self._variables[name] = []
            self.list.addItem(name)
            self.select(name)

    def _on_rename_clicked(self) -> None:
        old = self.list.currentItem().text()
        name = self._ask_name("Rename environment", old)
        if not name:
            return
        self._keep_table()
        self._variables = {
            (name if key == old else key): value for key, value in self._variables.items()
        }
        self._renamed[name] = self._renamed.pop(old, old)
        self._shown = name
        self.list.currentItem().setText(name)

    def _on_delete_clicked(self) -> None:
        item = self.list.currentItem()
        self._variables.pop(item.text(), None)
        self._renamed.pop(item.text(), None)
        self._shown = None
        self.list.takeItem(self.list.row(item))

    @asyncSlot()
    async def _on_save(self) -> None:
        environments = self.environments()
        self.save_button.setEnabled(False)
        try:
            await self._workspace.save_variables(
                self._variables[GLOBALS],
                self._variables.get(COLLECTION, []),
                environments,
                self._renamed,
            )
        except CoreError as exc:
            self.error.setText(f"Not saved: {exc}")
            self.error.setVisible(True)
            self.save_button.setEnabled(True)
            return
        self.accept()
