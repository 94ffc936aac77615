"""The Batch tab's Runner page: run a folder of the collection and watch it go.

The run itself happens on ``BackgroundRun``'s own thread with its own event loop, so a
run at full speed never competes with the window for the asyncio loop. Its steps cross
to the GUI thread through ``RunSignals`` in batches; the panel takes them at most ~20
times a second, counts them into a ``LiveTally`` (O(steps), never a pass over the whole
run) and turns at most ``ROWS_PER_TICK`` of them into table rows per tick, so a burst
after a stall drains over several ticks instead of one long one. While a run is live
the sort proxy does not re-sort on every insert; it sorts once at the end (or when the
user asks). The summary and the histogram come from the tally on a slower timer, and
from the runner's exact ``RunReport`` at the end. The runner's thread still holds the
interpreter lock most of the time, so every call Qt makes into Python costs a wait; the
results table is therefore served by Qt alone (see ``batch_runner_model``). Closing the
window only cancels a run; ``aclose`` waits for its thread, off the GUI thread.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.errors import CoreError
from apiclient.core.secrets import scope_base
from apiclient.core.variables import resolve_certificates
from apiclient.protocols.errors import RunOptionsError
from apiclient.protocols.oauth2 import OAuth2Context
from apiclient.protocols.runner_model import RunPlan, RunReport
from apiclient.protocols.runner_plan import check_options, plan_from_node
from apiclient.protocols.runner_report import ReportFormat, write_report
from apiclient.protocols.runner_stats import LiveTally
from apiclient.protocols.runner_thread import BackgroundRun
from apiclient.ui import dialogs
from apiclient.ui.run_signals import RunSignals
from apiclient.ui.tabs.batch_runner_form import ERROR_STYLE, RunnerForm
from apiclient.ui.tabs.batch_runner_model import (
    MAX_TABLE_ROWS,
    ROWS_PER_TICK,
    TIME_COLUMN,
    RunResultsFilter,
    RunResultsModel,
    step_detail,
    summary_text,
)
from apiclient.ui.tasks import OwnedTask
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.latency_histogram import LatencyHistogram
from apiclient.ui.workspace import Workspace

TAKE_MS = 50  # at most ~20 table updates a second
REFRESH_MS = 250  # summary, histogram and elapsed time while running
JOIN_TIMEOUT_S = 5.0
EMPTY_RESULTS = "Choose a folder and press Run"
EMPTY_FOLDER = "This folder has no requests to run"
BUSY = "A run is in progress; cancel it to run another folder."


class RunnerPanel(QWidget):
    """Chooses a folder and options, runs it, and shows its steps, summary and histogram.

    Signals:
        run_started: a run began.
        run_finished: a run ended (done, cancelled, stopped at a failure, or broken off);
            the summary or the message line says how.
        exported(str): a report was written to this path, or "" when it was not (the
            export line says why).
    """

    run_started = Signal()
    run_finished = Signal()
    exported = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch.runner")
        self._workspace = workspace
        self._signals = RunSignals(self)
        self._run: BackgroundRun | None = None
        self._plan: RunPlan | None = None
        self._report: RunReport | None = None
        self._tally = LiveTally()
        self._environment = ""
        self._finish_pending = False  # the run ended; its last rows are still being added
        self._started = 0.0
        self._export_task = OwnedTask()
        self._watched: QWidget | None = None
        self._take_timer = QTimer(self, singleShot=True, interval=TAKE_MS)
        self._take_timer.timeout.connect(self._take_steps)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_live)

        self.form = RunnerForm(workspace)
        self._build_results()
        self._lay_out()

        self._signals.steps_arrived.connect(self._take_timer.start)
        self._signals.run_ended.connect(self._on_run_ended)
        self.form.run_clicked.connect(self._on_run_clicked)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel)

    # -- building -------------------------------------------------------------------------

    def _build_results(self) -> None:
        self.model = RunResultsModel(self)
        self.proxy = RunResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(objectName="batch.results")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        width = self.table.fontMetrics().horizontalAdvance
        samples = ("1,000", "Iteration", "Folder / a request name", "graphql", "404 Not Found")
        samples += ("Time (ms)", "10.0 KB", "1/3 failed", "Outcome")
        for column, sample in enumerate(samples):
            header.resizeSection(column, width(sample) + 18)
        # No sort until the user asks: rows then stay in the order they ended.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.results_filter = QComboBox(objectName="batch.results.filter")
        self.results_filter.addItems(["All steps", "Failed and errors only"])
        self.results_filter.currentIndexChanged.connect(
            lambda index: self.proxy.set_problems_only(index == 1)
        )
        self.sort_by_time = QPushButton("Slowest first", objectName="batch.results.slowest")
        self.sort_by_time.clicked.connect(
            lambda: self.table.sortByColumn(TIME_COLUMN, Qt.SortOrder.DescendingOrder)
        )
        self.table_note = QLabel(objectName="batch.results.note", visible=False)
        self.empty = QLabel(
            EMPTY_RESULTS, objectName="batch.results.empty", alignment=Qt.AlignmentFlag.AlignCenter
        )
        self.results_stack = QStackedWidget()
        self.results_stack.addWidget(self.empty)
        self.results_stack.addWidget(self.table)

        self.detail = QPlainTextEdit(objectName="batch.step_detail", readOnly=True)
        self.detail.setPlaceholderText("Select a step to see its checks, captures and error.")
        self.summary = QLabel("No run yet.", objectName="batch.summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.not_runnable = QLabel(objectName="batch.not_runnable", wordWrap=True, visible=False)
        self.histogram = LatencyHistogram()
        self.export_json = QPushButton("Export JSON…", objectName="batch.export_json")
        self.export_junit = QPushButton("Export JUnit XML…", objectName="batch.export_junit")
        for button, fmt in ((self.export_json, "json"), (self.export_junit, "junit")):
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
        self.export_status = QLabel(objectName="batch.export_status", wordWrap=True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _lay_out(self) -> None:
        figures = QWidget()
        figures_layout = QVBoxLayout(figures)
        figures_layout.setContentsMargins(0, 0, 0, 0)
        figures_layout.addWidget(self.summary)
        figures_layout.addWidget(self.not_runnable)
        exports = QHBoxLayout()
        exports.addWidget(self.export_json)
        exports.addWidget(self.export_junit)
        exports.addStretch(1)
        figures_layout.addLayout(exports)
        figures_layout.addWidget(self.export_status)
        figures_layout.addStretch(1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(figures)
        top.addWidget(self.histogram)
        top.setStretchFactor(1, 1)

        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show"))
        filters.addWidget(self.results_filter)
        filters.addWidget(self.sort_by_time)
        filters.addWidget(self.table_note)
        filters.addStretch(1)
        results_layout.addLayout(filters)
        results_layout.addWidget(self.results_stack, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(results)
        bottom.addWidget(self.detail)
        # The detail shows a response's headers and body too: give it room to read them.
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        bottom.setSizes([700, 460])

        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="batch.runner.splitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 500])

        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.splitter, 1)

    # -- the form ------------------------------------------------------------------------------

    def select_folder(self, relpath: str) -> bool:
        """Choose the folder at ``relpath`` ("" for the whole collection) to run; while a
        run goes on, keep the one running and say so instead (False)."""
        if self.running:
            self.form.say(BUSY)
            return False
        self.form.select_folder(relpath)
        return True

    def selected_folder(self) -> str | None:
        return self.form.selected_folder()

    def set_data_file(self, path: Path) -> None:
        """Use ``path``'s rows as iterations; they load in a worker (``data_loaded``)."""
        self.form.set_data_file(path)

    def clear_data_file(self) -> None:
        self.form.clear_data_file()

    # -- running ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._run is not None

    def _on_run_clicked(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.start_run()

    def start_run(self) -> bool:
        """Build the plan from the controls and start it; False (the message line says
        why) when it cannot start."""
        if self.running:
            return False
        plan = self._plan_or_say_why()
        if plan is None:
            return False
        if self._finish_pending:
            self._finish()  # the last run's rows were still being added: it ends now
        self._plan = plan
        self._report = None
        self._tally = LiveTally()
        self._environment = self._workspace.environment_name
        self._signals.take_steps()
        self._clear_table()
        self.table_note.setVisible(False)
        self.detail.clear()
        self.histogram.clear()
        self.export_status.clear()
        self.results_stack.setCurrentWidget(self.table)
        self._show_not_runnable(plan)
        store = self._workspace.store
        self._run = BackgroundRun(
            plan,
            on_step=self._signals.add_step,
            on_done=self._signals.end,
            base_dir=store.root if store is not None else None,
            oauth2=OAuth2Context(
                self._workspace.token_cache,
                environment=self._workspace.environment_name,
                collection=scope_base(store.root) if store is not None else "",
            ),
            client_certificates=resolve_certificates(
                self._workspace.client_certificates(), self._workspace.scope()
            ),
        )
        self._started = time.monotonic()
        # Rows go in at the end, unsorted, until the run is over (_finish sorts once).
        self.proxy.setDynamicSortFilter(False)
        self._set_running(True)
        self._run.start()
        self._refresh_live()
        self.run_started.emit()
        return True

    def _plan_or_say_why(self) -> RunPlan | None:
        form = self.form
        form.say("")
        relpath = form.selected_folder()
        if relpath is None:
            form.say("Open a collection first: there is nothing to run.")
            return None
        problem = form.data_problem()
        if problem:
            form.say(problem)
            return None
        options = form.options()
        try:
            check_options(options)
            node = self._workspace.find(relpath)
        except (RunOptionsError, CoreError) as exc:
            form.say(str(exc))
            return None
        name = form.folder.currentText()
        plan = plan_from_node(
            node,
            name=name,
            scope=self._workspace.scope(),
            options=options,
            auth=self._workspace.effective_auth,
        )
        if not plan.requests:
            self._show_not_runnable(plan)
            form.say(f"{EMPTY_FOLDER}.")
            return None
        return plan

    def cancel(self) -> None:
        """Stop starting requests and end the run; ``run_finished`` follows."""
        if self._run is not None:
            self._run.cancel()
            self.form.set_cancelling()

    async def aclose(self) -> None:
        """Cancel a run in flight and wait, off the GUI thread, for its thread to end
        (the window's close and the app's quit only cancel: joining there would hold
        the GUI thread)."""
        run = self._run
        if run is not None:
            run.cancel()
            await asyncio.to_thread(run.join, JOIN_TIMEOUT_S)

    def _set_running(self, running: bool) -> None:
        self.form.set_running(running, self._environment)
        if running:
            self.export_json.setEnabled(False)
            self.export_junit.setEnabled(False)

    def _clear_table(self) -> None:
        """Show a new, empty model, keeping the column widths the user set; the old
        one frees its rows over the next moments (``RunResultsModel.discard``)."""
        self._take_timer.stop()
        header = self.table.horizontalHeader()
        widths = [header.sectionSize(column) for column in range(header.count())]
        old, self.model = self.model, RunResultsModel(self)
        self.proxy.setSourceModel(self.model)
        old.discard()
        for column, width in enumerate(widths):
            header.resizeSection(column, width)

    def _collect(self) -> None:
        """Count every step that arrived and queue it for the table."""
        steps = self._signals.take_steps()
        if steps:
            self._tally.add(steps)
            self.model.queue(steps)
            self._show_progress()

    def _take_steps(self) -> None:
        """Collect what arrived and add the next slice of rows; come back for the rest."""
        self._collect()
        if self.model.take(ROWS_PER_TICK):
            self._take_timer.start()
        elif self._finish_pending:
            self._finish()
        if self.model.dropped and not self.table_note.isVisible():
            self.table_note.setText(
                f"The table keeps the first {MAX_TABLE_ROWS:,} steps, then only failures "
                "and errors; the summary and the reports count every step."
            )
            self.table_note.setVisible(True)

    def _show_progress(self) -> None:
        elapsed = (
            self._report.summary.duration_s
            if self._report is not None
            else time.monotonic() - self._started
        )
        total = self._plan.total_steps if self._plan else 0
        self.form.show_progress(self._tally.executed, total, elapsed)

    def _refresh_live(self) -> None:
        """Summary and histogram while running, from the tally (approximate percentiles)."""
        if self._run is None or self._plan is None:
            return
        self._show_progress()
        summary = self._tally.summary(self._plan.total_steps, time.monotonic() - self._started)
        self.summary.setText(summary_text(summary, running=True, environment=self._environment))
        self.histogram.set_bins(self._tally.bins(), summary.p50_ms, summary.p95_ms, summary.p99_ms)
        self._refresh_timer.start()

    def _on_run_ended(self, report: RunReport | None, message: str) -> None:
        self._collect()
        self._refresh_timer.stop()
        self._run = None
        self._set_running(False)
        if report is None:
            self.form.say(f"The run stopped: {message}")
            if self._plan is not None:
                summary = self._tally.summary(
                    self._plan.total_steps, time.monotonic() - self._started, cancelled=True
                )
                self.summary.setText(summary_text(summary, environment=self._environment))
        else:
            # The exact figures, computed on the runner's thread.
            self._report = report
            summary = report.summary
            self.summary.setText(summary_text(summary, environment=self._environment))
            self.histogram.set_bins(
                report.histogram, summary.p50_ms, summary.p95_ms, summary.p99_ms
            )
            self.export_json.setEnabled(True)
            self.export_junit.setEnabled(True)
        self._finish_pending = True
        self._take_steps()  # the last steps; _finish follows once the table has them all

    def _finish(self) -> None:
        """The run is over and every row is in: sort once, and say so."""
        self._finish_pending = False
        self.proxy.setDynamicSortFilter(True)
        self._show_progress()
        self.run_finished.emit()

    def _show_not_runnable(self, plan: RunPlan) -> None:
        lines = [f"• {path}: {reason}" for path, reason in plan.not_runnable]
        self.not_runnable.setText("Not run:\n" + "\n".join(lines) if lines else "")
        self.not_runnable.setVisible(bool(lines))

    # -- results ------------------------------------------------------------------------------

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            self.detail.clear()
            return
        source = self.proxy.mapToSource(indexes[0])
        self.detail.setPlainText(step_detail(self.model.step(source.row())))

    def report(self) -> RunReport | None:
        """The last finished run's report (None before the first one ends)."""
        return self._report

    def export(self, fmt: ReportFormat) -> None:
        """Ask where, then write the last report as ``fmt`` ("json" or "junit") in a worker."""
        if self._report is not None and self._plan is not None:
            # JUnit lists the steps that never ran (cancel, bail) as skipped.
            paths = tuple(planned.path for planned in self._plan.requests)
            self._export_task.start(self._export(self._report, fmt, paths))

    async def _export(
        self, report: RunReport, fmt: ReportFormat, planned_paths: tuple[str, ...]
    ) -> None:
        title, suffix, name_filter = (
            ("Export the run as JSON", "json", "JSON (*.json)")
            if fmt == "json"
            else ("Export the run as JUnit XML", "xml", "JUnit XML (*.xml)")
        )
        stem = "".join(c if c.isalnum() else "-" for c in report.name).strip("-") or "run"
        path = await dialogs.save_file(self, title, f"{stem}.{suffix}", name_filter)
        if not path:
            return
        try:
            await asyncio.to_thread(
                write_report, report, Path(path), fmt, planned_paths=planned_paths
            )
        except (CoreError, OSError) as exc:
            themed_style(self.export_status, ERROR_STYLE)
            self.export_status.setText(f"Not exported: {exc}")
            self.exported.emit("")
            return
        themed_style(self.export_status, "")
        self.export_status.setText(f"Exported to {path}")
        self.exported.emit(path)

    # -- closing ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The window was closed (a spontaneous hide is only a minimise): no run may outlive
        # it. Only cancel here; ``aclose`` (awaited as the window shuts down) joins.
        if (
            watched is self._watched
            and event.type() == QEvent.Type.Hide
            and not event.spontaneous()
        ):
            self.cancel()
        return False
