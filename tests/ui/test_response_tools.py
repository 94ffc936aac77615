"""The response body's tools: live JSONPath/XPath filter, the JSON tree (fold, unfold,
copy value and path), Compare with the previous response, and the empty state."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import send, type_url

from apiclient.protocols.http import Timings
from apiclient.protocols.rest import RestResponse
from apiclient.ui.main_window import MainWindow
from apiclient.ui.response_memory import RememberedResponse, ResponseMemory
from apiclient.ui.widgets import body_filter
from apiclient.ui.widgets.body_view import BodyView
from apiclient.ui.widgets.diff_view import NO_EARLIER
from apiclient.ui.widgets.response_view import ResponseView

DOC = {
    "data": [{"name": "ada", "id": 1}, {"name": "bob", "id": 2, "odd key": [10, 20]}],
    "count": 2,
}
BODY = json.dumps(DOC).encode()
SOAP = b"""<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:m="urn:example:items">
  <soap:Body><m:ListResponse><m:item id="1"><m:name>Ada</m:name></m:item>
  <m:item id="2"><m:name>Bob</m:name></m:item></m:ListResponse></soap:Body>
</soap:Envelope>"""

Run = Callable[..., object]


@pytest.fixture
def view(qtbot: QtBot, run: Run) -> BodyView:
    widget = BodyView("t")
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    run(widget.show_body("application/json", None, BODY))
    return widget


def shown(view: BodyView) -> str:
    return view.text.toPlainText()


def test_jsonpath_filters_live_and_clearing_shows_the_body_again(
    qtbot: QtBot, view: BodyView
) -> None:
    field = view.findChild(QLineEdit, "t.filter")
    assert field.isVisible() and field.placeholderText() == "Filter: $.data[*].name"
    qtbot.keyClicks(field, "$.data[*].name")
    qtbot.waitUntil(lambda: shown(view).startswith("["))
    assert json.loads(shown(view)) == ["ada", "bob"]
    assert view.findChild(QLabel, "t.filter.count").text() == "2 matches"
    view.raw.setChecked(True)  # the matches, whatever the mode
    assert json.loads(shown(view)) == ["ada", "bob"]
    field.clear()
    assert json.loads(shown(view)) == DOC


def test_a_bad_jsonpath_is_told_and_the_last_good_result_stays(
    qtbot: QtBot, view: BodyView
) -> None:
    field = view.findChild(QLineEdit, "t.filter")
    error = view.findChild(QLabel, "t.filter.error")
    qtbot.keyClicks(field, "$.data[*]")
    qtbot.waitUntil(lambda: shown(view).startswith("["))
    before = shown(view)
    qtbot.keyClicks(field, "]")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "JSONPath: unexpected ']' at column 10"
    assert shown(view) == before
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: not error.isVisible())


def test_xpath_filters_a_soap_body(qtbot: QtBot, run: Run) -> None:
    view = BodyView("soap.response")
    qtbot.addWidget(view)
    view.show()
    run(view.show_body("text/xml; charset=utf-8", "utf-8", SOAP))
    field = view.findChild(QLineEdit, "soap.response.filter")
    assert field.placeholderText() == "Filter: //item/name"
    assert not view.tree_mode.isVisible()  # the tree is for JSON
    qtbot.keyClicks(field, "//m:item/m:name/text()")
    qtbot.waitUntil(lambda: shown(view) == "Ada\nBob")
    field.setText("//m:item[@id='2']")
    qtbot.waitUntil(lambda: shown(view).startswith("<m:item"))
    assert 'id="2"' in shown(view) and "<m:name>Bob</m:name>" in shown(view)
    field.setText("//x:item")
    error = view.findChild(QLabel, "soap.response.filter.error")
    qtbot.waitUntil(error.isVisible)
    assert "unknown namespace prefix x:" in error.text() and "m, soap" in error.text()


def test_a_large_body_is_filtered_in_a_worker_and_the_newest_expression_wins(
    qtbot: QtBot, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_filter, "SYNC_BYTES", 1_000)
    view = BodyView("t")
    qtbot.addWidget(view)
    big = {"items": [{"id": i, "name": f"item {i}"} for i in range(2_000)]}
    run(view.show_body("application/json", None, json.dumps(big).encode()))
    view.filter.field.setText("$.items[*].name")
    view.filter._run()  # at once, not after the pause, then a newer one at once too
    view.filter.field.setText("$.items[1999].id")
    view.filter._run()
    view.filter._timer.stop()
    assert view.filter.count.text() == "Filtering…"
    qtbot.waitUntil(lambda: view.filter.count.text() == "1 match")
    assert json.loads(shown(view)) == [1999]


def row(tree_view, *rows: int) -> QModelIndex:
    index = QModelIndex()
    for number in rows:
        index = tree_view.model().index(number, 0, index)
    return index


def test_tree_copies_a_value_and_its_path(qtbot: QtBot, view: BodyView) -> None:
    qtbot.mouseClick(view.findChild(QRadioButton, "t.tree"), Qt.MouseButton.LeftButton)
    tree = view.findChild(QWidget, "t.tree.view")
    qtbot.waitUntil(lambda: tree.model().rowCount() == 2)
    name = row(tree, 0, 1, 0)  # data[1].name
    assert name.data() == "name" and name.siblingAtColumn(1).data() == "bob"
    assert name.siblingAtColumn(2).data() == "string"
    tree.setCurrentIndex(name)
    clipboard = QGuiApplication.clipboard()
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "bob"
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tree, Qt.Key.Key_C, shift_ctrl)
    assert clipboard.text() == "$.data[1].name"
    odd = row(tree, 0, 1, 2)
    tree.setCurrentIndex(odd)
    view.tree.copy_path_action.trigger()
    assert clipboard.text() == "$.data[1]['odd key']"
    view.tree.copy_value_action.trigger()
    assert json.loads(clipboard.text()) == [10, 20]


def test_tree_expands_and_collapses_all(qtbot: QtBot, view: BodyView) -> None:
    view.tree_mode.setChecked(True)
    tree = view.tree.view
    qtbot.waitUntil(lambda: tree.model().rowCount() == 2)
    deep = row(tree, 0, 1, 2)  # data[1]['odd key']
    assert not tree.isExpanded(deep)
    qtbot.mouseClick(view.findChild(QWidget, "t.tree.expand_all"), Qt.MouseButton.LeftButton)
    assert tree.isExpanded(row(tree, 0)) and tree.isExpanded(deep)
    qtbot.mouseClick(view.findChild(QWidget, "t.tree.collapse_all"), Qt.MouseButton.LeftButton)
    assert not tree.isExpanded(row(tree, 0))
    tree.setCurrentIndex(row(tree, 0))
    qtbot.keyClick(tree, Qt.Key.Key_Right)  # the usual arrow keys unfold and fold
    assert tree.isExpanded(row(tree, 0))
    qtbot.keyClick(tree, Qt.Key.Key_Left)
    assert not tree.isExpanded(row(tree, 0))


def test_expand_all_on_a_huge_tree_stops_at_a_bound(qtbot: QtBot, run: Run) -> None:
    view = BodyView("t")
    qtbot.addWidget(view)
    view.show()
    huge = {"rows": [{"id": i, "tags": ["a", "b"]} for i in range(3_000)]}
    run(view.show_body("application/json", None, json.dumps(huge).encode()))
    view.tree_mode.setChecked(True)
    tree = view.tree.view
    qtbot.waitUntil(lambda: tree.model().rowCount() == 1)
    assert row(tree, 0, 2).data() == "[2000 … 2999]"  # long levels come in ranges
    view.tree.expand_all()
    assert tree.isExpanded(row(tree, 0)) and tree.isExpanded(row(tree, 0, 2))
    assert not tree.isExpanded(row(tree, 0, 2, 0))  # {"id": 2000, ...}
    assert "more than 5,000 rows" in view.tree.note.text()
    tree.setCurrentIndex(row(tree, 0, 2, 999, 0))
    view.tree.copy_path()
    assert QGuiApplication.clipboard().text() == "$.rows[2999].id"


def test_the_tree_follows_the_filter(qtbot: QtBot, view: BodyView) -> None:
    view.tree_mode.setChecked(True)
    view.filter.field.setText("$..name")
    tree = view.tree.view
    qtbot.waitUntil(lambda: row(tree, 0).data() == "$.data[0].name")
    assert row(tree, 1).siblingAtColumn(1).data() == "bob"
    view.filter.field.clear()
    qtbot.waitUntil(lambda: row(tree, 0).data() == "data")


def remembered(body: bytes, status: str = "200 OK") -> RememberedResponse:
    headers = (("content-type", "application/json"),)
    return RememberedResponse(status, headers, "application/json", None, body, len(body))


def test_compare_shows_added_and_removed_lines(qtbot: QtBot, view: BodyView) -> None:
    qtbot.mouseClick(view.findChild(QRadioButton, "t.diff"), Qt.MouseButton.LeftButton)
    summary = view.findChild(QLabel, "t.diff.summary")
    assert (
        summary.text()
        == "No response yet: send the request to compare its response with the next one."
    )
    changed = json.dumps({**DOC, "count": 3, "next": None}).encode()
    view.set_comparison(None, remembered(BODY))
    assert summary.text() == "No earlier response of this request to compare with yet"
    view.set_comparison(remembered(BODY), remembered(changed, "404 Not Found"))
    qtbot.waitUntil(lambda: summary.text().startswith("+2 −1 lines"))
    lines = view.findChild(QPlainTextEdit, "t.diff.text").toPlainText().splitlines()
    assert '-  "count": 2' in lines
    assert '+  "count": 3,' in lines and '+  "next": null' in lines
    assert view.findChild(QLabel, "t.diff.changes").text() == "Status 200 OK → 404 Not Found"
    view.find.query.setText('"next"')  # Ctrl+F searches the diff in this mode
    assert view.diff.text.textCursor().selectedText() == '"next"'
    view.wrap.setChecked(True)
    assert view.diff.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    view.set_comparison(remembered(BODY), remembered(BODY))
    qtbot.waitUntil(lambda: summary.text().startswith("No differences ·"))
    assert view.diff.text.toPlainText() == ""


def test_before_any_response_the_empty_state_offers_to_start_the_mocks(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    started: list[bool] = []
    action = QAction("Start mock servers", host, objectName="action.start_mocks")
    action.triggered.connect(lambda: started.append(True))
    response = ResponseView("t", host)
    host.show()
    empty = host.findChild(QWidget, "t.empty")
    assert empty.isVisible()
    assert host.findChild(QLabel, "t.empty.title").text() == "No response yet"
    button = host.findChild(QWidget, "t.empty.button")
    assert button.isVisible() and button.text() == "Start the mock servers"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert started == [True]
    response.show_sending("GET", "http://127.0.0.1/")
    assert not empty.isVisible()
    response.show_error("Cannot connect", "Nothing listens there.")  # told in the status line
    assert not empty.isVisible() and "Cannot connect" in response.status.text()


def test_the_button_is_hidden_without_a_start_action(qtbot: QtBot) -> None:
    response = ResponseView("t")
    qtbot.addWidget(response)
    response.show()
    assert response.empty.isVisible() and not response.empty.button.isVisible()


def test_rest_tab_compares_with_the_previous_response_of_the_request(
    qtbot: QtBot, window: MainWindow, rest_url: str
) -> None:
    empty = window.findChild(QWidget, "rest.response.empty")
    assert empty.isVisible()
    assert window.findChild(QWidget, "rest.response.empty.button").isVisible()  # mocks stopped
    type_url(qtbot, window, f"{rest_url}/api/items?page=1&per_page=2")
    send(qtbot, window, "200")
    assert not empty.isVisible()
    diff = window.findChild(QRadioButton, "rest.response.diff")
    qtbot.mouseClick(diff, Qt.MouseButton.LeftButton)
    summary = window.findChild(QLabel, "rest.response.diff.summary")
    assert summary.text() == "No earlier response of this request to compare with yet"
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: summary.text().startswith("No differences"))
    type_url(qtbot, window, f"{rest_url}/api/items?page=1&per_page=3")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: summary.text().startswith("+"))
    text = window.findChild(QPlainTextEdit, "rest.response.diff.text").toPlainText()
    assert '-  "per_page": 2,' in text.splitlines() and '+  "per_page": 3,' in text.splitlines()
    # In the window too, the tree's copy keys win over the window's shortcuts.
    qtbot.mouseClick(
        window.findChild(QRadioButton, "rest.response.tree"), Qt.MouseButton.LeftButton
    )
    tree = window.findChild(QWidget, "rest.response.tree.view")
    qtbot.waitUntil(lambda: tree.model().rowCount() > 0)
    items = next(r for r in range(tree.model().rowCount()) if row(tree, r).data() == "items")
    third = row(tree, items, 2)
    keys = [tree.model().index(r, 0, third).data() for r in range(tree.model().rowCount(third))]
    tree.setCurrentIndex(row(tree, items, 2, keys.index("id")))
    tree.setFocus()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tree, Qt.Key.Key_C, shift_ctrl)
    assert QGuiApplication.clipboard().text() == "$.items[2].id"
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "3"


def rest_response(body: bytes) -> RestResponse:
    timings = Timings(None, None, 0.001, 0.002, 0.001, 0.004, True)
    headers = (("content-type", "application/json"),)
    return RestResponse(
        "GET", "http://127.0.0.1/x", 200, "OK", "HTTP/1.1", headers, (), body,
        len(body), 10, 0.004, timings, (), (),
    )  # fmt: skip


def test_a_saved_request_keeps_its_previous_response_when_reopened(qtbot: QtBot, run: Run) -> None:
    owners: list[QWidget] = []

    def opened(relpath: str | None) -> ResponseView:
        owner = QWidget()
        owner.relpath = relpath  # as a request tab has it
        qtbot.addWidget(owner)
        owners.append(owner)
        return ResponseView("t", owner)

    first = opened("items/list.yaml")
    run(first.show_response(rest_response(b'{"n": 1}')))
    reopened = opened("items/list.yaml")  # its sub-tab closed and opened again
    run(reopened.show_response(rest_response(b'{"n": 2}')))
    reopened.body.compare.setChecked(True)
    reopened.window().show()
    summary = reopened.body.diff.summary
    qtbot.waitUntil(lambda: summary.text().startswith("+1 −1 lines"))
    draft = opened(None)  # another request: nothing to compare with
    run(draft.show_response(rest_response(b'{"n": 2}')))
    draft.body.compare.setChecked(True)
    draft.window().show()
    assert draft.body.diff.summary.text() == NO_EARLIER


def test_the_memory_keeps_two_responses_per_request_and_few_requests() -> None:
    memory = ResponseMemory(max_requests=2)
    for n in range(3):
        memory.remember("a", RememberedResponse(str(n), (), "", None, b"", 0))
    assert [r.status for r in memory.last_two("a")] == ["1", "2"]
    memory.remember("b", RememberedResponse("b", (), "", None, b"", 0))
    memory.remember("c", RememberedResponse("c", (), "", None, b"", 0))
    assert memory.last_two("a") == ()  # used longest ago
