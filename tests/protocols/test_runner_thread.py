"""A run on its own thread: results and the report through callbacks, cancel from
another thread, and a run that cannot start said in words."""

from __future__ import annotations

import threading

from apiclient.core.models import RestRequest
from apiclient.core.variables import Scope
from apiclient.protocols.runner_model import (
    PlannedRequest,
    RunOptions,
    RunPlan,
    RunReport,
    StepResult,
)
from apiclient.protocols.runner_thread import BackgroundRun

_JOIN_S = 20  # a generous bound so a hang fails the test rather than the session


class _Collector:
    """What the callbacks received, and on which thread."""

    def __init__(self) -> None:
        self.steps: list[StepResult] = []
        self.done: list[tuple[RunReport | None, str]] = []
        self.threads: set[str] = set()
        self.first_step = threading.Event()

    def on_step(self, result: StepResult) -> None:
        self.threads.add(threading.current_thread().name)
        self.steps.append(result)
        self.first_step.set()

    def on_done(self, report: RunReport | None, message: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.done.append((report, message))


def _plan(urls: list[str], options: RunOptions | None = None) -> RunPlan:
    planned = tuple(
        PlannedRequest(f"r{i}", RestRequest(name=f"r{i}", url=u)) for i, u in enumerate(urls)
    )
    return RunPlan("background", planned, Scope(), options or RunOptions())


def test_a_background_run_reports_every_step_then_the_report(rest_url: str) -> None:
    seen = _Collector()
    run = BackgroundRun(
        _plan([f"{rest_url}/echo"] * 3, RunOptions(iterations=2)),
        on_step=seen.on_step,
        on_done=seen.on_done,
    )
    assert not run.running
    run.start()

    assert run.join(_JOIN_S) and not run.running
    ((report, message),) = seen.done
    assert message == "" and report is not None
    assert len(seen.steps) == 6 and report.summary.executed == 6 and report.summary.ok
    assert seen.threads == {"collection-runner"}


def test_cancel_from_another_thread_ends_the_run(rest_url: str) -> None:
    seen = _Collector()
    run = BackgroundRun(
        _plan([f"{rest_url}/echo", f"{rest_url}/delay/60", f"{rest_url}/echo"]),
        on_step=seen.on_step,
        on_done=seen.on_done,
    )
    run.start()
    assert seen.first_step.wait(_JOIN_S)
    run.cancel()

    assert run.join(_JOIN_S)
    ((report, message),) = seen.done
    assert message == "" and report is not None
    assert report.summary.cancelled and report.summary.executed == 1


def test_options_out_of_range_end_with_a_message(rest_url: str) -> None:
    seen = _Collector()
    run = BackgroundRun(
        _plan([f"{rest_url}/echo"], RunOptions(concurrency=0)),
        on_step=seen.on_step,
        on_done=seen.on_done,
    )
    run.start()

    assert run.join(_JOIN_S)
    assert seen.steps == []
    assert seen.done == [(None, "Concurrency must be between 1 and 100 requests in flight; got 0.")]


def test_cancel_before_start_and_join_without_start() -> None:
    seen = _Collector()
    run = BackgroundRun(
        _plan(["http://127.0.0.1:9/never"]), on_step=seen.on_step, on_done=seen.on_done
    )
    assert run.join(0)
    run.cancel()
    run.start()

    assert run.join(_JOIN_S)
    ((report, _),) = seen.done
    assert report is not None and report.summary.cancelled and report.results == ()
