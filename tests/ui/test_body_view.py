"""The response body view with long bodies: parts, long lines shown broken, search
through the whole body, copy as received, wrap."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from apiclient.core.body_files import STALE_AFTER_S
from apiclient.core.paged_text import PagedBody
from apiclient.ui.widgets import body_render, body_view
from apiclient.ui.widgets.body_view import LINE_CHARS, PAGE_CHARS, PREVIEW_BYTES, BodyView
from apiclient.ui.workers import PROCESS_THRESHOLD_BYTES

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


def test_switching_pretty_and_raw_while_a_search_runs_drops_its_match(
    view: BodyView, qtbot: QtBot
) -> None:
    view.find.query.setText('"count"')
    assert view.find.result.text() == "Searching…"  # in a thread: the body is long
    search = view._search_task
    assert search is not None
    view.pretty.setChecked(True)  # before the search can answer
    qtbot.waitUntil(search.done)
    assert view.text.textCursor().selectedText() == ""
    assert view.find.result.text() == ""
    view.find.find_next()  # a search in the text now shown finds the term there
    qtbot.waitUntil(lambda: view.text.textCursor().selectedText() == '"count"')


def test_search_while_the_body_is_formatted_says_when_it_will_work(
    qtbot: QtBot, run: Callable[..., object]
) -> None:
    widget = BodyView("t")
    qtbot.addWidget(widget)
    body = ONE_LINE[: PREVIEW_BYTES + 1000]
    answers: list[str] = []

    async def search_while_formatting() -> None:
        showing = asyncio.ensure_future(widget.show_body("application/json", None, body))
        await asyncio.sleep(0)  # show_body runs until it hands the formatting to a thread
        assert "in the background" in widget.info.text()
        assert widget.text.toPlainText().startswith('{"records"')  # the preview
        widget.find.query.setText("Customer")
        answers.append(widget.find.result.text())
        await showing

    run(search_while_formatting())
    assert answers == ["Search is ready once the body is formatted"]
    widget.clear()
    widget.find.find_next()
    assert widget.find.result.text() == "No body yet"


def test_a_large_json_body_with_a_lone_surrogate_is_formatted(
    qtbot: QtBot, run: Callable[..., object]
) -> None:
    widget = BodyView("t")
    qtbot.addWidget(widget)
    body = json.dumps({"half": "\ud83d", "records": RECORDS}).encode()
    assert b'"\\ud83d"' in body and len(body) >= PROCESS_THRESHOLD_BYTES
    run(widget.show_body("application/json", None, body))
    assert widget.text.toPlainText().startswith('{\n  "half": "\\ud83d",\n  "records": [')
    assert not widget.info.isVisible()


def test_a_failed_formatting_shows_why_and_the_whole_body_as_received(
    view: BodyView, run: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def worker_fails(*_args: object) -> PagedBody:
        raise ValueError("the worker broke")

    monkeypatch.setattr(body_view, "render_off_gui", worker_fails)
    view.pretty.setChecked(True)
    run(view.show_body("application/json", None, ONE_LINE))
    assert view.info.text() == (
        "Could not format the body (the worker broke). Showing the body as received."
    )
    assert view.text.toPlainText().startswith('{"records": [{"id": 0,')
    text = view.shown_text()
    assert text is not None and "".join(text.parts) == ONE_LINE.decode()


def test_the_first_large_body_sweeps_folders_a_crashed_session_left(
    qtbot: QtBot, run: Callable[..., object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(body_render, "_sweep", None)  # as in a new session
    left = tmp_path / "apiclient-body-a1b2c3d4"
    left.mkdir()
    (left / "body.pretty").write_bytes(b"{}")
    then = time.time() - STALE_AFTER_S - 60
    for path in (left / "body.pretty", left):
        os.utime(path, (then, then))
    widget = BodyView("t")
    qtbot.addWidget(widget)
    run(widget.show_body("application/json", None, ONE_LINE))
    qtbot.waitUntil(lambda: not any(tmp_path.iterdir()))  # ours went too
