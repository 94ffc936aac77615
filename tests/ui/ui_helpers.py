"""Small steps a user takes in the REST tab, shared by the UI tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from apiclient.ui.main_window import MainWindow


def status_text(window: MainWindow) -> str:
    return window.findChild(QLabel, "rest.response.status").text()


def body_text(window: MainWindow) -> str:
    return window.findChild(QPlainTextEdit, "rest.response.body").toPlainText()


def type_url(qtbot: QtBot, window: MainWindow, url: str) -> None:
    field = window.findChild(QLineEdit, "rest.url")
    field.clear()
    qtbot.keyClicks(field, url)


def send(qtbot: QtBot, window: MainWindow, expect: str = "", timeout: int = 15_000) -> None:
    """Click Send and wait until the status line shows ``expect`` and the send ended."""
    status = window.findChild(QLabel, "rest.response.status")
    with qtbot.waitSignal(window.rest.send_finished, timeout=timeout):
        qtbot.mouseClick(window.findChild(QPushButton, "rest.send"), Qt.MouseButton.LeftButton)
    if expect:
        qtbot.waitUntil(lambda: expect in status.text(), timeout=timeout)


def find(window: MainWindow, kind: type, name: str):
    """The child of ``window`` of ``kind`` named ``name``; fails the test when missing."""
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
