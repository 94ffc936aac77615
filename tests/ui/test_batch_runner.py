"""The Batch tab's runner page: run a folder against the REST mock and read what it shows."""

from __future__ import annotations

import json
import textwrap
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QTableView, QWidget

from apiclient.core.models import Check
from apiclient.protocols.checks import CheckResult
from apiclient.protocols.runner_model import StepResponse, StepResult
from apiclient.ui.tabs.batch_runner import BUSY, EMPTY_FOLDER, EMPTY_RESULTS, RunnerPanel
from apiclient.ui.tabs.batch_runner_model import NOT_KEPT, ROWS_PER_TICK, step_detail
from apiclient.ui.widgets.latency_histogram import LatencyHistogram

RUN_TIMEOUT = 60_000

# Two requests that pass: the second uses the id the first captures.
CHECKED_FOLDER = {
    "folder.yaml": """\
        name: Runner checks
        order:
          - list-items
          - get-first-item
        """,
    "list-items.yaml": """\
        kind: rest
        name: List items
        url: '{{base_url}}/api/items'
        checks:
          - source: status
            expected: '200'
          - source: jsonpath
            expression: $.page
            expected: '1'
        captures:
          - variable: first_id
            expression: $.items[0].id
        """,
    "get-first-item.yaml": """\
        kind: rest
        name: Get first item
        url: '{{base_url}}/api/items/{{first_id}}'
        checks:
          - source: status
            expected: '200'
        """,
}
# One request that passes, one whose check fails, one that cannot be sent.
MIXED_FOLDER = {
    "folder.yaml": """\
        name: Runner mixed
        order:
          - ok
          - wrong-status
          - unknown-variable
        """,
    "ok.yaml": """\
        kind: rest
        name: Ok
        url: '{{base_url}}/api/items/{{item_id}}'
        checks:
          - source: status
            expected: '200'
        """,
    "wrong-status.yaml": """\
        kind: rest
        name: Wrong status
        url: '{{base_url}}/api/items'
        checks:
          - source: status
            expected: '201'
        """,
    "unknown-variable.yaml": """\
        kind: rest
        name: Unknown variable
        url: '{{base_url}}/api/items/{{no_such_variable}}'
        """,
}
# Only a webhook receiver: a server, not a call, so nothing to run.
RECEIVER_ONLY = {
    "folder.yaml": "name: Runner receiver only\n",
    "receiver.yaml": "kind: webhook\nname: Payments receiver\n",
}


def _write_folder(root: Path, name: str, files: dict[str, str]) -> None:
    folder = root / "items" / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def runner_sample(sample: Path) -> Path:
    for name, files in (
        ("runner-checks", CHECKED_FOLDER),
        ("runner-mixed", MIXED_FOLDER),
        ("runner-receiver", RECEIVER_ONLY),
    ):
        _write_folder(sample, name, files)
    return sample


@pytest.fixture
def panel(qtbot, make_window, runner_sample) -> RunnerPanel:
    window = make_window(runner_sample)
    panel = RunnerPanel(window.workspace)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    return panel


def _run(qtbot, panel: RunnerPanel, folder: str) -> None:
    panel.select_folder(folder)
    assert panel.selected_folder() == folder
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(panel.findChild(QPushButton, "batch.run"), Qt.MouseButton.LeftButton)


def _column(panel: RunnerPanel, column: int) -> list[str]:
    model = panel.findChild(QTableView, "batch.results").model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_before_any_run_the_page_says_what_to_do(panel):
    assert panel.findChild(QLabel, "batch.results.empty").text() == EMPTY_RESULTS
    assert panel.findChild(QLabel, "batch.results.empty").isVisible()
    assert not panel.findChild(QPushButton, "batch.export_json").isEnabled()
    assert panel.findChild(LatencyHistogram, "batch.histogram").bins() == ()
    folders = [panel.form.folder.itemData(i) for i in range(panel.form.folder.count())]
    assert folders[0] == "" and "items" in folders and "runner-checks" in folders
    assert "Local mocks" in panel.findChild(QLabel, "batch.environment").text()


def test_run_a_folder_and_see_results_summary_and_histogram(qtbot, panel):
    panel.form.iterations.setValue(3)
    _run(qtbot, panel, "runner-checks")

    table = panel.findChild(QTableView, "batch.results")
    assert table.isVisible()
    assert table.model().rowCount() == 6
    assert sorted(_column(panel, 1)) == ["1", "1", "2", "2", "3", "3"]
    assert set(_column(panel, 2)) == {"List items", "Get first item"}
    assert set(_column(panel, 8)) == {"passed"}
    assert set(_column(panel, 7)) == {"2/2", "1/1"}
    assert any(text.startswith("first_id=") for text in _column(panel, 9))
    summary = panel.findChild(QLabel, "batch.summary").text()
    assert "Finished: 6 of 6" in summary
    assert "Passed 6 · Failed 0 · Errors 0 · Skipped 0" in summary
    assert "p50 " in summary and "p50 —" not in summary
    assert "requests/s" in summary
    histogram = panel.findChild(LatencyHistogram, "batch.histogram")
    assert sum(b.count for b in histogram.bins()) == 6
    assert panel.findChild(QProgressBar, "batch.progress").format().startswith("6 / 6")
    assert panel.findChild(QPushButton, "batch.run").text() == "Run"

    table.selectRow(0)
    detail = panel.findChild(type(panel.detail), "batch.step_detail").toPlainText()
    assert "✓" in detail and "Checks:" in detail


def test_failures_and_errors_are_shown_and_filtered(qtbot, panel):
    _run(qtbot, panel, "runner-mixed")

    assert _column(panel, 8) == ["passed", "failed", "error"]
    summary = panel.findChild(QLabel, "batch.summary").text()
    assert "Passed 1 · Failed 1 · Errors 1" in summary
    assert "Checks: 1 passed, 1 failed" in summary
    panel.results_filter.setCurrentIndex(1)
    assert _column(panel, 8) == ["failed", "error"]

    table = panel.findChild(QTableView, "batch.results")
    table.selectRow(0)
    assert "✗" in panel.detail.toPlainText()
    table.selectRow(1)
    assert "no_such_variable" in panel.detail.toPlainText()


def test_stop_at_the_first_failure_says_so(qtbot, panel):
    panel.form.bail.setChecked(True)
    panel.form.iterations.setValue(5)
    _run(qtbot, panel, "runner-mixed")

    assert "failed" in _column(panel, 8)
    summary = panel.findChild(QLabel, "batch.summary").text()
    assert "Stopped at the first failure" in summary
    assert panel.findChild(QTableView, "batch.results").model().rowCount() < 15


def test_cancel_a_long_run(qtbot, panel):
    panel.form.iterations.setValue(500)
    panel.form.delay.setValue(20)
    panel.select_folder("runner-checks")
    run = panel.findChild(QPushButton, "batch.run")
    with qtbot.waitSignal(panel.run_started):
        qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    assert run.text() == "Cancel"
    assert not panel.form.iterations.isEnabled()
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 2, timeout=RUN_TIMEOUT)
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(run, Qt.MouseButton.LeftButton)

    summary = panel.findChild(QLabel, "batch.summary").text()
    assert summary.startswith("Cancelled")
    assert panel.model.rowCount() < 1000
    assert run.text() == "Run" and panel.form.iterations.isEnabled()


def test_closing_the_window_cancels_the_run_and_aclose_ends_its_thread(qtbot, panel, run):
    panel.form.iterations.setValue(500)
    panel.form.delay.setValue(20)
    panel.select_folder("runner-checks")
    with qtbot.waitSignal(panel.run_started):
        qtbot.mouseClick(panel.findChild(QPushButton, "batch.run"), Qt.MouseButton.LeftButton)
    assert _runner_threads()
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        panel.close()  # only cancels: the GUI thread never waits for the run's thread
        assert panel.form.run_button.text() == "Cancelling…"
    run(panel.aclose(), timeout=RUN_TIMEOUT)
    assert not _runner_threads()


def _runner_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "collection-runner" and t.is_alive()]


def test_a_data_file_runs_one_iteration_per_row(qtbot, panel, tmp_path):
    data = tmp_path / "ids.csv"
    data.write_text("item_id\n1\n2\n3\n", encoding="utf-8")
    with qtbot.waitSignal(panel.form.data_loaded):
        panel.set_data_file(data)
    assert panel.findChild(QLabel, "batch.runner.data_file.status").text() == (
        "One iteration per row: 3 rows"
    )
    assert not panel.form.iterations.isEnabled()
    _run(qtbot, panel, "runner-mixed")

    rows = [(it, req) for it, req in zip(_column(panel, 1), _column(panel, 2), strict=True)]
    assert sorted(it for it, req in rows if req == "Ok") == ["1", "2", "3"]
    assert panel.model.step(0).label.endswith("/api/items/1")

    panel.clear_data_file()
    assert panel.form.iterations.isEnabled()
    assert not panel.findChild(QLabel, "batch.runner.data_file.status").isVisible()


def test_a_malformed_data_file_is_reported_in_place_and_nothing_runs(qtbot, panel, tmp_path):
    data = tmp_path / "broken.csv"
    data.write_text("item_id,name\n1,mug\n2\n", encoding="utf-8")
    with qtbot.waitSignal(panel.form.data_loaded):
        panel.set_data_file(data)
    status = panel.findChild(QLabel, "batch.runner.data_file.status").text()
    assert "broken.csv" in status and "row 3" in status and "column" in status

    qtbot.mouseClick(panel.findChild(QPushButton, "batch.run"), Qt.MouseButton.LeftButton)
    assert not panel.running
    assert panel.model.rowCount() == 0
    assert "data file cannot be used" in panel.findChild(QLabel, "batch.message").text()


def test_a_folder_without_calls_says_there_is_nothing_to_run(qtbot, panel):
    panel.select_folder("runner-receiver")
    qtbot.mouseClick(panel.findChild(QPushButton, "batch.run"), Qt.MouseButton.LeftButton)
    assert not panel.running
    assert EMPTY_FOLDER in panel.findChild(QLabel, "batch.message").text()
    not_run = panel.findChild(QLabel, "batch.not_runnable")
    assert not_run.isVisible()
    assert "Payments receiver" in not_run.text() and "webhook receiver" in not_run.text()


def test_export_json_and_junit(qtbot, panel, dialogs, tmp_path):
    _run(qtbot, panel, "runner-mixed")

    json_path = tmp_path / "report.json"
    dialogs.paths.append(str(json_path))
    with qtbot.waitSignal(panel.exported) as exported:
        qtbot.mouseClick(
            panel.findChild(QPushButton, "batch.export_json"), Qt.MouseButton.LeftButton
        )
    assert exported.args == [str(json_path)]
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(document["results"]) == 3

    junit_path = tmp_path / "report.xml"
    dialogs.paths.append(str(junit_path))
    with qtbot.waitSignal(panel.exported):
        qtbot.mouseClick(
            panel.findChild(QPushButton, "batch.export_junit"), Qt.MouseButton.LeftButton
        )
    root = ET.parse(junit_path).getroot()
    assert len(root.findall(".//testcase")) == 3
    assert len(root.findall(".//failure")) + len(root.findall(".//error")) == 2
    assert "Exported to" in panel.findChild(QLabel, "batch.export_status").text()


def test_an_export_that_cannot_be_written_says_why(qtbot, panel, dialogs, tmp_path):
    _run(qtbot, panel, "runner-checks")
    dialogs.paths.append(str(tmp_path / "missing-folder" / "report.json"))
    with qtbot.waitSignal(panel.exported) as exported:
        qtbot.mouseClick(
            panel.findChild(QPushButton, "batch.export_json"), Qt.MouseButton.LeftButton
        )
    assert exported.args == [""]
    assert panel.findChild(QLabel, "batch.export_status").text().startswith("Not exported")


def _count_appends(panel: RunnerPanel, monkeypatch) -> list[int]:
    """The sizes of the slices the run's table gets (patched after ``start_run``, which
    gives the table a new model)."""
    batches: list[int] = []
    append = panel.model.append
    monkeypatch.setattr(
        panel.model, "append", lambda steps: (batches.append(len(steps)), append(steps))
    )
    return batches


def test_fast_results_reach_the_table_in_batches(qtbot, panel, monkeypatch):
    """Steps that land while the GUI thread is busy reach the table in as few slices as
    the per-tick cap allows, not one repaint each (the GUI thread is held here until the
    whole run is over)."""
    panel.form.iterations.setValue(150)
    panel.form.concurrency.setValue(10)
    panel.select_folder("runner-checks")
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        assert panel.start_run()
        batches = _count_appends(panel, monkeypatch)
        (run,) = _runner_threads()
        run.join(RUN_TIMEOUT / 1000)

    assert sum(batches) == 300 == panel.model.rowCount()
    assert len(batches) == -(-300 // ROWS_PER_TICK)


def test_a_burst_of_steps_reaches_the_table_in_slices(qtbot, panel, monkeypatch):
    """Steps that piled up while the GUI thread was busy are added a slice per tick,
    never all in one slot; run_finished waits until the table has them all."""
    panel.form.iterations.setValue(400)
    panel.form.concurrency.setValue(10)
    panel.select_folder("runner-checks")
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        assert panel.start_run()
        batches = _count_appends(panel, monkeypatch)
        (run,) = _runner_threads()
        run.join(RUN_TIMEOUT / 1000)

    assert sum(batches) == 800 == panel.model.rowCount()
    assert len(batches) > 1 and max(batches) <= ROWS_PER_TICK


def test_running_again_clears_a_sorted_table_and_keeps_the_column_widths(qtbot, panel):
    panel.form.iterations.setValue(4)
    _run(qtbot, panel, "runner-checks")
    qtbot.mouseClick(
        panel.findChild(QPushButton, "batch.results.slowest"), Qt.MouseButton.LeftButton
    )
    header = panel.table.horizontalHeader()
    header.resizeSection(2, 333)
    first = panel.model
    panel.form.iterations.setValue(3)
    with qtbot.waitSignal(first.destroyed, timeout=RUN_TIMEOUT):  # freed in slices
        _run(qtbot, panel, "runner-checks")

    assert panel.proxy.rowCount() == 6
    assert header.sectionSize(2) == 333
    times = [float(text) for text in _column(panel, 5)]
    assert times == sorted(times, reverse=True)  # sorted once the run was over


def test_the_chosen_folder_follows_a_rename_and_a_move(qtbot, panel, run):
    workspace = panel._workspace
    panel.select_folder("runner-checks")
    renamed = run(workspace.rename("runner-checks", "Checked requests"))
    assert renamed != "runner-checks"
    assert panel.selected_folder() == renamed
    assert panel.form.folder.currentText() == "Checked requests"

    moved = run(workspace.move(renamed, "runner-mixed", 0))
    assert moved.startswith("runner-mixed/")
    assert panel.selected_folder() == moved
    run_button = panel.findChild(QPushButton, "batch.run")
    assert run_button.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(run_button, Qt.MouseButton.LeftButton)
    assert set(_column(panel, 2)) == {"List items", "Get first item"}


def test_a_deleted_folder_is_not_replaced_by_the_whole_collection(qtbot, panel, run):
    panel.select_folder("runner-checks")
    run(panel._workspace.delete("runner-checks"))

    run_button = panel.findChild(QPushButton, "batch.run")
    message = panel.findChild(QLabel, "batch.message")
    assert panel.selected_folder() is None
    assert panel.form.folder.currentIndex() == -1
    assert not run_button.isEnabled()
    assert "no longer in the collection" in message.text() and message.isVisible()

    panel.select_folder("runner-mixed")
    assert run_button.isEnabled() and not message.isVisible()


def test_the_environment_of_a_run_stays_shown_while_it_runs(qtbot, panel):
    workspace = panel._workspace
    label = panel.findChild(QLabel, "batch.environment")
    panel.form.iterations.setValue(500)
    panel.form.delay.setValue(20)
    panel.select_folder("runner-checks")
    with qtbot.waitSignal(panel.run_started):
        assert panel.start_run()
    workspace.select_environment("")
    assert label.text() == "Environment: Local mocks (this run)"
    live = panel.findChild(QLabel, "batch.summary").text()
    assert live.startswith("Running:") and "Environment: Local mocks" in live
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        panel.cancel()

    assert label.text() == "Environment: none (collection variables only)"
    assert "Environment: Local mocks" in panel.findChild(QLabel, "batch.summary").text()


def test_run_folder_during_a_run_keeps_the_running_folder(qtbot, make_window, runner_sample):
    window = make_window(runner_sample)
    panel = window.batch.runner
    panel.form.iterations.setValue(500)
    panel.form.delay.setValue(20)
    panel.select_folder("runner-checks")
    with qtbot.waitSignal(panel.run_started):
        assert panel.start_run()
    window.tabs.setCurrentIndex(0)
    window.run_folder("runner-mixed")

    assert window.tabs.currentWidget() is window.batch
    assert window.batch.pages.currentWidget() is panel
    assert panel.selected_folder() == "runner-checks"
    assert panel.findChild(QLabel, "batch.message").text() == BUSY
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT):
        panel.cancel()


def test_runner_object_names_are_not_used_elsewhere_in_the_batch_tab(make_window, runner_sample):
    tab = make_window(runner_sample).batch
    runner_names = [w.objectName() for w in tab.runner.findChildren(QWidget) if w.objectName()]
    runner_names = [name for name in runner_names if not name.startswith("qt_")]
    assert len(runner_names) == len(set(runner_names))
    for name in runner_names:
        assert len(tab.findChildren(QWidget, name)) == 1, name
    for name in ("batch.run", "batch.progress", "batch.results", "batch.runner.data_file"):
        assert name in runner_names


def test_a_failed_step_shows_its_response(qtbot, panel):
    _run(qtbot, panel, "runner-mixed")
    table = panel.findChild(QTableView, "batch.results")
    table.selectRow(1)  # "Wrong status": 200 came back where 201 was expected

    detail = panel.detail.toPlainText()
    assert detail.index("Checks:") < detail.index("Response headers:")
    assert "content-type: application/json" in detail.lower()
    assert '\n  "items": [' in detail  # indented JSON
    assert panel.detail.isReadOnly()


def _step(outcome: str, response: StepResponse | None) -> StepResult:
    check = Check(source="status", expected="200")
    return StepResult(
        index=0,
        iteration=0,
        position=0,
        path="Folder / Request",
        kind="rest",
        label="GET http://127.0.0.1/",
        outcome=outcome,  # type: ignore[arg-type]
        status="200 OK",
        elapsed_ms=3.0,
        checks=(CheckResult(check, outcome == "passed", "200", "status is 200"),),
        response=response,
    )


def test_step_detail_says_when_a_body_was_cut_or_not_kept():
    cut = StepResponse((("Content-Type", "text/plain"),), "x" * 16 * 1024, 120 * 1024, True)
    detail = step_detail(_step("failed", cut))
    assert "Body (first 16.0 KB of 120.0 KB):" in detail
    assert "  Content-Type: text/plain" in detail

    assert step_detail(_step("passed", None)).endswith(NOT_KEPT)
    assert NOT_KEPT not in step_detail(_step("failed", None))
    broken = StepResponse((), '{"a": ', 6)
    assert step_detail(_step("failed", broken)).endswith('Body (6 B):\n{"a": ')


def test_junit_export_of_a_stopped_run_lists_unrun_steps_as_skipped(
    qtbot, panel, dialogs, tmp_path
):
    panel.form.bail.setChecked(True)
    panel.form.iterations.setValue(2)
    _run(qtbot, panel, "runner-mixed")
    path = tmp_path / "report.xml"
    dialogs.paths.append(str(path))
    with qtbot.waitSignal(panel.exported):
        panel.export("junit")

    root = ET.parse(path).getroot()
    assert int(root.get("skipped")) == panel.report().summary.skipped > 0
    assert int(root.get("tests")) == 6


def test_slowest_first_sorts_by_time(qtbot, panel):
    panel.form.iterations.setValue(4)
    _run(qtbot, panel, "runner-checks")
    qtbot.mouseClick(
        panel.findChild(QPushButton, "batch.results.slowest"), Qt.MouseButton.LeftButton
    )
    times = [float(text) for text in _column(panel, 5)]
    assert times == sorted(times, reverse=True)
    table = panel.findChild(QTableView, "batch.results")
    table.selectRow(0)
    assert f"{max(times):.1f} ms" in panel.detail.toPlainText()


def test_the_sidebar_runs_a_folder_in_the_batch_tab(qtbot, make_window, runner_sample):
    window = make_window(runner_sample)
    window.sidebar.select("runner-checks")
    window.sidebar.run_folder_action.trigger()
    tab = window.tabs.currentWidget()
    assert tab.objectName() == "tab.batch"
    assert tab.pages.currentWidget() is tab.runner
    assert tab.runner.selected_folder() == "runner-checks"
