"""Secret variable values are masked until revealed, and the dialog says where they live."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QStyleOptionViewItem,
    QTableWidgetItem,
)
from pytestqt.qtbot import QtBot
from qasync import QEventLoop

from apiclient.core.models import Variable
from apiclient.core.secrets import SecretStore
from apiclient.ui.environment_editor import EnvironmentEditor
from apiclient.ui.widgets.key_value_table import MASK, KeyValueTable
from apiclient.ui.workspace import Workspace

SECRET = "s3cr3t-api-key"
VARIABLES = [
    Variable(name="api_key", value=SECRET, secret=True),
    Variable(name="host", value="http://127.0.0.1"),
]


def _shown(table: KeyValueTable, row: int) -> str:
    """The text the value cell paints (what a person sees)."""
    option = QStyleOptionViewItem()
    index = table.model().index(row, 2)
    table.itemDelegateForColumn(2).initStyleOption(option, index)
    return option.text


def _table(qtbot: QtBot) -> KeyValueTable:
    table = KeyValueTable("environment.variables", "Variable", with_secret=True)
    qtbot.addWidget(table)
    table.set_variables(VARIABLES)
    table.show()
    return table


def _copy(qtbot: QtBot, table: KeyValueTable, row: int) -> str:
    QApplication.clipboard().setText("clipboard before")
    table.setCurrentCell(row, 2)
    sequence = QKeySequence(QKeySequence.StandardKey.Copy)[0]
    qtbot.keyClick(table, sequence.key(), sequence.keyboardModifiers())
    return QApplication.clipboard().text()


def test_a_secret_value_is_masked_until_its_row_is_shown(qtbot: QtBot) -> None:
    table = _table(qtbot)
    assert _shown(table, 0) == MASK and _shown(table, 1) == "http://127.0.0.1"
    table.item(0, 4).setCheckState(Qt.CheckState.Checked)
    assert _shown(table, 0) == SECRET
    table.item(0, 4).setCheckState(Qt.CheckState.Unchecked)
    assert _shown(table, 0) == MASK
    table.item(1, 3).setCheckState(Qt.CheckState.Checked)
    assert _shown(table, 1) == MASK
    assert [v.value for v in table.variables()] == [SECRET, "http://127.0.0.1"]


def test_showing_a_row_is_no_edit(qtbot: QtBot) -> None:
    table = _table(qtbot)
    with qtbot.assertNotEmitted(table.rows_edited):
        table.item(0, 4).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(table.rows_edited):
        table.item(1, 3).setCheckState(Qt.CheckState.Checked)


def test_editing_a_masked_value_starts_from_the_real_text(qtbot: QtBot) -> None:
    table = _table(qtbot)
    table.setCurrentCell(0, 2)
    table.editItem(table.item(0, 2))
    editor = table.findChild(QLineEdit)
    qtbot.waitUntil(lambda: editor is not None and editor.isVisible())
    assert editor.text() == SECRET
    editor.setText("new-secret")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # commits through a queued call
    qtbot.waitUntil(lambda: table.variables()[0].value == "new-secret")
    assert _shown(table, 0) == MASK


def test_copying_gives_the_value_only_when_it_is_shown(qtbot: QtBot) -> None:
    table = _table(qtbot)
    assert _copy(qtbot, table, 0) == "clipboard before"
    assert _copy(qtbot, table, 1) == "http://127.0.0.1"
    table.set_secrets_revealed(True)
    assert _copy(qtbot, table, 0) == SECRET


def test_tables_without_secrets_mask_nothing(qtbot: QtBot) -> None:
    table = KeyValueTable("rest.headers", "Header")
    qtbot.addWidget(table)
    table.setItem(0, 1, QTableWidgetItem("Authorization"))
    table.setItem(0, 2, QTableWidgetItem("Bearer x"))
    assert table.columnCount() == 3 and not table.is_masked(0)


def test_the_dialog_reveals_secrets_and_names_their_backend(
    qtbot: QtBot, qt_loop: QEventLoop
) -> None:
    workspace = Workspace()
    workspace.globals = list(VARIABLES)
    editor = EnvironmentEditor(workspace)
    qtbot.addWidget(editor)
    editor.show()
    backend = editor.findChild(QLabel, "environment.secrets_backend")
    expected = f"Secret values are kept in {SecretStore().backend_name}."
    qtbot.waitUntil(lambda: backend.text() == expected)
    assert "a file readable only by you" in expected

    reveal = editor.findChild(QCheckBox, "environment.reveal")
    assert _shown(editor.table, 0) == MASK
    qtbot.mouseClick(reveal, Qt.MouseButton.LeftButton)
    assert _shown(editor.table, 0) == SECRET
    qtbot.mouseClick(reveal, Qt.MouseButton.LeftButton)
    assert _shown(editor.table, 0) == MASK
    assert editor.table.variables() == VARIABLES
