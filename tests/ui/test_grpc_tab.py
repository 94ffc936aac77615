"""The gRPC tab as a user drives it, against the gRPC mock."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTreeWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.ui.main_window import MainWindow


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def target(mock_urls: dict[str, str]) -> str:
    return mock_urls["grpc"].removeprefix("grpc://")


def reflect(qtbot: QtBot, window: MainWindow, target: str) -> str:
    tabs = window.tabs
    bar = tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tabs.indexOf(window.grpc)).center()
    )
    field = _find(window, QLineEdit, "grpc.target")
    field.clear()
    qtbot.keyClicks(field, target)
    with qtbot.waitSignal(window.grpc.catalog_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "grpc.reflect"))
    return _find(window, QLabel, "grpc.methods_status").text()


def choose(qtbot: QtBot, window: MainWindow, name: str) -> None:
    tree = _find(window, QTreeWidget, "grpc.methods")
    (item,) = tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    message = _find(window, QPlainTextEdit, "grpc.message")
    before = message.toPlainText()
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )
    qtbot.waitUntil(
        lambda: (
            message.toPlainText() != before and window.grpc.current_request().method.endswith(name)
        )
    )


def set_message(window: MainWindow, value: object) -> None:
    _find(window, QPlainTextEdit, "grpc.message").setPlainText(json.dumps(value))


def send(qtbot: QtBot, window: MainWindow) -> str:
    with qtbot.waitSignal(window.grpc.send_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "grpc.send"))
    return _find(window, QLabel, "grpc.response.status").text()


def test_reflect_pick_a_method_send_and_see_the_message(qtbot, window, target):
    status = reflect(qtbot, window, target)
    assert "TrackService" not in status or "method(s)" in status
    tree = _find(window, QTreeWidget, "grpc.methods")
    services = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "mock.tracks.v1.TrackService" in services
    choose(qtbot, window, "GetTrack")
    template = json.loads(_find(window, QPlainTextEdit, "grpc.message").toPlainText())
    assert set(template) == {"id", "include_credits"}
    set_message(window, {"id": "t1", "include_credits": True})
    status = send(qtbot, window)
    assert "OK" in status
    body = json.loads(_find(window, QPlainTextEdit, "grpc.response.body").toPlainText())
    assert body["id"] == "t1" and body["artist"]["name"]
    trailers = window.grpc.response.trailers
    names = [trailers.item(r, 0).text() for r in range(trailers.rowCount())]
    assert "x-served-by" in names


def test_a_server_stream_fills_the_log(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "ListTracks")
    set_message(window, {"limit": 4, "interval_ms": 20})
    status = send(qtbot, window)
    assert "OK" in status and "4 message(s)" in status
    assert _find(window, QTableView, "grpc.response.log").model().rowCount() == 4


def test_errors_show_the_status_and_details(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "GetTrack")
    set_message(window, {"id": "404"})
    assert "NOT_FOUND" in send(qtbot, window)
    set_message(window, {"id": ""})
    assert "INVALID_ARGUMENT" in send(qtbot, window)
    details = _find(window, QPlainTextEdit, "grpc.response.details").toPlainText()
    assert "BadRequest" in details and "must not be empty" in details
    set_message(window, {"idd": "t1"})
    status = send(qtbot, window)
    assert "idd" in status and "not sent" in status.lower()


def test_a_client_stream_sends_several_then_closes(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "RecordPlays")
    set_message(window, [{"track_id": "t1", "seconds": 30}, {"track_id": "t2", "seconds": 12}])
    _click(qtbot, _find(window, QPushButton, "grpc.send"))
    more = _find(window, QPushButton, "grpc.send_message")
    qtbot.waitUntil(more.isVisible)
    set_message(window, {"track_id": "t1", "seconds": 8})
    _click(qtbot, more)
    with qtbot.waitSignal(window.grpc.send_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "grpc.close_send"))
    body = json.loads(_find(window, QPlainTextEdit, "grpc.response.body").toPlainText())
    assert body["plays"] == 3 and body["total_seconds"] == 50


def test_without_reflection_the_message_says_to_load_protos(qtbot, window, rest_url):
    status = reflect(qtbot, window, "127.0.0.1:9")
    assert "Services not found" in status


def test_a_bidirectional_session(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "Jam")
    set_message(window, [{"from": "me", "text": "hello"}])
    _click(qtbot, _find(window, QPushButton, "grpc.send"))
    log = _find(window, QTableView, "grpc.response.log")
    qtbot.waitUntil(lambda: log.model().rowCount() == 1)
    set_message(window, {"from": "me", "text": "again"})
    _click(qtbot, _find(window, QPushButton, "grpc.send_message"))
    qtbot.waitUntil(lambda: log.model().rowCount() == 2)
    assert "echo: again" in log.model().event_at(1).detail
    with qtbot.waitSignal(window.grpc.send_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "grpc.close_send"))
    assert "OK" in _find(window, QLabel, "grpc.response.status").text()


def test_proto_files_describe_a_server_without_reflection(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from apiclient.core.paths import resources_dir

    proto = resources_dir() / "proto/tracks/v1/tracks.proto"
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(proto)], ""))
    window.tabs.setCurrentWidget(window.grpc)
    with qtbot.waitSignal(window.grpc.catalog_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "grpc.load_protos"))
    status = _find(window, QLabel, "grpc.methods_status").text()
    assert "tracks.proto" in status
    assert window.grpc.current_request().proto_files == [str(proto)]
    names = [item.text(0) for item in window.grpc.methods.method_items()]
    assert names == ["GetTrack", "ListTracks", "RecordPlays", "Jam"]


def test_the_methods_follow_the_target_and_a_saved_call_reopens(qtbot, window, target, dialogs):
    reflect(qtbot, window, target)
    choose(qtbot, window, "GetTrack")
    set_message(window, {"id": "t3"})
    dialogs.texts.append("Track three")
    with qtbot.waitSignal(window.grpc.dirty_changed, timeout=10_000):
        window.save_action.trigger()
    saved = window.grpc.current_request()
    relpath = window.grpc.relpath
    assert relpath is not None

    qtbot.keyClicks(_find(window, QLineEdit, "grpc.target"), "9")
    tree = _find(window, QTreeWidget, "grpc.methods")
    qtbot.waitUntil(lambda: not tree.isEnabled())
    assert "target changed" in _find(window, QLabel, "grpc.methods_status").text()
    assert "No method" in send(qtbot, window)

    window.close_request(window.grpc)  # its edits dropped (the prompt is answered Discard)
    qtbot.waitUntil(lambda: window.grpc.relpath is None)
    with qtbot.waitSignal(window.grpc.catalog_finished, timeout=10_000):  # reflected again
        window.sidebar.request_activated.emit(relpath)  # in place of the blank one left
    assert window.grpc.relpath == relpath
    tree = _find(window, QTreeWidget, "grpc.methods")
    qtbot.waitUntil(tree.isEnabled)
    assert window.grpc.current_request() == saved and not window.grpc.dirty
    assert "OK" in send(qtbot, window)


def test_cancel_keeps_what_arrived_and_shows_cancelled(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "ListTracks")
    set_message(window, {"limit": 8, "interval_ms": 300})
    _click(qtbot, _find(window, QPushButton, "grpc.send"))
    log = _find(window, QTableView, "grpc.response.log")
    qtbot.waitUntil(lambda: log.model().rowCount() >= 1, timeout=10_000)
    with qtbot.waitSignal(window.grpc.send_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "grpc.cancel"))
    status = _find(window, QLabel, "grpc.response.status").text()
    assert "CANCELLED" in status
    assert log.model().rowCount() >= 1
