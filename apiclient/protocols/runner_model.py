"""What the collection runner is given and what it reports: plain data, no behaviour.

The runner (``apiclient.protocols.runner``) takes a :class:`RunPlan` (the requests in
run order, the variables they start from, the :class:`RunOptions`) and reports a
:class:`StepResult` per request sent, then a :class:`RunReport`. The CLI, the Batch
tab and the report writers (``runner_report``) all share these shapes, and every one is
frozen, so a result can cross from the runner's thread to the window's as it is.

Counting: a plan of ``R`` requests run for ``I`` iterations has ``R * I`` steps; step
``index`` is ``iteration * R + position``. ``iteration`` and ``position`` are 0-based;
people see them 1-based.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from apiclient.core.models import AnyRequest
from apiclient.core.variables import Scope
from apiclient.protocols.checks import CaptureResult, CheckResult

MAX_ITERATIONS = 100_000
MAX_CONCURRENCY = 100
MAX_DELAY_MS = 600_000

Outcome = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class PlannedRequest:
    """One saved request to run, in run order.

    ``path`` is where a person finds it ("Playlists / Create playlist"); ``relpath`` its
    file in the collection ("" for a request that is not saved in a folder).
    """

    path: str
    request: AnyRequest
    relpath: str = ""


@dataclass(frozen=True)
class RunOptions:
    """How to run a plan.

    ``data_rows`` (values from a CSV or JSON data file) give one iteration per row, each
    row's values becoming variables above the environment's; ``iterations`` counts only
    without them. ``concurrency`` is how many requests may be in flight at once: the
    requests of one iteration still run in order past every request that captures a
    variable (later requests wait for it), iterations run side by side. ``delay_ms``
    waits after each request, per concurrent lane. ``bail`` stops starting requests after
    the first failed or erroring one.
    """

    iterations: int = 1
    data_rows: tuple[Mapping[str, str], ...] = ()
    concurrency: int = 1
    delay_ms: int = 0
    bail: bool = False

    @property
    def iteration_count(self) -> int:
        return len(self.data_rows) if self.data_rows else self.iterations


@dataclass(frozen=True)
class RunPlan:
    """A run: its name (the folder or collection), the requests, the starting variables.

    ``scope`` holds the globals, collection and environment layers; each request's own
    variables, the iteration's data row and the captured values are put on top while it
    runs. ``not_runnable`` lists requests left out, with why (a webhook receiver is a
    server, not a call), so a report can say so.
    """

    name: str
    requests: tuple[PlannedRequest, ...]
    scope: Scope
    options: RunOptions = field(default_factory=RunOptions)
    not_runnable: tuple[tuple[str, str], ...] = ()  # (path, reason)

    @property
    def total_steps(self) -> int:
        return len(self.requests) * self.options.iteration_count


@dataclass(frozen=True)
class StepResponse:
    """What came back, kept so a person can see why a step failed: the headers (or gRPC
    metadata) and the start of the body as text. ``body_size`` is the whole body's size
    in bytes; ``truncated`` says ``body`` holds only its start."""

    headers: tuple[tuple[str, str], ...]
    body: str
    body_size: int
    truncated: bool = False


@dataclass(frozen=True)
class StepResult:
    """One request as run.

    ``outcome``: ``passed`` (sent, every enabled check held), ``failed`` (sent, a check
    or a WebSocket expectation did not hold), ``error`` (not sent or no answer: bad
    variables, connect refused, timeout...; ``error`` says what and what to try). Steps
    never started (cancel, bail) have no result; the summary counts them as skipped.
    ``label`` is what was called ("GET http://127.0.0.1:8710/api/items", "SOAP
    GetPatient", "gRPC /hospital.Records/GetPatient"); ``status`` what came back ("200
    OK", "OK", "101 Switching Protocols") or "" when nothing did. ``elapsed_ms`` is None
    when nothing was sent. ``captured`` holds the variables set by this step.
    """

    index: int
    iteration: int
    position: int
    path: str
    kind: str
    label: str
    outcome: Outcome
    status: str = ""
    elapsed_ms: float | None = None
    size: int = 0
    checks: tuple[CheckResult, ...] = ()
    captures: tuple[CaptureResult, ...] = ()
    captured: tuple[tuple[str, str], ...] = ()
    error: str = ""
    started_at: float = 0.0  # time.time() when sent, for reports
    response: StepResponse | None = None  # kept within the run's budget (see runner)


@dataclass(frozen=True)
class LatencyBin:
    """One bar of the latency histogram: ``count`` steps took ``low_ms`` <= t < ``high_ms``."""

    low_ms: float
    high_ms: float
    count: int


@dataclass(frozen=True)
class RunSummary:
    """The figures of a run, over the steps that were sent (passed, failed)."""

    planned: int
    executed: int
    passed: int
    failed: int
    errors: int
    skipped: int
    checks_passed: int
    checks_failed: int
    duration_s: float
    requests_per_s: float
    min_ms: float | None
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    cancelled: bool = False
    bailed: bool = False

    @property
    def ok(self) -> bool:
        """Whether a CI job should pass: nothing failed, erred or was cut short."""
        return not (self.failed or self.errors or self.cancelled or self.bailed)


@dataclass(frozen=True)
class RunReport:
    """Everything a report file holds; ``started_at`` is ISO 8601 UTC."""

    name: str
    started_at: str
    options: RunOptions
    results: tuple[StepResult, ...]
    summary: RunSummary
    histogram: tuple[LatencyBin, ...]
    not_runnable: tuple[tuple[str, str], ...] = ()
