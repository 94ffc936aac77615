"""The body view with a body spooled to a file: parts read from the file, search in a
worker over the file, pretty-print on demand, Save and Open in editor from the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from apiclient.core.body_spool import BodyFile
from apiclient.core.file_text import FileText
from apiclient.ui.widgets import body_file_render, body_view
from apiclient.ui.widgets.body_view import PAGE_CHARS, BodyView

LINES = [f"line {i:06d} lorem ipsum dolor sit amet\n" for i in range(20_000)]
TEXT = "".join(LINES) + "the very END\n"


@pytest.fixture
def view(qtbot: QtBot) -> BodyView:
    widget = BodyView("t")
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def spooled(tmp_path: Path, data: bytes, name: str = "body-1.txt") -> BodyFile:
    path = tmp_path / name
    path.write_bytes(data)
    return BodyFile(str(path), len(data), len(data))


def test_a_spooled_body_is_paged_from_its_file_and_searched_in_a_worker(
    qtbot: QtBot, view: BodyView, run: Callable[..., object], tmp_path: Path
) -> None:
    body_file = spooled(tmp_path, TEXT.encode())
    run(view.show_body_file("text/plain", None, body_file))
    text = view.shown_text()
    assert isinstance(text, FileText) and len(text) == len(TEXT)
    assert len(text.parts) > 5 and view.next_page.isVisible()
    assert view.text.toPlainText().startswith("line 000000 lorem")
    assert len(view.text.toPlainText()) <= PAGE_CHARS * 1.25
    view.next_page.click()
    assert view.text.toPlainText().startswith(text.parts[1][:20])

    view.find.query.setText("the very end")
    qtbot.waitUntil(lambda: view.text.textCursor().selectedText() == "the very END")
    assert view._page == len(text.parts) - 1
    assert view.save.isEnabled() and view.open_external.isEnabled()


def test_save_copies_the_file_and_open_in_editor_opens_it(
    qtbot: QtBot,
    view: BodyView,
    run: Callable[..., object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = TEXT.encode()
    body_file = spooled(tmp_path, data)
    run(view.show_body_file("text/plain", None, body_file))

    target = tmp_path / "saved.txt"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kw: (str(target), ""))
    )
    view.save.click()
    qtbot.waitUntil(lambda: view.info.text().startswith("Saved"))
    assert target.read_bytes() == data

    opened: list[QUrl] = []
    monkeypatch.setattr(
        body_view.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    view.open_external.click()
    qtbot.waitUntil(lambda: bool(opened))
    # A name of its own, which outlives the spooled file (the next send deletes that).
    handed_out = Path(opened[0].toLocalFile())
    assert handed_out != Path(body_file.path) and handed_out.read_bytes() == data
    body_file.remove()
    assert handed_out.read_bytes() == data
    view.open_external.click()
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert Path(opened[1].toLocalFile()) == handed_out


def test_open_in_editor_writes_a_body_in_memory_to_a_file_first(
    qtbot: QtBot, view: BodyView, run: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(view.show_body("application/json", None, b'{"a": 1}'))
    opened: list[QUrl] = []
    monkeypatch.setattr(
        body_view.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    view.open_external.click()
    qtbot.waitUntil(lambda: bool(opened))
    path = Path(opened[0].toLocalFile())
    assert path.suffix == ".json" and path.read_bytes() == b'{"a": 1}'


@pytest.mark.parametrize("streamed", [False, True], ids=["parsed", "streamed"])
def test_pretty_print_of_a_spooled_json_body_is_made_on_demand(
    qtbot: QtBot,
    view: BodyView,
    run: Callable[..., object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streamed: bool,
) -> None:
    """Up to FULL_FORMAT_BYTES the body is parsed (as a body in memory); past it, JSON
    is re-indented as it streams. Both give the same text for this body."""
    if streamed:
        monkeypatch.setattr(body_file_render, "FULL_FORMAT_BYTES", 1000)
    value = {"records": [{"id": i, "tags": ["a", "b"], "empty": {}} for i in range(3000)]}
    data = json.dumps(value, separators=(",", ":")).encode()
    body_file = spooled(tmp_path, data, "body-2.json")
    view.raw.setChecked(True)
    run(view.show_body_file("application/json", None, body_file))
    assert view.text.toPlainText().startswith('{"records":[{"id":0')

    with qtbot.waitSignal(view.body_shown, timeout=15_000):
        view.pretty.setChecked(True)
    text = view.shown_text()
    assert isinstance(text, FileText)
    assert text.slice(0, len(text)) == json.dumps(value, indent=2)
    assert Path(body_file.path + ".pretty").exists()
    body_file.remove()
    assert not Path(body_file.path + ".pretty").exists()


def test_a_partial_body_says_so(view: BodyView, run: Callable[..., object], tmp_path: Path) -> None:
    data = b"\x00x" * 500
    path = tmp_path / "body-3.bin"
    path.write_bytes(data)
    partial = BodyFile(str(path), 1000, 100_000, complete=False)
    run(view.show_body_file("application/octet-stream", None, partial))
    info = view.info.text()
    assert "Partial body: only 1000 B of 97.7 KB arrived" in info
    assert str(path) in info and "Binary body" in info
    assert view.text.toPlainText().startswith("00000000  00 78 00 78")


@pytest.mark.parametrize("charset", ["base64", "rot13", "utf-16"])
def test_a_body_in_an_odd_charset_is_shown_not_crashed_on(
    view: BodyView, run: Callable[..., object], tmp_path: Path, charset: str
) -> None:
    body_file = spooled(tmp_path, b"plain text\n" * 10)
    run(view.show_body_file("text/plain", charset, body_file))
    assert view.shown_text() is not None and view.text.toPlainText()


def test_a_body_that_cannot_be_shown_says_so_in_the_info_line(
    view: BodyView, run: Callable[..., object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> object:
        raise UnicodeError("the codec failed")

    monkeypatch.setattr(body_file_render, "open_body_text", failing)
    body_file = spooled(tmp_path, b"plain text\n")
    run(view.show_body_file("text/plain", "utf-16", body_file))
    assert "Cannot show the body (the codec failed)" in view.info.text()
    assert view.info.isVisible() and body_file.path in view.info.text()


def test_a_cancelled_pretty_print_stops_its_job_and_leaves_no_file(
    qtbot: QtBot,
    view: BodyView,
    run: Callable[..., object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tab replaces the response (clear, then the body file deleted) while the
    worker process pretty-prints it: the job stops, writes no pretty text for a body
    nobody has, and the worker is free for the next body."""
    monkeypatch.setattr(body_file_render, "FULL_FORMAT_BYTES", 1000)
    value = [{"id": i, "name": "x" * 40, "tags": ["a", "b"]} for i in range(100_000)]
    first = spooled(tmp_path, json.dumps(value).encode(), "body-1.json")
    view.raw.setChecked(True)
    run(view.show_body_file("application/json", None, first))
    view.pretty.setChecked(True)
    pretty = view._pretty
    assert pretty is not None
    qtbot.waitUntil(lambda: pretty.written() > 0, timeout=15_000)
    view.clear()
    first.remove()

    second = spooled(tmp_path, b'{"b":[1]}', "body-2.json")
    view.raw.setChecked(True)
    run(view.show_body_file("application/json", None, second))
    with qtbot.waitSignal(view.body_shown, timeout=15_000):
        view.pretty.setChecked(True)
    assert view.text.toPlainText() == '{\n  "b": [\n    1\n  ]\n}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body-2.json", "body-2.json.pretty"]


def test_clear_tells_the_job_to_stop_while_the_body_stays(
    qtbot: QtBot,
    view: BodyView,
    run: Callable[..., object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(body_file_render, "FULL_FORMAT_BYTES", 1000)
    value = [{"id": i, "name": "x" * 40, "tags": ["a", "b"]} for i in range(100_000)]
    body = spooled(tmp_path, json.dumps(value).encode(), "body-1.json")
    view.raw.setChecked(True)
    run(view.show_body_file("application/json", None, body))
    view.pretty.setChecked(True)
    pretty = view._pretty
    assert pretty is not None
    qtbot.waitUntil(lambda: pretty.written() > 0, timeout=15_000)
    view.clear()
    # The job stops at its next megabyte, deletes its unfinished text and the stop file.
    qtbot.waitUntil(lambda: sorted(p.name for p in tmp_path.iterdir()) == ["body-1.json"])
