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

from collections.abc import Sequence

from PySide6.QtCore import QObject, QRegularExpression, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from apiclient.core.formatting import human_size
from apiclient.protocols.runner_model import RunSummary, StepResult

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TIME_COLUMN = 5
OUTCOME_COLUMN = 8
MAX_TABLE_ROWS = 20_000
OUTCOME_COLORS = {"passed": "#2e7d32", "failed": "#c62828", "error": "#e65100"}
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
    return "\n".join(lines)


class RunResultsModel(QStandardItemModel):
    """The steps of the current run, in the order they ended; ``dropped`` counts the
    passed steps left out once the table holds :data:`MAX_TABLE_ROWS` rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self._steps: list[StepResult] = []
        self.dropped = 0

    def append(self, steps: Sequence[StepResult]) -> None:
        for step in steps:
            if len(self._steps) >= MAX_TABLE_ROWS and step.outcome == "passed":
                self.dropped += 1
                continue
            self._steps.append(step)
            self.appendRow(_row_items(step))

    def clear(self) -> None:
        self.removeRows(0, self.rowCount())
        self._steps = []
        self.dropped = 0

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
    items[OUTCOME_COLUMN].setForeground(QColor(OUTCOME_COLORS[step.outcome]))
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


def summary_text(summary: RunSummary, *, running: bool = False) -> str:
    """The run's figures as a few lines, saying how the run ended when it did not finish."""
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
        )
    )
