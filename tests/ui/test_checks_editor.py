"""The Tests page (checks and captures) and the WebSocket Script page, as a user edits them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import QItemSelectionModel, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTabWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.core.models import (
    Capture,
    Check,
    GraphqlRequest,
    GrpcRequest,
    SoapRequest,
    WsStep,
)
from apiclient.ui.tabs.graphql_editor import GraphqlRequestEditor
from apiclient.ui.tabs.grpc_editor import GrpcRequestEditor
from apiclient.ui.tabs.soap_editor import SoapRequestEditor
from apiclient.ui.tabs.websocket_script import ScriptEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor

CHECKS = [
    Check(source="status", op="equals", expected="200"),
    Check(source="jsonpath", expression="$.name", op="exists"),
    Check(source="time_ms", op="less_than", expected="{{max_ms}}", enabled=False),
]
CAPTURES = [
    Capture(variable="item_name", source="jsonpath", expression="$.name"),
    Capture(variable="etag", source="header", expression="ETag", enabled=False),
]


def _type_into(qtbot: QtBot, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Open the cell's editor as a double-click would, type ``text`` and press Enter."""
    table.setCurrentCell(row, column)
    table.edit(table.currentIndex(), QAbstractItemView.EditTrigger.DoubleClicked, None)
    editor = table.indexWidget(table.currentIndex())
    assert isinstance(editor, QLineEdit), "the cell did not open for typing"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # commits through a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def _combo(table: QTableWidget, row: int, column: int) -> QComboBox:
    box = table.cellWidget(row, column)
    assert isinstance(box, QComboBox)
    return box


def _choose(box: QComboBox, label: str) -> None:
    """Pick an entry by its words, as the user reads them in the drop-down."""
    index = box.findText(label)
    assert index >= 0, f"{label!r} not offered: {[box.itemText(i) for i in range(box.count())]}"
    box.setCurrentIndex(index)


def _labels(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def _is_red(table: QTableWidget, row: int, column: int) -> bool:
    return table.item(row, column).data(Qt.ItemDataRole.BackgroundRole) is not None


def _editor(qtbot: QtBot) -> ChecksEditor:
    editor = ChecksEditor("rest")
    qtbot.addWidget(editor)
    editor.resize(900, 600)
    editor.show()
    return editor


def test_a_check_typed_into_the_last_row_is_added(qtbot):
    editor = _editor(qtbot)
    table = editor.findChild(QTableWidget, "rest.checks")
    assert table.rowCount() == 1 and editor.checks() == []  # only the row to type into
    with qtbot.waitSignal(editor.edited):
        _type_into(qtbot, table, 0, 4, "201")
    assert editor.checks() == [Check(source="status", op="equals", expected="201")]
    assert table.rowCount() == 2  # a fresh row to type the next one

    with qtbot.waitSignal(editor.edited):
        _choose(_combo(table, 1, 1), "Header")
    _type_into(qtbot, table, 1, 2, "Content-Type")
    _choose(_combo(table, 1, 3), "contains")
    _type_into(qtbot, table, 1, 4, "json")
    assert editor.checks()[1] == Check(
        source="header", expression="Content-Type", op="contains", expected="json"
    )


def test_the_add_button_adds_status_equals_200_and_delete_removes(qtbot):
    editor = _editor(qtbot)
    table = editor.findChild(QTableWidget, "rest.checks")
    counts: list[int] = []
    editor.count_changed.connect(counts.append)
    qtbot.mouseClick(editor.findChild(QPushButton, "rest.checks.add"), Qt.MouseButton.LeftButton)
    assert editor.checks() == [Check(source="status", op="equals", expected="200")]
    table.selectRow(0)
    with qtbot.waitSignal(editor.edited):
        qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert editor.checks() == []
    assert counts == [1, 0]


def test_changing_the_source_changes_the_operators_offered(qtbot):
    editor = _editor(qtbot)
    editor.set_values([Check(source="status", op="equals", expected="200")], [])
    table = editor.findChild(QTableWidget, "rest.checks")
    ops = _combo(table, 0, 3)
    assert "exists" not in _labels(ops)  # a status is always there
    assert not table.item(0, 2).flags() & Qt.ItemFlag.ItemIsEnabled  # no expression
    _choose(_combo(table, 0, 1), "JSONPath")
    assert {"exists", "does not exist", "contains", "matches regex"} <= set(_labels(ops))
    assert table.item(0, 2).flags() & Qt.ItemFlag.ItemIsEditable
    _choose(ops, "exists")
    assert not table.item(0, 4).flags() & Qt.ItemFlag.ItemIsEnabled  # nothing to expect
    assert table.item(0, 4).text() == "200"  # greyed, not lost
    _choose(_combo(table, 0, 1), "Time (ms)")
    assert _labels(ops) == ["less than", "greater than"]
    assert editor.checks()[0].op == "less_than"


def test_an_invalid_regex_is_flagged_and_kept(qtbot):
    editor = _editor(qtbot)
    table = editor.findChild(QTableWidget, "rest.checks")
    _choose(_combo(table, 0, 1), "Body")
    _choose(_combo(table, 0, 3), "matches regex")
    _type_into(qtbot, table, 0, 4, "(unclosed")
    assert _is_red(table, 0, 4)
    assert "regular expression is not valid" in table.item(0, 4).toolTip()
    assert editor.checks() == [Check(source="body", op="matches", expected="(unclosed")]
    _type_into(qtbot, table, 0, 4, "(closed)")
    assert not _is_red(table, 0, 4)


def test_bad_expressions_and_numbers_are_flagged(qtbot):
    editor = _editor(qtbot)
    editor.set_values(
        [
            Check(source="jsonpath", expression="$.items[", op="exists"),
            Check(source="xpath", expression="//item[", op="exists"),
            Check(source="time_ms", op="less_than", expected="fast"),
            Check(source="jsonpath", expression="$.count", op="greater_than", expected="{{n}}"),
        ],
        [],
    )
    table = editor.findChild(QTableWidget, "rest.checks")
    assert "JSONPath is not valid" in table.item(0, 2).toolTip()
    assert "XPath is not valid" in table.item(1, 2).toolTip()
    assert "milliseconds" in table.item(2, 4).toolTip() and _is_red(table, 2, 4)
    assert not _is_red(table, 3, 2) and not _is_red(table, 3, 4)  # resolved when run


def test_a_capture_with_a_bad_variable_name_is_flagged(qtbot):
    editor = _editor(qtbot)
    table = editor.findChild(QTableWidget, "rest.captures")
    _type_into(qtbot, table, 0, 1, "my}name")
    assert _is_red(table, 0, 1)
    assert "{ or }" in table.item(0, 1).toolTip()
    _type_into(qtbot, table, 0, 3, "$.token")
    assert editor.captures() == [Capture(variable="my}name", expression="$.token")]
    _type_into(qtbot, table, 0, 1, "token")
    assert not _is_red(table, 0, 1)
    _choose(_combo(table, 0, 2), "Status")
    assert not table.item(0, 3).flags() & Qt.ItemFlag.ItemIsEnabled
    assert editor.captures() == [Capture(variable="token", source="status", expression="$.token")]


def test_the_rest_tab_shows_saves_and_marks_checks_dirty(qtbot, make_window, sample: Path):
    path = sample / "items" / "items" / "get-item.yaml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    saved["checks"] = [c.model_dump(exclude_defaults=True) for c in CHECKS]
    saved["captures"] = [c.model_dump(exclude_defaults=True) for c in CAPTURES]
    path.write_text(yaml.safe_dump(saved), encoding="utf-8")
    window = make_window(sample)
    window.sidebar.request_activated.emit("items/get-item.yaml")
    qtbot.waitUntil(lambda: window.rest.relpath == "items/get-item.yaml")

    tabs = window.findChild(QTabWidget, "rest.request.tabs")
    assert tabs.tabText(tabs.count() - 1) == "Tests (5)"
    assert not window.rest.dirty  # showing them is not an edit
    request = window.rest.current_request()
    assert request.checks == CHECKS and request.captures == CAPTURES

    checks = window.findChild(QTableWidget, "rest.checks")
    assert checks.item(2, 0).checkState() == Qt.CheckState.Unchecked
    with qtbot.waitSignal(window.rest.dirty_changed):
        _type_into(qtbot, checks, 0, 4, "201")
    assert window.rest.dirty
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.rest.dirty)
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["checks"][0]["expected"] == "201"
    assert len(written["captures"]) == 2


@pytest.mark.parametrize(
    ("editor_class", "request_class", "prefix"),
    [
        (SoapRequestEditor, SoapRequest, "soap"),
        (GraphqlRequestEditor, GraphqlRequest, "graphql"),
        (GrpcRequestEditor, GrpcRequest, "grpc"),
    ],
)
def test_soap_graphql_and_grpc_editors_keep_checks(qtbot, editor_class, request_class, prefix):
    editor = editor_class()
    qtbot.addWidget(editor)
    editor.show()
    request = request_class(checks=CHECKS, captures=CAPTURES)
    edits: list[bool] = []
    editor.edited.connect(lambda: edits.append(True))
    editor.set_request(request)
    assert editor.request() == request and edits == []
    assert editor.tabs.tabText(editor.tabs.count() - 1) == "Tests (5)"
    table = editor.findChild(QTableWidget, f"{prefix}.captures")
    with qtbot.waitSignal(editor.edited):
        _type_into(qtbot, table, 0, 1, "renamed")
    assert editor.request().captures[0].variable == "renamed"


def test_a_websocket_script_round_trips_through_the_tab(qtbot, window):
    editor = window.websocket.editor
    steps = [
        WsStep(action="send", format="json", body='{"op": "ping"}'),
        WsStep(action="expect", match="jsonpath", expression="$.op", body="ping", timeout_s=2.5),
        WsStep(action="send", body="bye"),
    ]
    request = editor.request().model_copy(update={"script": steps})
    window.websocket.open_request(request, None)
    assert editor.request() == request
    tabs = window.findChild(QTabWidget, "websocket.request.tabs")
    assert tabs.tabText(tabs.count() - 1) == "Script (3)"

    table = window.findChild(QTableWidget, "websocket.script")
    up = window.findChild(QPushButton, "websocket.script.up")
    down = window.findChild(QPushButton, "websocket.script.down")
    table.selectionModel().select(
        table.model().index(2, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert up.isEnabled() and not down.isEnabled()
    with qtbot.waitSignal(editor.edited):
        qtbot.mouseClick(up, Qt.MouseButton.LeftButton)
    assert editor.request().script == [steps[0], steps[2], steps[1]]
    qtbot.mouseClick(down, Qt.MouseButton.LeftButton)
    assert editor.request().script == steps

    # An Expect step greys out the format; a Send step the match and the timeout.
    assert not _combo(table, 1, 1).isEnabled() and _combo(table, 1, 2).isEnabled()
    assert not table.cellWidget(0, 5).isEnabled()
    _choose(_combo(table, 1, 2), "matches regex")
    _type_into(qtbot, table, 1, 4, "[unclosed")
    assert _is_red(table, 1, 4)
    assert editor.request().script[1].body == "[unclosed"
    spin = table.cellWidget(1, 5)
    assert isinstance(spin, QDoubleSpinBox)
    spin.setValue(7)
    assert editor.request().script[1].timeout_s == 7
    assert window.websocket.dirty


def test_script_add_and_remove_steps(qtbot):
    editor = ScriptEditor()
    qtbot.addWidget(editor)
    editor.show()
    counts: list[int] = []
    editor.count_changed.connect(counts.append)
    add_expect = editor.findChild(QPushButton, "websocket.script.add_expect")
    qtbot.mouseClick(editor.add_send, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(add_expect, Qt.MouseButton.LeftButton)
    assert [step.action for step in editor.steps()] == ["send", "expect"]
    _type_into(qtbot, editor.table, 0, 4, "hello")
    assert editor.steps()[0].body == "hello"
    editor.table.selectRow(0)
    qtbot.mouseClick(editor.remove, Qt.MouseButton.LeftButton)
    assert editor.steps() == [WsStep(action="expect")]
    assert counts[-1] == 1
    editor.table.selectRow(0)
    with qtbot.waitSignal(editor.edited):
        qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
    assert editor.steps() == [] and counts[-1] == 0


def _wheel(widget, steps: int = -1) -> None:
    """Turn the mouse wheel over ``widget`` (negative: towards the user, i.e. down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_a_rule_combo_scrolls_instead_of_changing_it(qtbot):
    editor = _editor(qtbot)
    editor.set_values(CHECKS, CAPTURES)
    table = editor.findChild(QTableWidget, "rest.checks")
    for column in (1, 3):  # source, operator
        box = _combo(table, 0, column)
        before = box.currentIndex()
        _wheel(box)
        assert box.currentIndex() == before
        assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus
    assert editor.checks() == CHECKS
    captures = editor.findChild(QTableWidget, "rest.captures")
    source = _combo(captures, 0, 2)
    _wheel(source)
    assert editor.captures() == CAPTURES

    editor.activateWindow()
    box = _combo(table, 0, 1)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    before = box.currentIndex()
    _wheel(box)
    assert box.currentIndex() != before  # a focused combo still takes the wheel


def test_the_wheel_over_a_script_step_leaves_it_alone(qtbot):
    editor = ScriptEditor()
    qtbot.addWidget(editor)
    editor.show()
    steps = [WsStep(action="send", body="hi"), WsStep(action="expect", match="contains")]
    editor.set_steps(steps)
    for row in range(2):
        for column in range(3):  # action, format, match
            _wheel(editor.table.cellWidget(row, column))
        _wheel(editor.table.cellWidget(row, 5))  # the timeout
    assert editor.steps() == steps
