"""Ctrl+F: a find bar over any code editor, the response body's own search field."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.find_overlay import SYNC_CHARS, FindOverlay, find_all

TEXT = '{\n  "name": "Ada",\n  "friend": {"name": "Grace"},\n  "NAME": "x"\n}\n'


def _ctrl_f(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)


def test_find_all_counts_any_case_in_editor_positions() -> None:
    assert find_all(TEXT, "name").starts == [m.start() for m in re.finditer("name", TEXT, re.I)]
    assert len(find_all(TEXT, "name").starts) == 3
    assert find_all(TEXT, "").starts == []
    # An emoji takes two positions in the editor, one in a Python string.
    emoji = "😀 name 😀 name"
    assert find_all(emoji, "name").starts == [3, 11]
    assert find_all("aaaa", "a", limit=3).capped


def test_ctrl_f_in_an_editor_shows_the_bar_counts_moves_and_closes(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.rest.findChild(QTabWidget, "rest.request.tabs").setCurrentIndex(2)  # Body
    mode = window.rest.findChild(QComboBox, "rest.body.mode")
    mode.setCurrentIndex(mode.findData("raw"))
    editor = window.rest.findChild(CodeEditor, "rest.body")
    editor.setPlainText(TEXT)
    qtbot.waitUntil(editor.isVisible)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)

    _ctrl_f(qtbot, editor)
    overlay = editor.findChild(FindOverlay, "find.overlay")
    assert overlay is not None and overlay.isVisible()
    field = overlay.findChild(QLineEdit, "find.overlay.query")
    count = overlay.findChild(QLabel, "find.overlay.count")
    assert QApplication.focusWidget() is field
    right_gap = editor.width() - overlay.geometry().right()
    assert overlay.geometry().top() < 12 and right_gap < 40  # over the top-right corner

    qtbot.keyClicks(field, "name")
    assert count.text() == "1 of 3"
    assert editor.textCursor().selectedText() == "name"
    assert len(editor.extraSelections()) == 3
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert count.text() == "2 of 3"
    assert editor.textCursor().selectionStart() == TEXT.index("name", 10)
    qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert count.text() == "1 of 3"
    qtbot.keyClick(field, Qt.Key.Key_Up, Qt.KeyboardModifier.NoModifier)  # no move: a field
    editor.grab().save("/tmp/16/P-find-overlay.png")
    qtbot.keyClicks(field, "zz")
    assert count.text() == "No matches" and editor.extraSelections() == []

    qtbot.keyClick(field, Qt.Key.Key_Escape)  # not the window's Esc (Cancel the send)
    assert not overlay.isVisible() and editor.extraSelections() == []
    assert QApplication.focusWidget() is editor

    # Again: the same bar, with the editor's selection as the term, all selected.
    cursor = editor.textCursor()
    cursor.setPosition(TEXT.index("Grace"))
    cursor.setPosition(TEXT.index("Grace") + 5, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    _ctrl_f(qtbot, editor)
    assert overlay.isVisible() and field.text() == "Grace" and field.selectedText() == "Grace"
    assert count.text() == "1 of 1"
    qtbot.keyClick(field, Qt.Key.Key_Escape)

    # The response body has its own search, over the whole (paged) body.
    body = window.rest.findChild(QPlainTextEdit, "rest.response.body")
    body.setFocus()
    qtbot.waitUntil(body.hasFocus)
    _ctrl_f(qtbot, body)
    assert QApplication.focusWidget() is window.rest.findChild(QLineEdit, "rest.response.find")

    # From a field that is no text view (the URL), Ctrl+F goes to the response's search.
    url = window.rest.findChild(QLineEdit, "rest.url")
    url.setFocus()
    qtbot.waitUntil(url.hasFocus)
    _ctrl_f(qtbot, url)
    assert QApplication.focusWidget() is window.rest.findChild(QLineEdit, "rest.response.find")


def test_a_megabyte_is_searched_without_stalling(qtbot: QtBot, qt_loop: object) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    line = "lorem ipsum dolor sit amet needle consectetur adipiscing elit\n"
    editor.setPlainText(line * (1_000_000 // len(line)))
    assert editor.document().characterCount() > SYNC_CHARS
    editor.resize(600, 400)
    editor.show()
    overlay = FindOverlay.of(editor)
    overlay.open()
    started = time.perf_counter()
    qtbot.keyClicks(overlay.query, "needle")
    typed = time.perf_counter() - started
    assert typed < 0.5, f"typing took {typed * 1000:.0f} ms"
    qtbot.waitUntil(lambda: overlay.count.text().startswith("1 of"), timeout=10_000)
    assert overlay.count.text() == f"1 of {1_000_000 // len(line):,}"
    # Only what is on screen is tinted.
    assert 0 < len(editor.extraSelections()) < 100
    qtbot.keyClick(overlay.query, Qt.Key.Key_Return)
    assert overlay.count.text().startswith("2 of ")
