"""The GraphQL tab as a user drives it, against the GraphQL mock."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTreeWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.core.models import GraphqlRequest
from apiclient.ui.main_window import MainWindow


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def graphql_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["graphql"]


def open_tab(qtbot: QtBot, window: MainWindow, url: str) -> None:
    tabs = window.tabs
    bar = tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tabs.indexOf(window.graphql)).center()
    )
    assert tabs.currentWidget() is window.graphql
    field = _find(window, QLineEdit, "graphql.url")
    field.clear()
    qtbot.keyClicks(field, url)


def fetch_schema(qtbot: QtBot, window: MainWindow) -> str:
    with qtbot.waitSignal(window.graphql.schema_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "graphql.fetch_schema"))
    return _find(window, QLabel, "graphql.schema_status").text()


def type_query(qtbot: QtBot, window: MainWindow, query: str, variables: str = "") -> None:
    with qtbot.waitSignal(window.graphql.document_checked, timeout=10_000):
        _find(window, QPlainTextEdit, "graphql.query").setPlainText(query)
        _find(window, QPlainTextEdit, "graphql.variables").setPlainText(variables)


def send(qtbot: QtBot, window: MainWindow) -> str:
    with qtbot.waitSignal(window.graphql.send_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "graphql.send"))
    return _find(window, QLabel, "graphql.response.status").text()


def body(window: MainWindow) -> str:
    return _find(window, QPlainTextEdit, "graphql.response.body").toPlainText()


def test_fetch_schema_type_query_send_and_see_data(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    status = fetch_schema(qtbot, window)
    assert "types" in status and "introspection" in status
    tree = _find(window, QTreeWidget, "graphql.schema")
    names = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert names[0] == "Query" and {"Event", "Speaker", "Topic", "NewSessionInput"} <= set(names)

    type_query(qtbot, window, '{ events(city: "Berlin") { name location { city } } }')
    assert not _find(window, QLabel, "graphql.query.problems").isVisible()
    assert "200" in send(qtbot, window)
    qtbot.waitUntil(lambda: "Berlin" in body(window))
    data = json.loads(body(window))["data"]
    assert all(e["location"]["city"] == "Berlin" for e in data["events"])
    assert not _find(window, QLabel, "graphql.errors").isVisible()


def test_the_explorer_searches_and_inserts_fields(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    fetch_schema(qtbot, window)
    search = _find(window, QLineEdit, "graphql.schema.search")
    qtbot.keyClicks(search, "attendee")
    tree = _find(window, QTreeWidget, "graphql.schema")
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 1)
    event = tree.topLevelItem(0)
    assert event.text(0) == "Event" and event.child(0).text(0).startswith("attendeeCount")
    query = _find(window, QPlainTextEdit, "graphql.query")
    query.setPlainText("{ events { } }")
    cursor = query.textCursor()
    cursor.setPosition(len("{ events { "))
    query.setTextCursor(cursor)
    tree.setCurrentItem(event.child(0))
    tree.itemActivated.emit(event.child(0), 0)
    assert query.toPlainText() == "{ events { attendeeCount} }"
    info = _find(window, QLabel, "graphql.schema.info").text()
    assert "Event.attendeeCount" in info


def test_deprecated_fields_are_marked(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    fetch_schema(qtbot, window)
    fields = window.graphql.explorer.field_items("Event")
    deprecated = [item for item in fields if "(deprecated)" in item.text(0)]
    assert deprecated
    window.graphql.explorer.tree.setCurrentItem(deprecated[0])
    assert "Deprecated" in _find(window, QLabel, "graphql.schema.info").text()


def test_errors_are_shown_next_to_partial_data(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    type_query(qtbot, window, '{ events(first: 1) { name } event(id: "404") { name } }')
    assert "200" in send(qtbot, window)
    errors = _find(window, QLabel, "graphql.errors")
    qtbot.waitUntil(errors.isVisible)
    assert "No event with id" in errors.text() and "partial data" in errors.text()
    assert "at event" in errors.text()


def test_bad_documents_are_caught_before_sending(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    fetch_schema(qtbot, window)
    problems = _find(window, QLabel, "graphql.query.problems")
    type_query(qtbot, window, "{\n  events {\n    nme\n  }\n}")
    assert problems.isVisible() and "line 3, column 5" in problems.text()
    assert "name" in problems.text()  # did you mean
    status = send(qtbot, window)
    assert "not sent" in status.lower() or "not valid" in status.lower()
    cursor = _find(window, QPlainTextEdit, "graphql.query").textCursor()
    assert cursor.blockNumber() == 2

    type_query(qtbot, window, "{ events(first: 1 { name } }")
    assert "line 1" in problems.text()
    type_query(qtbot, window, "query($n: Int!) { events(first: $n) { name } }", "{not json")
    assert "JSON" in problems.text() or "json" in problems.text()
    type_query(qtbot, window, "query($n: Int!) { events(first: $n) { name } }", '{"n": "x"}')
    assert "$n" in problems.text() or "'n'" in problems.text() or '"n"' in problems.text()


def test_several_operations_let_the_user_pick_one(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    type_query(
        qtbot,
        window,
        "query Cities { events { location { city } } }\nquery Speakers { speakers { name } }",
    )
    combo = _find(window, QComboBox, "graphql.operation")
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Cities" in labels and "Speakers" in labels
    combo.setCurrentIndex(combo.findData("Speakers"))
    assert "200" in send(qtbot, window)
    qtbot.waitUntil(lambda: '"speakers"' in body(window))
    assert '"events"' not in body(window)


def test_a_subscription_streams_into_the_log_and_stops(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    type_query(qtbot, window, "subscription { ticks(count: 3, intervalMs: 50) { n } }")
    assert _find(window, QPushButton, "graphql.send").text() == "Subscribe"
    send(qtbot, window)
    log = _find(window, QTableView, "graphql.subscription.log")
    assert log.model().rowCount() == 3
    assert "Completed" in _find(window, QLabel, "graphql.response.status").text()

    status = _find(window, QLabel, "graphql.response.status")
    for protocol in ("graphql-ws", "graphql-transport-ws"):
        combo = _find(window, QComboBox, "graphql.subscription.protocol")
        combo.setCurrentIndex(combo.findData(protocol))
        type_query(qtbot, window, "subscription { ticks(count: 1000, intervalMs: 20) { n } }")
        _click(qtbot, _find(window, QPushButton, "graphql.send"))
        qtbot.waitUntil(lambda: "Subscribed" in status.text(), timeout=10_000)
        qtbot.waitUntil(lambda: log.model().rowCount() >= 3, timeout=10_000)
        with qtbot.waitSignal(window.graphql.send_finished, timeout=10_000):
            _click(qtbot, _find(window, QPushButton, "graphql.cancel"))
        assert "Stopped" in status.text()


def test_locked_introspection_offers_the_sdl_file(
    qtbot, window, graphql_url, tmp_path: Path, monkeypatch
):
    open_tab(qtbot, window, f"{graphql_url}/graphql-locked")
    status = fetch_schema(qtbot, window)
    assert "introspection" in status.lower() and "SDL" in status
    sdl = tmp_path / "events.graphql"
    sdl.write_text(httpx.get(f"{graphql_url}/schema.graphql").text, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(sdl), ""))
    with qtbot.waitSignal(window.graphql.schema_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "graphql.load_sdl"))
    assert "events.graphql" in _find(window, QLabel, "graphql.schema_status").text()
    assert window.graphql.current_request().schema_file == str(sdl)


def test_completion_offers_the_fields_at_the_cursor(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    fetch_schema(qtbot, window)
    query = _find(window, QPlainTextEdit, "graphql.query")
    query.setPlainText("{ events { na } }")
    cursor = query.textCursor()
    cursor.setPosition(len("{ events { na"))
    query.setTextCursor(cursor)
    window.graphql.complete_at_cursor()
    popup = window.graphql._completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [
        window.graphql._completer.completionModel().index(i, 0).data()
        for i in range(window.graphql._completer.completionCount())
    ]
    assert any(text.startswith("name") for text in shown)
    qtbot.keyClicks(query, "m")  # typing narrows the open list
    assert window.graphql._completer.completionPrefix() == "nam"
    qtbot.keyClick(query, Qt.Key.Key_Return)  # picks the entry; no newline in the query
    assert query.toPlainText() == "{ events { name } }"
    assert not popup.isVisible()


def test_the_schema_follows_the_endpoint(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    fetch_schema(qtbot, window)
    tree = _find(window, QTreeWidget, "graphql.schema")
    problems = _find(window, QLabel, "graphql.query.problems")
    qtbot.keyClicks(_find(window, QLineEdit, "graphql.url"), "-locked")
    type_query(qtbot, window, "{ viewer { login } }")
    assert not tree.isEnabled() and window.graphql.schema is None
    assert "endpoint changed" in _find(window, QLabel, "graphql.schema_status").text()
    assert not problems.isVisible()  # not checked against the other server's schema
    url = _find(window, QLineEdit, "graphql.url")
    url.setText(f"{graphql_url}/graphql")
    window.graphql.editor.edited.emit()
    type_query(qtbot, window, "{ viewer { login } }")
    assert tree.isEnabled() and window.graphql.schema is not None
    assert "viewer" in problems.text()


def test_saved_graphql_request_reopens_exactly(qtbot, window, graphql_url, dialogs):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    type_query(qtbot, window, "query One($n: Int) { events(first: $n) { name } }", '{"n": 2}')
    dialogs.texts.append("Two events")
    with qtbot.waitSignal(window.graphql.dirty_changed, timeout=10_000):
        window.save_action.trigger()
    saved = window.graphql.current_request()
    relpath = window.graphql.relpath
    assert relpath is not None and saved.query.startswith("query One")
    window.graphql.open_request(GraphqlRequest(), None)
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.graphql.relpath == relpath)
    assert window.graphql.current_request() == saved
    assert not window.graphql.dirty


def test_a_refused_subscription_protocol_is_explained(qtbot, window, graphql_url):
    open_tab(qtbot, window, f"{graphql_url}/graphql")
    ws = graphql_url.replace("http://", "ws://") + "/graphql-noproto"
    _find(window, QLineEdit, "graphql.subscription_url").setText(ws)
    window.graphql.editor.edited.emit()
    type_query(qtbot, window, "subscription { ticks(count: 2) { n } }")
    status = send(qtbot, window)
    assert "Subscription failed" in status and "graphql-transport-ws" in status


@pytest.mark.parametrize(("path", "expected"), [("html", "not JSON"), ("500", "500")])
def test_answers_that_are_not_graphql_are_explained(qtbot, window, graphql_url, path, expected):
    open_tab(qtbot, window, f"{graphql_url}/graphql-broken/{path}")
    type_query(qtbot, window, "{ events { name } }")
    send(qtbot, window)
    errors = _find(window, QLabel, "graphql.errors")
    qtbot.waitUntil(errors.isVisible)
    assert expected in errors.text()


def test_a_saved_operation_name_does_not_make_the_request_dirty(qtbot, window, graphql_url):
    saved = GraphqlRequest(
        name="Named",
        url=f"{graphql_url}/graphql",
        query="query One { events { name } }",
        operation_name="One",
    )
    window.tabs.setCurrentWidget(window.graphql)
    with qtbot.waitSignal(window.graphql.document_checked, timeout=10_000):
        window.graphql.open_request(saved, "named.yaml")
    assert window.graphql.current_request() == saved
    assert not window.graphql.dirty
