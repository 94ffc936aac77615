"""The WebSocket tab as a user drives it, against the WebSocket mock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QTreeWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.core.paths import data_dir
from apiclient.ui.main_window import MainWindow
from apiclient.ui.tabs.websocket import WebsocketTab
from apiclient.ui.widgets.code_editor import CodeEditor


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _click(qtbot: QtBot, button: QPushButton | QToolButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def show_tab(qtbot: QtBot, window: MainWindow) -> WebsocketTab:
    tabs, bar = window.tabs, window.tabs.tabBar()
    tab = window.websocket
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tabs.indexOf(tab)).center())
    assert tabs.currentWidget() is tab
    return tab


def open_sample(qtbot: QtBot, window: MainWindow, name: str) -> WebsocketTab:
    relpath = f"live-websocket/{name}.yaml"
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.websocket.relpath == relpath)
    return window.websocket


def connect(qtbot: QtBot, window: MainWindow, phase: str = "open") -> str:
    """Click Connect and wait for ``phase``; returns the state line."""
    tab = window.websocket
    with qtbot.waitSignal(
        tab.phase_changed, timeout=15_000, check_params_cb=lambda seen: seen == phase
    ):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    return _find(window, QLabel, "websocket.state").text()


def type_url(qtbot: QtBot, window: MainWindow, url: str) -> None:
    field = _find(window, QLineEdit, "websocket.url")
    field.clear()
    qtbot.keyClicks(field, url)


def write_message(window: MainWindow, text: str, message_format: str = "text") -> None:
    combo = _find(window, QComboBox, "websocket.message_format")
    combo.setCurrentIndex(combo.findData(message_format))
    _find(window, QPlainTextEdit, "websocket.message").setPlainText(text)


def log_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """(direction, kind, preview) of every row the log shows, after the next batch."""
    tab = window.websocket
    tab.log.model.flush()
    model = tab.log.model
    return [
        (
            model.data(model.index(row, 2)),
            model.data(model.index(row, 3)),
            model.data(model.index(row, 5)),
        )
        for row in range(model.rowCount())
    ]


def wait_for_row(qtbot: QtBot, window: MainWindow, found: Callable[[tuple[str, str, str]], bool]):
    qtbot.waitUntil(lambda: any(found(row) for row in log_rows(window)), timeout=10_000)


@pytest.fixture
def ws_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["websocket"]


def test_connect_send_see_the_echo_and_the_counters(qtbot, window, ws_url):
    show_tab(qtbot, window)
    type_url(qtbot, window, f"{ws_url}/echo")
    state = connect(qtbot, window)
    assert "Open" in state
    assert _find(window, QPushButton, "websocket.connect").text() == "Disconnect"
    write_message(window, "hello, socket")
    with qtbot.waitSignal(window.websocket.message_sent):
        _click(qtbot, _find(window, QPushButton, "websocket.send"))
    wait_for_row(qtbot, window, lambda row: row == ("↓", "text", "hello, socket"))
    assert ("↑", "text", "hello, socket") in log_rows(window)
    counters = _find(window, QLabel, "websocket.counters")
    qtbot.waitUntil(lambda: "↓ 1 (13 B)" in counters.text() and "↑ 1 (13 B)" in counters.text())
    assert (
        "Sent the message: text, 13 B" in _find(window, QLabel, "websocket.message.status").text()
    )

    message = _find(window, QPlainTextEdit, "websocket.message")
    message.setPlainText("by keyboard")
    message.setFocus()
    with qtbot.waitSignal(window.websocket.message_sent):
        qtbot.keyClick(message, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for_row(qtbot, window, lambda row: row == ("↓", "text", "by keyboard"))
    assert message.toPlainText() == "by keyboard"  # Ctrl+Enter sends, adds no line

    status = _find(window, QLabel, "websocket.message.status")
    _click(qtbot, _find(window, QPushButton, "websocket.ping"))
    qtbot.waitUntil(lambda: "Pong after" in status.text())
    _find(window, QCheckBox, "websocket.log.control").setChecked(True)
    assert ("↓", "pong") in [row[:2] for row in log_rows(window)]

    with qtbot.waitSignal(window.websocket.session_ended, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    assert "Closed" in _find(window, QLabel, "websocket.state").text()
    assert _find(window, QPushButton, "websocket.connect").text() == "Connect"


def test_two_sessions_in_a_room_see_each_others_edits(qtbot, make_window, sample):
    alice, bob = make_window(sample), make_window(sample)
    open_sample(qtbot, alice, "editor-room-alice")
    open_sample(qtbot, bob, "editor-room-bob")
    connect(qtbot, alice)
    wait_for_row(qtbot, alice, lambda row: '"user_joined"' in row[2] and "alice" in row[2])
    connect(qtbot, bob)
    wait_for_row(qtbot, alice, lambda row: '"user_joined"' in row[2] and '"bob"' in row[2])

    with qtbot.waitSignal(alice.websocket.message_sent):
        _click(qtbot, _find(alice, QPushButton, "websocket.send"))  # a text_update
    wait_for_row(qtbot, bob, lambda row: row[0] == "↓" and "Hello from Alice" in row[2])
    (update,) = [row for row in log_rows(bob) if "text_update" in row[2]]
    assert json.loads(update[2])["user"] == "alice"
    assert not any(row[0] == "↓" and "text_update" in row[2] for row in log_rows(alice))

    saved = _find(bob, QTreeWidget, "websocket.saved")
    with qtbot.waitSignal(bob.websocket.message_sent):
        _click(qtbot, saved.itemWidget(saved.topLevelItem(0), 0))  # ▶ Delete 5 characters
    wait_for_row(qtbot, alice, lambda row: row[0] == "↓" and '"delete": 5' in row[2])


def test_a_refused_handshake_shows_the_status_and_body(qtbot, window, ws_url):
    show_tab(qtbot, window)
    type_url(qtbot, window, f"{ws_url}/reject")
    state = connect(qtbot, window, phase="closed")
    assert "403" in state and "send a valid token" in state
    assert _find(window, QPushButton, "websocket.connect").text() == "Connect"
    assert any(row[1] == "closed" and "403" in row[2] for row in log_rows(window))


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("http://127.0.0.1:1/echo", "ws://"),
        ("ws://", "URL"),
        ("{{nowhere}}/echo", "nowhere"),
        ("", "type a ws:// or wss:// URL"),
    ],
)
def test_bad_urls_are_told_without_connecting(qtbot, window, url, expect):
    show_tab(qtbot, window)
    type_url(qtbot, window, url)
    with qtbot.waitSignal(window.websocket.session_ended, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    assert expect in _find(window, QLabel, "websocket.state").text()
    assert window.websocket.session is None


def test_sending_while_disconnected_or_bad_json_keeps_the_message(qtbot, window, ws_url):
    show_tab(qtbot, window)
    write_message(window, "still here")
    with qtbot.waitSignal(window.websocket.message_sent):
        _click(qtbot, _find(window, QPushButton, "websocket.send"))
    status = _find(window, QLabel, "websocket.message.status")
    assert "not connected" in status.text()
    assert _find(window, QPlainTextEdit, "websocket.message").toPlainText() == "still here"

    type_url(qtbot, window, f"{ws_url}/echo")
    connect(qtbot, window)
    write_message(window, '{"a": 1,\n "b": }', "json")
    qtbot.waitUntil(lambda: "line 2" in status.text())  # told while typing
    with qtbot.waitSignal(window.websocket.message_sent):
        _click(qtbot, _find(window, QPushButton, "websocket.send"))
    assert "Not sent" in status.text() and "line 2" in status.text()
    assert not any(row[0] == "↑" for row in log_rows(window))


def test_saved_messages_send_with_one_click_and_binary_shows_as_hex(qtbot, window, dialogs):
    open_sample(qtbot, window, "echo")
    connect(qtbot, window)
    saved = _find(window, QTreeWidget, "websocket.saved")
    names = [saved.topLevelItem(i).text(1) for i in range(saved.topLevelItemCount())]
    row = names.index("Four bytes (hex)")
    with qtbot.waitSignal(window.websocket.message_sent):
        _click(qtbot, saved.itemWidget(saved.topLevelItem(row), 0))
    wait_for_row(qtbot, window, lambda r: r == ("↓", "binary", "de ad be ef"))
    table = _find(window, QTableView, "websocket.log")
    rows = log_rows(window)
    table.setCurrentIndex(table.model().index(rows.index(("↓", "binary", "de ad be ef")), 0))
    detail = _find(window, QPlainTextEdit, "websocket.log.detail").toPlainText()
    assert detail.startswith("00000000  de ad be ef")

    write_message(window, "keep me")
    dialogs.texts.append("Kept")
    _click(qtbot, _find(window, QPushButton, "websocket.save_message"))
    qtbot.waitUntil(lambda: saved.topLevelItemCount() == len(names) + 1)
    assert window.websocket.current_request().messages[-1].body == "keep me"
    assert window.websocket.dirty


def test_the_server_closing_with_a_code_and_a_chosen_close_code(qtbot, window, ws_url):
    open_sample(qtbot, window, "server-closes-with-4001-after-3-messages")
    state = connect(qtbot, window, phase="closed")
    assert "4001" in state and "session expired" in state and "server" in state
    assert sum(row[0] == "↓" and row[1] == "text" for row in log_rows(window)) == 3

    show_tab(qtbot, window)
    type_url(qtbot, window, f"{ws_url}/echo")
    connect(qtbot, window)
    with qtbot.waitSignal(window.websocket.session_ended, timeout=10_000):
        window.websocket.disconnect(4000, "bye now")
    assert "4000" in _find(window, QLabel, "websocket.state").text()
    _find(window, QCheckBox, "websocket.log.control").setChecked(True)
    assert ("↑", "close", "close 4000 “bye now”") in log_rows(window)


def test_a_heavy_stream_keeps_the_newest_in_memory_and_every_message_on_disk(qtbot, window, ws_url):
    show_tab(qtbot, window)
    _find(window, QSpinBox, "websocket.log.capacity").setValue(100)
    type_url(qtbot, window, f"{ws_url}/ticker?rate=5000&count=3000")
    with qtbot.waitSignal(window.websocket.session_ended, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    model = window.websocket.log.model
    model.flush()
    assert model.in_memory == 100 and model.dropped == 0
    assert model.total == model.kept > 3000  # + connection changes
    assert json.loads(model.entry_at(model.rowCount() - 2).data)["seq"] == 3000
    assert "↓ 3,000" in _find(window, QLabel, "websocket.counters").text()
    assert "let go" not in _find(window, QLabel, "websocket.log.summary").text()

    table = _find(window, QTableView, "websocket.log")
    _find(window, QToolButton, "websocket.log.follow").setChecked(False)
    table.scrollToTop()  # the oldest messages: read back from the spool
    qtbot.waitUntil(
        lambda: all(model.data(model.index(row, 5)) != "…" for row in range(5)), timeout=5_000
    )
    first_message = next(row for row in range(5) if model.data(model.index(row, 3)) == "text")
    assert json.loads(model.data(model.index(first_message, 5)))["seq"] == 1
    table.setCurrentIndex(model.index(first_message, 0))  # its detail, read in full
    detail = _find(window, CodeEditor, "websocket.log.detail")
    qtbot.waitUntil(lambda: '"seq": 1' in detail.toPlainText(), timeout=5_000)

    search = _find(window, QLineEdit, "websocket.log.search")
    search.setText('"seq": 2999')
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.searching, timeout=10_000)
    search.setText('"seq": 1,')  # over the whole session: the oldest is on disk only
    qtbot.waitUntil(
        lambda: model.rowCount() == 1 and '"seq": 1,' in model.data(model.index(0, 5)),
        timeout=10_000,
    )
    direction = _find(window, QComboBox, "websocket.log.direction")
    search.setText("")
    direction.setCurrentIndex(direction.findData("out"))
    qtbot.waitUntil(lambda: not model.searching, timeout=10_000)
    qtbot.waitUntil(lambda: {row[0] for row in log_rows(window)} == {"•"})  # changes only


def test_an_unwritable_spool_folder_is_told_and_the_session_runs_in_memory(qtbot, window, ws_url):
    spool = data_dir() / "spool"
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_text("a file where the spool folder should be")
    show_tab(qtbot, window)
    _find(window, QSpinBox, "websocket.log.capacity").setValue(100)
    type_url(qtbot, window, f"{ws_url}/ticker?rate=5000&count=500")
    with qtbot.waitSignal(window.websocket.session_ended, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    summary = _find(window, QLabel, "websocket.log.summary")
    qtbot.waitUntil(lambda: "in memory" in summary.text(), timeout=5_000)
    assert "Cannot keep the session's log on disk" in summary.text()
    assert str(spool) in summary.text()
    model = window.websocket.log.model
    model.flush()
    assert model.total > 500 and model.kept == 100  # the newest
    assert model.dropped == model.total - 100
    assert "let go" in summary.text()
    assert "↓ 500" in _find(window, QLabel, "websocket.counters").text()  # counted exactly


def test_pings_show_on_request(qtbot, window):
    open_sample(qtbot, window, "server-pings")
    with qtbot.waitSignal(window.websocket.session_ended, timeout=15_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    assert not any(row[1] in ("ping", "pong") for row in log_rows(window))
    _find(window, QCheckBox, "websocket.log.control").setChecked(True)
    rows = log_rows(window)
    assert sum(row[:2] == ("↓", "ping") for row in rows) == 5
    assert sum(row[:2] == ("↑", "pong") for row in rows) == 5


def test_export_saves_the_session_as_json(qtbot, window, ws_url, dialogs, tmp_path: Path):
    show_tab(qtbot, window)
    type_url(qtbot, window, f"{ws_url}/close-after?n=2&code=1000")
    with qtbot.waitSignal(window.websocket.session_ended, timeout=15_000):
        _click(qtbot, _find(window, QPushButton, "websocket.connect"))
    target = tmp_path / "out.json"
    dialogs.paths.append(str(target))
    _click(qtbot, _find(window, QPushButton, "websocket.log.export"))
    summary = _find(window, QLabel, "websocket.log.summary")
    qtbot.waitUntil(lambda: "Exported" in summary.text())
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["counters"]["messages_in"] == 2
    texts = [entry["text"] for entry in saved["entries"] if entry.get("kind") == "text"]
    assert [json.loads(text) for text in texts] == [{"seq": 1, "of": 2}, {"seq": 2, "of": 2}]


def test_replacing_the_request_closes_the_session_and_keeps_the_log(qtbot, window):
    tab = open_sample(qtbot, window, "echo")
    connect(qtbot, window)
    session = tab.session
    node = window.workspace.find("live-websocket/ticker-gentle.yaml")
    tab.open_request(node.request, node.relpath)  # in place, as a reload from disk does
    assert tab.session is None
    assert _find(window, QPushButton, "websocket.connect").text() == "Connect"
    assert "socket closed" in _find(window, QLabel, "websocket.state").text()
    qtbot.waitUntil(lambda: session.status.phase == "closed")
    assert any(row[1] == "open" for row in log_rows(window))


def test_stop_works_before_the_session_exists_and_a_bad_close_code_is_told(
    qtbot, window, ws_url, dialogs
):
    show_tab(qtbot, window)
    type_url(qtbot, window, f"{ws_url}/echo")
    button = _find(window, QPushButton, "websocket.connect")
    with qtbot.waitSignal(window.websocket.session_ended, timeout=10_000):
        _click(qtbot, button)  # Connect: the engine is still being imported...
        assert button.text() == "Stop"
        _click(qtbot, button)  # ...and Stop stops it; no second connection starts
    assert window.websocket.session is None
    assert "Stopped" in _find(window, QLabel, "websocket.state").text()

    connect(qtbot, window)
    dialogs.texts.append("²000 bye")
    window.websocket.ask_close_code()
    status = _find(window, QLabel, "websocket.message.status")
    qtbot.waitUntil(lambda: "is not a close code" in status.text())
    assert "Open" in _find(window, QLabel, "websocket.state").text()
    dialogs.texts.append("1001 going")
    window.websocket.ask_close_code()
    qtbot.waitUntil(lambda: "1001 cannot be sent" in status.text())
    assert window.websocket.session is not None
