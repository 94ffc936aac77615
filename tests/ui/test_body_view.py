"""The response body view with long bodies: parts, long lines shown broken, search
through the whole body, copy as received, wrap."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from apiclient.ui.widgets.body_view import LINE_CHARS, PAGE_CHARS, BodyView

# About 1.2 MB of JSON on one line, as the REST mock's /json/large sends it.
RECORDS = [{"id": i, "name": f"Customer {i:07d}", "tags": ["retail"]} for i in range(24_000)]
ONE_LINE = json.dumps({"records": RECORDS, "count": len(RECORDS)}).encode()


@pytest.fixture
def view(qtbot: QtBot, run: Callable[..., object]) -> BodyView:
    widget = BodyView("t")
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    widget.raw.setChecked(True)
    run(widget.show_body("application/json", None, ONE_LINE))
    return widget


def test_a_long_single_line_is_shown_in_parts_of_short_lines(view: BodyView) -> None:
    shown = view.text.toPlainText()
    assert len(shown) < PAGE_CHARS * 1.1
    assert max(len(line) for line in shown.split("\n")) <= LINE_CHARS
    assert "part 1 of" in view.truncated.text()
    assert "shown broken" in view.truncated.text()
    assert view.next_page.isVisible()


def test_copy_puts_the_text_as_received_on_the_clipboard(view: BodyView) -> None:
    start = LINE_CHARS - 10
    view.text.select_offsets(start, start + 30)
    assert "\u2029" in view.text.textCursor().selectedText()  # crosses a shown break
    view.text.copy()
    assert QGuiApplication.clipboard().text() == ONE_LINE.decode()[start : start + 30]


def test_search_turns_to_the_part_with_the_match_and_steps_back(
    view: BodyView, qtbot: QtBot
) -> None:
    view.find.query.setText('"count"')
    qtbot.waitUntil(lambda: view.text.textCursor().selectedText() == '"count"')
    last_part = view.truncated.text()
    assert "part 1 of" not in last_part
    offset = view.text.selection_offsets()[0]
    assert ONE_LINE.decode()[offset : offset + 7] == '"count"'

    view.find.query.setText("Customer 0000002")
    qtbot.waitUntil(lambda: view.text.textCursor().selectedText() == "Customer 0000002")
    assert "part 1 of" in view.truncated.text()
    view.find.find_previous()  # wraps around to the only match
    qtbot.waitUntil(lambda: view.find.result.text() == "")
    assert view.text.textCursor().selectedText() == "Customer 0000002"

    view.find.query.setText("no such customer")
    qtbot.waitUntil(lambda: view.find.result.text() == "No match")


def test_pretty_view_and_wrap(view: BodyView) -> None:
    view.pretty.setChecked(True)
    assert view.text.toPlainText().startswith('{\n  "records": [')
    assert "shown broken" not in view.truncated.text()
    view.wrap.setChecked(True)
    assert view.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    view.wrap.setChecked(False)
    assert view.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
