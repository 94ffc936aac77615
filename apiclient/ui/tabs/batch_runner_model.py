"""The runner's results table: one row per step, in a model Qt serves without Python.

A run at full speed ends hundreds of steps a second while the runner's thread keeps
the interpreter busy. A view asks its model for several roles of every visible cell at
each repaint; with a Python ``QAbstractTableModel`` each of those thousands of calls
waits for the interpreter lock, and a repaint measured 300-500 ms during a 1,000-step
run. The rows therefore live in a ``QStandardItemModel`` (built in Python once per step,
then read by the view in C++ only), and the filter and sort run in a plain
``QSortFilterProxyModel`` on stored roles, with no Python override: the same run then
keeps every GUI stall under ~90 ms. Rows arrive in batches (the panel takes them at
most ~20 times a second) and the table keeps at most :data:`MAX_TABLE_ROWS` of them;
past that only failures and errors are added, since the report and the summary count
every step anyway.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import QObject, QRegularExpression, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel

from apiclient.core.formatting import human_size
from apiclient.protocols.runner_model import RunSummary, StepResponse, StepResult
from apiclient.ui.theme import semantic_color, theme_notifier

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TIME_COLUMN = 5
OUTCOME_COLUMN = 8
MAX_TABLE_ROWS = 20_000
ROWS_PER_TICK = 200  # ~0.1-0.15 ms a row shown: one take stays well under 50 ms
DISCARD_ROWS = 2_000  # ~12 µs a row to free
# An outcome's semantic colour (apiclient.ui.theme).
OUTCOME_TONES = {"passed": "success", "failed": "error", "error": "warning"}
HEADERS = (
    "#",
    "Iteration",
    "Request",
    "Kind",
    "Status",
    "Time (ms)",
    "Size",
    "Checks",
    "Outcome",
    "Captured",
)
_NUMERIC = (0, 1, TIME_COLUMN, 6)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CAPTURED_CHARS = 120
PRETTY_MAX_CHARS = 64_000  # larger bodies are shown as they came: indenting costs time
NOT_KEPT = "Response not kept (the run keeps the first 1,000 passed responses)"


def checks_text(step: StepResult) -> str:
    """ "3/3" when every check held, "1/3 failed" when some did not, "" without checks."""
    total = len(step.checks)
    if not total:
        return ""
    failed = sum(1 for c in step.checks if not c.passed)
    return f"{failed}/{total} failed" if failed else f"{total}/{total}"


def captured_text(step: StepResult) -> str:
    text = ", ".join(f"{name}={value}" for name, value in step.captured)
    return text if len(text) <= _CAPTURED_CHARS else text[: _CAPTURED_CHARS - 1] + "…"


def step_detail(step: StepResult) -> str:
    """Everything about one step a person needs to see why it passed or not."""
    time = "not sent" if step.elapsed_ms is None else f"{step.elapsed_ms:.1f} ms"
    lines = [
        f"{step.path} (iteration {step.iteration + 1}, step {step.index + 1})",
        step.label,
        f"{step.outcome}: {step.status or 'no answer'}, {time}, {human_size(step.size)}",
    ]
    if step.error:
        lines += ["", step.error]
    if step.checks:
        lines += ["", "Checks:"]
        lines += [f"  {'✓' if c.passed else '✗'} {c.message}" for c in step.checks]
    if step.captures:
        lines += ["", "Captures:"]
        for capture in step.captures:
            name = capture.capture.variable
            if capture.value is None:
                lines.append(f"  {name}: nothing captured: {capture.message}")
            else:
                lines.append(f"  {name} = {capture.value}")
    if step.response is not None:
        lines += ["", *response_lines(step.response)]
    elif step.outcome == "passed":
        lines += ["", NOT_KEPT]
    return "\n".join(lines)


def response_lines(response: StepResponse) -> list[str]:
    """The kept headers, then the body's start: indented JSON when it is whole, parses
    and is small, else the text as it came, saying when it is only the start."""
    lines = ["Response headers:"]
    lines += [f"  {name}: {value}" for name, value in response.headers] or ["  (none)"]
    lines.append("")
    if response.truncated:
        shown = len(response.body.encode("utf-8", "surrogatepass"))
        lines.append(f"Body (first {human_size(shown)} of {human_size(response.body_size)}):")
    else:
        lines.append(f"Body ({human_size(response.body_size)}):")
    lines.append(pretty_body(response) or "(empty)")
    return lines


def pretty_body(response: StepResponse) -> str:
    body = response.body
    if response.truncated or len(body) > PRETTY_MAX_CHARS or body.lstrip()[:1] not in ("{", "["):
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


class RunResultsModel(QStandardItemModel):
    """The steps of the current run, in the order they ended; ``dropped`` counts the
    passed steps left out once the table holds (or has queued) :data:`MAX_TABLE_ROWS`.

    Steps are first queued, then turned into rows a slice at a time (``take``), so a
    burst of thousands of steps after a stall never holds the GUI thread in one go.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self._steps: list[StepResult] = []
        self._queued: deque[StepResult] = deque()
        self.dropped = 0
        theme_notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        """Colour the outcomes in the new theme's shades: items hold their colours (the
        view reads them without Python), so they are set again, with one repaint."""
        rows = self.rowCount()
        if not rows:
            return
        tones = {outcome: semantic_color(tone) for outcome, tone in OUTCOME_TONES.items()}
        blocked = self.blockSignals(True)
        try:
            for row, step in enumerate(self._steps[:rows]):
                self.item(row, OUTCOME_COLUMN).setForeground(tones[step.outcome])
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(
            self.index(0, OUTCOME_COLUMN),
            self.index(rows - 1, OUTCOME_COLUMN),
            [Qt.ItemDataRole.ForegroundRole],
        )

    def queue(self, steps: Sequence[StepResult]) -> None:
        """Keep ``steps`` for the next ``take``, past the cap only failures and errors."""
        for step in steps:
            if step.outcome == "passed" and len(self._steps) + len(self._queued) >= MAX_TABLE_ROWS:
                self.dropped += 1
            else:
                self._queued.append(step)

    @property
    def queued(self) -> int:
        return len(self._queued)

    def take(self, limit: int = ROWS_PER_TICK) -> bool:
        """Add at most ``limit`` queued steps as rows; True while some are left."""
        queued = self._queued
        if queued:
            self.append([queued.popleft() for _ in range(min(limit, len(queued)))])
        return bool(queued)

    def append(self, steps: Sequence[StepResult]) -> None:
        """Add ``steps`` as rows now, uncapped (``queue`` and ``take`` cap and slice)."""
        for step in steps:
            self._steps.append(step)
            self.appendRow(_row_items(step))

    def discard(self) -> None:
        """Free the rows a slice per turn of the event loop, then the model itself.

        Removing 20,000 rows at once holds the GUI thread ~0.4 s, mostly in PySide
        letting go of each item's Python wrapper, with or without a proxy attached; so
        a new run gets a new model and the old one, detached from every view, is freed
        :data:`DISCARD_ROWS` rows at a time.
        """
        self._steps = []
        self._queued.clear()
        timer = QTimer(self, interval=0)

        def free_some() -> None:
            count = self.rowCount()
            if count:
                self.removeRows(max(count - DISCARD_ROWS, 0), min(count, DISCARD_ROWS))
            else:
                timer.stop()
                self.deleteLater()

        timer.timeout.connect(free_some)
        timer.start()

    def step(self, row: int) -> StepResult:
        return self._steps[row]


def _row_items(step: StepResult) -> list[QStandardItem]:
    sent = step.elapsed_ms is not None
    cells: tuple[tuple[str, object], ...] = (
        (f"{step.index + 1:,}", step.index),
        (str(step.iteration + 1), step.iteration),
        (step.path, step.path),
        (step.kind, step.kind),
        (step.status or "—", step.status),
        # Steps never sent sort after the slowest.
        (f"{step.elapsed_ms:.1f}" if sent else "—", step.elapsed_ms if sent else float("inf")),
        (human_size(step.size) if sent else "—", step.size),
        (checks_text(step), checks_text(step)),
        (step.outcome, step.outcome),
        (captured_text(step), captured_text(step)),
    )
    items = []
    for column, (text, key) in enumerate(cells):
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(key, SORT_ROLE)
        if column in _NUMERIC:
            item.setTextAlignment(_RIGHT)
        items.append(item)
    items[2].setToolTip(step.label)
    items[OUTCOME_COLUMN].setForeground(semantic_color(OUTCOME_TONES[step.outcome]))
    return items


class RunResultsFilter(QSortFilterProxyModel):
    """Sorts on the stored sort keys; with ``problems_only`` hides the passed steps.

    Both work from stored roles, with no Python override, so Qt never calls back into
    Python while sorting or filtering (see the module docstring).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(OUTCOME_COLUMN)

    def set_problems_only(self, problems_only: bool) -> None:
        pattern = "^(failed|error)$" if problems_only else ""
        self.setFilterRegularExpression(QRegularExpression(pattern))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} ms"


def summary_text(summary: RunSummary, *, running: bool = False, environment: str = "") -> str:
    """The run's figures as a few lines, saying how the run ended when it did not finish
    and in which environment it ran ("" for none)."""
    if running:
        state = f"Running: {summary.executed:,} of {summary.planned:,} steps done"
    elif summary.cancelled:
        state = f"Cancelled: {summary.skipped:,} of {summary.planned:,} steps were not run"
    elif summary.bailed:
        state = (
            f"Stopped at the first failure: {summary.skipped:,} of {summary.planned:,} "
            "steps were not run"
        )
    else:
        state = f"Finished: {summary.executed:,} of {summary.planned:,} steps run"
    return "\n".join(
        (
            state,
            f"Passed {summary.passed:,} · Failed {summary.failed:,} · Errors {summary.errors:,}"
            f" · Skipped {summary.skipped:,}",
            f"Checks: {summary.checks_passed:,} passed, {summary.checks_failed:,} failed",
            f"p50 {_ms(summary.p50_ms)} · p95 {_ms(summary.p95_ms)} · p99 {_ms(summary.p99_ms)}",
            f"min {_ms(summary.min_ms)} · max {_ms(summary.max_ms)}",
            f"{summary.requests_per_s:,.1f} requests/s over {summary.duration_s:,.2f} s",
            f"Environment: {environment or 'none (collection variables only)'}",
        )
    )
