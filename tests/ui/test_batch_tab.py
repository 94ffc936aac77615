"""The Batch tab's "Batch call" page as a user drives it, against the REST mock."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.core.models import BatchPart, BatchRequest, KeyValue
from apiclient.core.store import RequestNode
from apiclient.protocols.batch_results import BatchItem, BatchResult
from apiclient.ui import dialogs as app_dialogs
from apiclient.ui.main_window import MainWindow
from apiclient.ui.tabs.batch import BIG_TABLE_ROWS, BatchTab
from apiclient.ui.tabs.batch_call_rows import parse_clipboard
from apiclient.ui.tabs.batch_response import FAILED_TINT, BatchItemsModel
from apiclient.ui.theme import semantic_color

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


def _view_column(view: QTableView, column: int) -> list[str]:
    model = view.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


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
    items = window.findChild(QTableView, "batch.items")
    assert _view_column(items, 1) == ["created", "failed", "created"]
    assert _view_column(items, 3) == [first, "bad-email", second]
    model = items.model()
    assert "not a valid email" in model.index(1, 4).data()
    assert "not a valid email" in model.index(1, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == semantic_color(FAILED_TINT)
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


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


def test_use_file_keeps_the_typed_table_through_save_and_reopen(
    qtbot: QtBot, window: MainWindow, run, rest_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "from-file.csv"
    data.write_text("email\nfile@x.io\n", encoding="utf-8")
    tab = _front(window)
    tab.editor.url.setText(f"{rest_url}/api/v1/contacts/batch")
    typed = [["typed@x.io"], ["{{not_defined}}"]]
    tab.editor.rows_model.paste([["email"], *typed], 0, 0)
    use_file = window.findChild(QCheckBox, "batch.use_file")
    assert "the file wins" in use_file.toolTip()
    use_file.setChecked(True)
    tab.editor.data_path.setText(str(data))
    request = tab.current_request()
    assert request.data_file == str(data) and request.rows == typed
    relpath = run(window.workspace.save_request(request, None, SAMPLE_FOLDER))
    tab.mark_saved(relpath, request)
    node = window.workspace.find(relpath)
    assert isinstance(node, RequestNode) and node.request.rows == typed
    tab.open_request(node.request, relpath)
    assert use_file.isChecked() and not tab.dirty

    # While ticked the file's rows are sent: the unknown variable in the table stops nothing.
    preview_button = window.findChild(QPushButton, "batch.preview")
    qtbot.mouseClick(preview_button, Qt.MouseButton.LeftButton)
    preview = tab.response.preview
    qtbot.waitUntil(lambda: "file@x.io" in preview.toPlainText())
    assert "typed@x.io" not in preview.toPlainText()

    use_file.setChecked(False)
    assert tab.editor.rows_model.rows() == typed
    assert tab.dirty
    qtbot.mouseClick(preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not_defined" in tab.response.status.text())


def test_a_big_result_is_shown_through_one_model_reset(window: MainWindow) -> None:
    items = tuple(
        BatchItem(index=i, status="failed" if i % 2 else "created", id=str(i), key=f"k{i}",
                  errors=("bad email",) if i % 2 else ())
        for i in range(10_000)
    )  # fmt: skip
    result = BatchResult(200, 10_000, 5_000, 0, 0, 5_000, items)
    view = _front(window).findChild(QTableView, "batch.items")
    model = view.model()
    assert isinstance(model, BatchItemsModel)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    window.batch.response._show_result(result)
    assert resets == [1] and model.rowCount() == 10_000
    assert model.index(9_999, 3).data() == "k9999"
    tint = semantic_color(FAILED_TINT)
    assert model.index(9_999, 4).data(Qt.ItemDataRole.BackgroundRole) == tint


def test_a_big_paste_resets_once_and_edits_stay_cheap(
    qtbot: QtBot, window: MainWindow, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = _front(window)
    model = tab.editor.rows_model
    rows = BIG_TABLE_ROWS + 1_000
    text = "email\tname\n" + "\n".join(f"p{i}@x.io\tP{i}" for i in range(rows))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.paste(parse_clipboard(text), 0, 0)
    assert resets == [1] and model.rowCount() == rows
    assert f"{rows:,} rows" in window.findChild(QLabel, "batch.rows.hint").text()

    relpath = run(window.workspace.save_request(tab.current_request(), None, SAMPLE_FOLDER))
    tab.mark_saved(relpath, tab.current_request())
    assert not tab.dirty

    # The URL hint reads the URL only; it never builds the whole request with its rows.
    built = []
    real_request = tab.editor.request
    monkeypatch.setattr(tab.editor, "request", lambda: built.append(1) or real_request())
    tab.editor.url.setText("{{base_url}}/api/v1/contacts/batch")
    tab.refresh_hint()
    assert built == [] and tab.editor.url_hint.isVisible()

    # An edit of a big table marks it dirty without building the request; undoing the
    # edit leaves it dirty until saved (documented in apiclient/ui/tabs/batch.py).
    index = model.index(5, 1)
    model.setData(index, "changed")
    qtbot.waitUntil(lambda: tab.dirty)
    model.setData(index, "P5")
    tab._update_dirty()
    assert tab.dirty and built == []


def test_editing_a_small_table_back_clears_dirty(qtbot: QtBot, window: MainWindow) -> None:
    tab = _open(qtbot, window, f"{SAMPLE_FOLDER}/create-contacts-207.yaml")
    model = tab.editor.rows_model
    index = model.index(0, 0)
    before = index.data()
    model.setData(index, "changed@x.io")
    assert tab.dirty
    model.setData(index, before)
    qtbot.waitUntil(lambda: not tab.dirty)


def test_esc_stops_only_the_work_of_the_page_in_front(
    qtbot: QtBot, window: MainWindow, rest_url: str, run
) -> None:
    tab = _front(window)
    runner = tab.runner
    runner.form.iterations.setValue(500)
    runner.form.delay.setValue(20)
    runner.select_folder("runner-demo")
    tab.pages.setCurrentWidget(runner)
    with qtbot.waitSignal(runner.run_started):
        assert runner.start_run()

    tab.pages.setCurrentIndex(0)  # "Batch call": Esc with no send leaves the run alone
    window.current_tab().cancel()
    assert runner.running

    tab.editor.url.setText(f"{rest_url}/delay/30")
    tab.editor.rows_model.paste([["email"], ["a@x.io"]], 0, 0)
    qtbot.mouseClick(window.findChild(QPushButton, "batch.send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.is_sending)
    tab.pages.setCurrentWidget(runner)  # Runner: Esc stops the run, not the send
    with qtbot.waitSignal(runner.run_finished, timeout=15_000):
        window.current_tab().cancel()
    assert tab.is_sending()

    tab.pages.setCurrentIndex(0)
    with qtbot.waitSignal(tab.send_finished, timeout=15_000):
        window.current_tab().cancel()
    assert "ancel" in tab.response.status.text()


def test_closing_cancels_both_the_send_and_the_run(
    qtbot: QtBot, window: MainWindow, rest_url: str, run
) -> None:
    tab = _front(window)
    runner = tab.runner
    runner.form.iterations.setValue(500)
    runner.form.delay.setValue(20)
    runner.select_folder("runner-demo")
    with qtbot.waitSignal(runner.run_started):
        assert runner.start_run()
    tab.editor.url.setText(f"{rest_url}/delay/30")
    tab.editor.rows_model.paste([["email"], ["a@x.io"]], 0, 0)
    qtbot.mouseClick(window.findChild(QPushButton, "batch.send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.is_sending)
    run(tab.aclose(), timeout=15_000)
    assert not tab.is_sending() and not runner.running


def test_object_names_on_the_call_page_are_unique(window: MainWindow) -> None:
    page = _front(window).pages.widget(0)
    names = Counter(
        widget.objectName()
        for widget in page.findChildren(QWidget)
        if widget.objectName().startswith("batch.")
    )
    assert [name for name, count in names.items() if count > 1] == []
    assert isinstance(window.batch.findChild(QCheckBox, "batch.use_file"), QCheckBox)


def test_column_names_must_be_unique_and_column_buttons_need_a_cell(
    qtbot: QtBot, window: MainWindow, dialogs
) -> None:
    tab = _front(window)
    model = tab.editor.rows_model
    model.paste([["email", "name"], ["a@x.io", "Ann"]], 0, 0)
    rename = window.findChild(QPushButton, "batch.rows.rename_column")
    remove = window.findChild(QPushButton, "batch.rows.remove_column")
    problem = window.findChild(QLabel, "batch.rows.problem")
    assert not rename.isEnabled() and not remove.isEnabled()

    dialogs.texts = ["email"]
    qtbot.mouseClick(
        window.findChild(QPushButton, "batch.rows.add_column"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(problem.isVisible)
    assert "already a column named 'email'" in problem.text()
    assert model.columns() == ["email", "name"]

    dialogs.texts = ["company"]
    qtbot.mouseClick(
        window.findChild(QPushButton, "batch.rows.add_column"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: model.columns() == ["email", "name", "company"])
    assert not problem.isVisible()

    tab.editor.rows.selectionModel().setCurrentIndex(
        model.index(0, 1), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert rename.isEnabled() and remove.isEnabled()
    dialogs.texts = ["   "]
    qtbot.mouseClick(rename, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(problem.isVisible)
    assert "left blank" in problem.text() and model.columns()[1] == "name"
    dialogs.texts = ["full name"]
    qtbot.mouseClick(rename, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.columns()[1] == "full name")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert model.columns() == ["email", "company"]
    assert model.rows() == [["a@x.io", ""]]


def test_import_asks_through_the_async_dialog(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email\nq@x.io\n", encoding="utf-8")
    asked = []

    async def open_file(_parent, title: str, *args) -> str:
        asked.append(title)
        return str(path)

    monkeypatch.setattr(app_dialogs, "open_file", open_file)
    tab = _front(window)
    qtbot.mouseClick(window.findChild(QPushButton, "batch.import"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.editor.rows_model.rows() == [["q@x.io"]])
    assert asked == ["Import rows"]


def test_delete_removes_the_selected_rows(qtbot: QtBot, window: MainWindow) -> None:
    tab = _front(window)
    model = tab.editor.rows_model
    model.paste([["email"], ["a@x.io"], ["b@x.io"], ["c@x.io"]], 0, 0)
    view = tab.editor.rows
    selection = view.selectionModel()
    selection.select(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    selection.select(model.index(2, 0), QItemSelectionModel.SelectionFlag.Select)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert model.rows() == [["b@x.io"]]
    assert tab.dirty
