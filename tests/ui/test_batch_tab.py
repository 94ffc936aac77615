"""The Batch tab's "Batch call" page as a user drives it, against the REST mock."""

from __future__ import annotations

import json
import re
import uuid
from html import unescape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableWidget, QTabWidget
from pytestqt.qtbot import QtBot

from apiclient.core.models import BatchPart, BatchRequest, KeyValue
from apiclient.core.store import RequestNode
from apiclient.ui.main_window import MainWindow
from apiclient.ui.tabs.batch import BatchTab
from apiclient.ui.tabs.batch_response import FAILED_TINT

SAMPLE_FOLDER = "contacts-batch"


def _open(qtbot: QtBot, window: MainWindow, relpath: str) -> BatchTab:
    tab = _front(window)
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: tab.relpath == relpath)
    assert window.tabs.currentWidget() is tab
    return tab


def _front(window: MainWindow) -> BatchTab:
    """The Batch tab, brought to the front as a person would click it."""
    window.tabs.setCurrentWidget(window.batch)
    return window.batch


def _send(qtbot: QtBot, window: MainWindow) -> str:
    """Click Send, wait for the send to end; returns the status line as text."""
    with qtbot.waitSignal(window.batch.send_finished, timeout=15_000):
        button = window.findChild(QPushButton, "batch.send")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    html = window.findChild(QLabel, "batch.response.status").text()
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _column(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def _email() -> str:
    return f"tab.{uuid.uuid4().hex[:10]}@example.com"


def test_the_tab_sits_after_rest_with_its_pages(window: MainWindow) -> None:
    assert window.tabs.tabText(1) == "Batch"
    pages = window.batch.findChild(QTabWidget, "batch.pages")
    assert pages is window.batch.pages and pages.tabText(0) == "Batch call"
    hint = window.findChild(QLabel, "batch.rows.hint").text()
    assert "Paste cells" in hint and "import" in hint


def test_typed_rows_send_and_show_items_and_summary(
    qtbot: QtBot, window: MainWindow, rest_url: str
) -> None:
    tab = _front(window)
    tab.editor.url.setText(f"{rest_url}/api/v1/contacts/batch")
    first, second = _email(), _email()
    tab.editor.rows_model.paste(
        [["email", "first_name"], [first, "Ada"], ["bad-email", "Bob"], [second, "Cy"]], 0, 0
    )
    assert tab.editor.rows_model.columns() == ["email", "first_name"]
    status = _send(qtbot, window)
    assert "207" in status
    summary = window.findChild(QLabel, "batch.summary_line").text()
    assert summary == "processed 3 · created 2 · updated 0 · skipped 0 · failed 1"
    items = window.findChild(QTableWidget, "batch.items")
    assert _column(items, 1) == ["created", "failed", "created"]
    assert _column(items, 3) == [first, "bad-email", second]
    assert "not a valid email" in items.item(1, 4).text()
    assert items.item(1, 0).background().color() == QColor(FAILED_TINT)
    assert items.item(0, 0).background().color() != QColor(FAILED_TINT)


def test_the_sample_207_batch_and_its_preview(qtbot: QtBot, window: MainWindow) -> None:
    _open(qtbot, window, f"{SAMPLE_FOLDER}/create-contacts-207.yaml")
    qtbot.mouseClick(window.findChild(QPushButton, "batch.preview"), Qt.MouseButton.LeftButton)
    preview = window.batch.response.preview
    qtbot.waitUntil(lambda: '"operation": "create"' in preview.toPlainText())
    assert len(json.loads(preview.toPlainText())["contacts"]) == 5
    assert "207" in _send(qtbot, window)
    summary = window.findChild(QLabel, "batch.summary_line").text()
    assert summary == "processed 5 · created 4 · updated 0 · skipped 0 · failed 1"


def test_pasting_clipboard_tsv_adds_rows(qtbot: QtBot, window: MainWindow) -> None:
    tab = _front(window)
    QApplication.clipboard().setText("email\tcompany\na@x.io\tAcme\nb@x.io\tGlobex\n")
    qtbot.mouseClick(window.findChild(QPushButton, "batch.rows.paste"), Qt.MouseButton.LeftButton)
    assert tab.editor.rows_model.columns() == ["email", "company"]
    assert tab.editor.rows_model.rows() == [["a@x.io", "Acme"], ["b@x.io", "Globex"]]
    assert tab.dirty
    assert tab.current_request().rows == [["a@x.io", "Acme"], ["b@x.io", "Globex"]]


def test_import_csv_fills_the_table(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Email;Name\na@x.io;Ann\nb@x.io;Ben\n", encoding="utf-8")
    tab = _front(window)
    tab.import_file(str(path))
    qtbot.waitUntil(lambda: tab.editor.rows_model.rowCount() == 2)
    assert tab.editor.rows_model.columns() == ["Email", "Name"]
    assert tab.current_request().rows == [["a@x.io", "Ann"], ["b@x.io", "Ben"]]
    assert "2 rows" in window.findChild(QLabel, "batch.rows.hint").text()


def test_a_malformed_csv_is_named_with_its_row_and_column(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text("email,name\na@x.io,Ann\nb@x.io,Ben,oops\n", encoding="utf-8")
    tab = _front(window)
    tab.editor.rows_model.paste([["email"], ["kept@x.io"]], 0, 0)
    tab.import_file(str(path))
    qtbot.waitUntil(tab.notice.isVisible)
    assert "broken.csv: row 3 has 3 cells" in tab.notice.text()
    assert "column 3" in tab.notice.text()
    assert tab.editor.rows_model.rows() == [["kept@x.io"]]


def test_bad_options_json_is_told_before_sending(qtbot: QtBot, window: MainWindow) -> None:
    tab = _front(window)
    tab.editor.url.setText("http://127.0.0.1:9/never")
    tab.editor.rows_model.paste([["email"], ["a@x.io"]], 0, 0)
    tab.editor.options.setPlainText('{"dry_run": yes}')
    status = _send(qtbot, window)
    assert "line 1, column 13" in status


def test_a_mapping_naming_a_missing_column_is_told(qtbot: QtBot, window: MainWindow) -> None:
    tab = _front(window)
    tab.editor.url.setText("http://127.0.0.1:9/never")
    tab.editor.rows_model.paste([["email"], ["a@x.io"]], 0, 0)
    tab.editor.mapping.set_rows([KeyValue(name="E-mail", value="email")])
    assert "names the column 'E-mail', which no row has" in _send(qtbot, window)


def test_an_answer_that_is_not_a_batch_result(
    qtbot: QtBot, window: MainWindow, rest_url: str
) -> None:
    tab = _front(window)
    tab.editor.url.setText(f"{rest_url}/echo")
    tab.editor.rows_model.paste([["email"], ["a@x.io"]], 0, 0)
    assert "200" in _send(qtbot, window)
    error = window.findChild(QLabel, "batch.result_error")
    assert error.isVisible() and "not a per-item report" in error.text()
    assert tab.response.http.tabs.currentWidget() is tab.response.http.body


def test_multipart_send_shows_sub_responses(qtbot: QtBot, window: MainWindow) -> None:
    _open(qtbot, window, f"{SAMPLE_FOLDER}/multipart-get-post-delete.yaml")
    assert "200" in _send(qtbot, window)
    table = window.findChild(QTableWidget, "batch.subresponses")
    assert _column(table, 2) == ["200", "201", "404"]
    table.selectRow(1)
    detail = window.batch.response.detail.toPlainText()
    assert detail.startswith("HTTP 201") and '"first_name":"Multi"' in detail.replace(" ", "")
    summary = window.findChild(QLabel, "batch.summary_line").text()
    assert summary.startswith("3 parts sent · 3 answered · 2 succeeded")


def test_a_batch_call_round_trips_through_the_workspace(
    qtbot: QtBot, window: MainWindow, run
) -> None:
    request = BatchRequest(
        name="Round trip",
        method="PATCH",
        url="{{base_url}}/api/v1/contacts/batch",
        headers=[KeyValue(name="X-Trace", value="1", enabled=False)],
        operation="update",
        items_key="updates",
        options_json='{\n  "dry_run": true\n}',
        columns=["id", "tags"],
        rows=[["1", "a;b"], ["2", ""]],
        mapping=[KeyValue(name="id", value="id:int"), KeyValue(name="tags", value=":list")],
        parts=[
            BatchPart(
                method="DELETE",
                path="/x/1",
                headers=[KeyValue(name="If-Match", value="*")],
                body="",
                enabled=False,
            )
        ],
    )
    tab = _front(window)
    tab.open_request(request, None)
    assert tab.current_request() == request
    relpath = run(window.workspace.save_request(tab.current_request(), None, SAMPLE_FOLDER))
    node = window.workspace.find(relpath)
    assert isinstance(node, RequestNode) and node.request == request
    tab.open_request(node.request, relpath)
    assert tab.current_request() == request and not tab.dirty
    file_mode = request.model_copy(update={"columns": [], "rows": [], "data_file": "d.csv"})
    tab.open_request(file_mode, None)
    assert tab.current_request() == file_mode
