"""The REST tab with the keyboard only: no mouse, no setText, keys sent to the focused
widget as a person would press them."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QTableWidget, QWidget

from apiclient.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot, text: str) -> None:
    """Type ``text`` key by key into whatever has the focus at each key (the first key
    on a table cell opens its editor, which takes the keys after it)."""
    for char in text:
        qtbot.keyClicks(focused(), char)


def tab_until(qtbot, reached, backwards: bool = False, limit: int = 40) -> list[QWidget]:
    """Press Tab (Shift+Tab) until ``reached(focused widget)``; the widgets passed."""
    passed = []
    for _ in range(limit):
        if backwards:
            press(qtbot, Qt.Key.Key_Backtab, SHIFT)
        else:
            press(qtbot, Qt.Key.Key_Tab)
        passed.append(focused())
        if reached(focused()):
            return passed
    names = [widget.objectName() for widget in passed]
    raise AssertionError(f"not reached with {'Shift+' if backwards else ''}Tab: {names}")


def test_compose_send_read_and_save_with_the_keyboard(qtbot, window: MainWindow, rest_url, dialogs):
    # The History panel, built on the first send, shows its list as a window for a
    # moment (history_panel.py fills a QStackedLayout with no parent), which takes the
    # focus from the main window: build it first, as after any earlier send.
    window.history  # noqa: B018
    window.activateWindow()
    press(qtbot, Qt.Key.Key_N, CTRL)  # a new request, so Save asks for a name
    tab = window.rest
    url = tab.findChild(QLineEdit, "rest.url")
    method = tab.findChild(QComboBox, "rest.method")
    headers = tab.findChild(QTableWidget, "rest.headers")
    status = tab.findChild(QLabel, "rest.response.status")

    press(qtbot, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(url.hasFocus)
    type_text(qtbot, f"{rest_url}/echo?from=keyboard")

    press(qtbot, Qt.Key.Key_Backtab, SHIFT)
    assert method.hasFocus()
    assert method.currentText() == "GET"
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)
    assert method.currentText() == "PUT"

    # To the request's tab bar, then Right to "Headers" and Tab into its table.
    tab_until(qtbot, lambda w: w.parentWidget().objectName() == "rest.request.tabs")
    while tab.editor.tabs.currentWidget() is not headers:
        press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Tab)
    assert headers.hasFocus()
    type_text(qtbot, "X-Typed-By")  # typing starts editing the first name
    press(qtbot, Qt.Key.Key_Tab)  # on to the value
    type_text(qtbot, "keyboard")
    press(qtbot, Qt.Key.Key_Return)  # the cell is committed once events are processed
    qtbot.waitUntil(headers.hasFocus)
    assert [(h.name, h.value) for h in tab.editor.request().headers] == [("X-Typed-By", "keyboard")]

    with qtbot.waitSignal(tab.send_finished, timeout=15_000):
        press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "200" in status.text())

    body = tab.findChild(QWidget, "rest.response.body")
    qtbot.waitUntil(lambda: '"method"' in body.toPlainText())
    echoed = json.loads(body.toPlainText())
    assert echoed["method"] == "PUT"
    assert echoed["headers"]["x-typed-by"] == "keyboard"
    assert echoed["query"] == {"from": ["keyboard"]}

    # Tab on from the headers reaches the response body, Shift+Tab comes back.
    assert headers.hasFocus()
    forward = tab_until(qtbot, lambda w: w is body)
    assert all(tab.response.isAncestorOf(widget) for widget in forward)
    backward = tab_until(qtbot, lambda w: w is headers, backwards=True)
    assert backward[:-1] == forward[-2::-1]

    dialogs.texts.append("Typed by keyboard")
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: tab.relpath is not None)
    assert tab.saved_request.name == "Typed by keyboard"
    assert tab.saved_request.method == "PUT"
    assert not tab.dirty
