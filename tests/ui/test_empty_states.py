"""What the gRPC response area and the WebSocket log show while they have nothing to show:
an empty state saying what to do next, replaced by the real content as soon as there
is some, and back when it is gone."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableView, QWidget
from pytestqt.qtbot import QtBot
from test_grpc_tab import choose, reflect, send, set_message
from test_websocket_tab import connect, log_rows, show_tab, type_url, write_message
from ui_helpers import click, find

from apiclient.protocols.websocket_events import WsFrame
from apiclient.ui.main_window import MainWindow


def _texts(window: MainWindow, name: str) -> tuple[str, str]:
    title = find(window, QLabel, f"{name}.title")
    return title.text(), find(window, QLabel, f"{name}.hint").text()


def _show_grpc(qtbot: QtBot, window: MainWindow) -> None:
    tabs, bar = window.tabs, window.tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tabs.indexOf(window.grpc)).center()
    )


def test_grpc_response_is_an_empty_state_until_the_first_call(
    qtbot: QtBot, window: MainWindow, mock_urls: dict[str, str]
) -> None:
    window.show()
    _show_grpc(qtbot, window)
    empty = find(window, QWidget, "grpc.response.empty")
    body = find(window, QPlainTextEdit, "grpc.response.body")
    assert empty.isVisible() and not body.isVisible()
    title, hint = _texts(window, "grpc.response.empty")
    assert title == "No response yet"
    assert "Send (Ctrl+Enter)" in hint and "Reflect" in hint
    assert find(window, QLabel, "grpc.response.status").text() == ""
    # The window's mock servers are stopped (the tests' own run apart): one click starts them.
    button = find(window, QPushButton, "grpc.response.empty.button")
    assert button.isVisible() and button.text() == "Start the mock servers"
    started: list[bool] = []
    start = window.findChild(QAction, "action.start_mocks")
    start.triggered.disconnect()  # the tests' mock servers already run: just see the click
    start.triggered.connect(lambda: started.append(True))
    click(qtbot, button)
    assert started == [True] and not button.isVisible()

    reflect(qtbot, window, mock_urls["grpc"].removeprefix("grpc://"))
    choose(qtbot, window, "GetTrack")
    set_message(window, {"id": "t1", "include_credits": False})
    assert "OK" in send(qtbot, window)
    assert not empty.isVisible() and body.isVisible()
    assert json.loads(body.toPlainText())["id"] == "t1"

    window.new_request("grpc")  # another request: nothing called for it yet
    qtbot.waitUntil(lambda: window.grpc.response.empty.isVisible())
    assert window.grpc.response.body.toPlainText() == ""


def test_grpc_error_before_any_call_replaces_the_empty_state(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show()
    _show_grpc(qtbot, window)
    empty = find(window, QWidget, "grpc.response.empty")
    target = find(window, QWidget, "grpc.target")
    target.clear()
    with qtbot.waitSignal(window.grpc.send_finished, timeout=10_000):
        click(qtbot, find(window, QPushButton, "grpc.send"))
    status = find(window, QLabel, "grpc.response.status").text()
    assert "Nothing to call" in status
    assert not empty.isVisible()


def test_websocket_log_empty_state_then_entries_then_empty_after_clear(
    qtbot: QtBot, window: MainWindow, websocket_url: str
) -> None:
    window.show()
    tab = show_tab(qtbot, window)
    empty = find(window, QWidget, "websocket.log.empty")
    table = find(window, QTableView, "websocket.log")
    assert empty.isVisible() and not table.isVisible()
    assert _texts(window, "websocket.log.empty") == (
        "No messages yet",
        "Connect, then send a message: what is sent and received appears here.",
    )

    type_url(qtbot, window, f"{websocket_url}/echo")
    connect(qtbot, window)
    qtbot.waitUntil(table.isVisible)  # the connection's opening is the first entry
    assert not empty.isVisible()
    write_message(window, "hello, empty state")
    with qtbot.waitSignal(tab.message_sent):
        click(qtbot, find(window, QPushButton, "websocket.send"))
    qtbot.waitUntil(lambda: ("↓", "text", "hello, empty state") in log_rows(window))

    click(qtbot, find(window, QPushButton, "websocket.log.clear"))
    assert empty.isVisible() and not table.isVisible()
    assert _texts(window, "websocket.log.empty") == (
        "Connected",
        "Send a message: what is sent and received appears here.",
    )
    summary = find(window, QLabel, "websocket.log.summary")
    assert summary.text() == "0 entries"

    write_message(window, "after the clear")
    with qtbot.waitSignal(tab.message_sent):
        click(qtbot, find(window, QPushButton, "websocket.send"))
    qtbot.waitUntil(table.isVisible)
    qtbot.waitUntil(lambda: ("↓", "text", "after the clear") in log_rows(window))

    with qtbot.waitSignal(tab.session_ended, timeout=10_000):
        click(qtbot, find(window, QPushButton, "websocket.connect"))
    click(qtbot, find(window, QPushButton, "websocket.log.clear"))
    assert empty.isVisible()
    assert _texts(window, "websocket.log.empty")[0] == "No messages yet"


def test_websocket_log_filtered_to_nothing_is_not_empty(qtbot: QtBot, window: MainWindow) -> None:
    """Entries the filter hides still are entries: the table (and its "0 match") shows."""
    window.show()
    tab = show_tab(qtbot, window)
    table = find(window, QTableView, "websocket.log")
    tab.log.model.append(WsFrame("in", "ping", time.time(), b"ping", 4))  # hidden: a ping
    tab.log.model.flush()
    assert tab.log.model.rowCount() == 0
    assert table.isVisible()
    assert "0 match the filter" in find(window, QLabel, "websocket.log.summary").text()
