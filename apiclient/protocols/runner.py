"""The collection runner: run a :class:`RunPlan` and report every step as it lands.

Scheduling, as :class:`RunOptions` describes it: ``concurrency`` lanes take steps
from a shared schedule. Within one iteration requests start in plan order; a request
with enabled captures is a barrier (the later requests of its iteration start only
once it finished, so they see what it captured). Iterations are independent, so
several may be in flight at once; the schedule always takes from the earliest
iteration that can start something, which makes ``concurrency`` 1 strictly sequential
in plan order. After each step a lane waits ``delay_ms`` before taking its next one.

Variables: each step resolves against the plan's scope, with the iteration's data row
as the ``data`` layer and the values captured so far *in the same iteration* as the
``captured`` layer. Captures never leak into another iteration, so iterations stay
independent and may overlap.

Nothing a step does makes :meth:`Runner.run` raise: bad variables, refused
connections, timeouts and unexpected exceptions all become ``error`` results whose
message says what happened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from apiclient.core.errors import CoreError
from apiclient.core.models import AnyRequest, Capture, Check, Variable
from apiclient.core.variables import Scope, resolve_text
from apiclient.protocols.checks import (
    CaptureResult,
    CheckResult,
    ResponseFacts,
    evaluate_checks,
    run_captures,
)
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.runner_model import Outcome, RunPlan, RunReport, StepResult
from apiclient.protocols.runner_plan import check_options
from apiclient.protocols.runner_stats import latency_histogram, summarize
from apiclient.protocols.runner_steps import Answer, StepEngines, label_of, resolve_any

LARGE_BODY_BYTES = 256 * 1024
"""Checks and captures on a body larger than this run in a worker thread."""


def _checks_of(request: AnyRequest) -> list[Check]:
    return list(getattr(request, "checks", ()))


def _captures_of(request: AnyRequest) -> list[Capture]:
    return [capture for capture in getattr(request, "captures", ()) if capture.enabled]


class _Schedule:
    """Which step may start next; see the module docstring. Runs on the loop's thread."""

    def __init__(self, plan: RunPlan) -> None:
        self.width = len(plan.requests)
        self.iterations = plan.options.iteration_count if self.width else 0
        self.barriers = [bool(_captures_of(planned.request)) for planned in plan.requests]
        self._opened = 0  # iterations started so far
        self._next: dict[int, int] = {}  # open iteration -> next position to start
        self._blocked: set[int] = set()  # iterations waiting for a capturing step

    @property
    def exhausted(self) -> bool:
        """Every step has been started."""
        return self._opened >= self.iterations and not self._next

    def take(self) -> tuple[int, int] | None:
        """The next step to start as ``(iteration, position)``, or None for now."""
        for iteration in self._next:
            if iteration not in self._blocked:
                return self._advance(iteration)
        if self._opened < self.iterations:
            iteration = self._opened
            self._opened += 1
            self._next[iteration] = 0
            return self._advance(iteration)
        return None

    def _advance(self, iteration: int) -> tuple[int, int]:
        position = self._next[iteration]
        if position + 1 >= self.width:
            del self._next[iteration]
        else:
            self._next[iteration] = position + 1
        if self.barriers[position]:
            self._blocked.add(iteration)
        return iteration, position

    def finished(self, iteration: int, position: int) -> None:
        if self.barriers[position]:
            self._blocked.discard(iteration)


class Runner:
    """Runs one plan once. ``on_step`` is called on the loop's thread with every result
    as it lands; :meth:`cancel` (on the same thread) stops the run early. ``base_dir``
    (the collection's root) is where batch calls read relative data files from."""

    def __init__(
        self,
        plan: RunPlan,
        *,
        on_step: Callable[[StepResult], None] | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.plan = plan
        self.base_dir = base_dir
        self._on_step = on_step
        self._schedule = _Schedule(plan)
        self._wake = asyncio.Condition()
        self._results: list[StepResult] = []
        self._scopes: dict[int, Scope] = {}  # iteration -> scope with its data row
        self._captured: dict[int, dict[str, str]] = {}
        self._remaining: dict[int, int] = {}  # iteration -> steps not finished
        self._lanes: list[asyncio.Task[None]] = []
        self._engines: StepEngines | None = None
        self._cancelled = False
        self._bailed = False
        self._started = False

    async def run(self) -> RunReport:
        """Run the plan and report. Raises ``RunOptionsError`` for options out of range
        (before anything is sent); every per-step problem is a result instead."""
        if self._started:
            raise RuntimeError("A Runner runs once; make a new one to run again.")
        self._started = True
        check_options(self.plan.options)
        started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        started = time.perf_counter()
        self._engines = StepEngines(self.base_dir)
        try:
            if not self._cancelled:
                lanes = min(self.plan.options.concurrency, max(self.plan.total_steps, 1))
                self._lanes = [asyncio.ensure_future(self._lane()) for _ in range(lanes)]
                await asyncio.wait(self._lanes)
        finally:
            # Also when run() itself is cancelled: no lane outlives it, nor any engine.
            for lane in self._lanes:
                lane.cancel()
            if self._lanes:
                await asyncio.wait(self._lanes)
            await self._engines.aclose()
        for lane in self._lanes:
            error = None if lane.cancelled() else lane.exception()
            if error is not None:
                raise error  # a bug outside any step (on_step raised...): not swallowed
        duration = time.perf_counter() - started
        results = tuple(sorted(self._results, key=lambda result: result.index))
        summary = summarize(
            results,
            planned=self.plan.total_steps,
            duration_s=duration,
            cancelled=self._cancelled,
            bailed=self._bailed,
        )
        return RunReport(
            name=self.plan.name,
            started_at=started_at,
            options=self.plan.options,
            results=results,
            summary=summary,
            histogram=latency_histogram(results),
            not_runnable=self.plan.not_runnable,
        )

    def cancel(self) -> None:
        """Stop now: nothing more starts, steps in flight are abandoned (no result)."""
        self._cancelled = True
        for lane in self._lanes:
            lane.cancel()

    # -- lanes ---------------------------------------------------------------------------

    @property
    def _stopping(self) -> bool:
        return self._cancelled or self._bailed

    async def _lane(self) -> None:
        delay_s = self.plan.options.delay_ms / 1000
        while not self._stopping:
            step = self._schedule.take()
            if step is None:
                if self._schedule.exhausted:
                    return
                async with self._wake:
                    await self._wake.wait()
                continue
            iteration, position = step
            try:
                result = await self._step(iteration, position)
                self._record(result)
            finally:
                self._schedule.finished(iteration, position)
                self._forget(iteration)
                async with self._wake:
                    self._wake.notify_all()
            if delay_s and not self._stopping:
                await asyncio.sleep(delay_s)

    def _record(self, result: StepResult) -> None:
        self._results.append(result)
        if result.outcome != "passed" and self.plan.options.bail:
            self._bailed = True
        if self._on_step is not None:
            self._on_step(result)

    def _scope(self, iteration: int) -> Scope:
        scope = self._scopes.get(iteration)
        if scope is None:
            scope = self.plan.scope
            rows = self.plan.options.data_rows
            if rows:
                row = rows[iteration]
                scope = scope.with_layer(
                    "data", [Variable(name=k, value=v) for k, v in row.items()]
                )
            self._scopes[iteration] = scope
            self._remaining[iteration] = len(self.plan.requests)
            self._captured[iteration] = {}
        captured = self._captured[iteration]
        if not captured:
            return scope
        return scope.with_layer(
            "captured", [Variable(name=k, value=v) for k, v in captured.items()]
        )

    def _forget(self, iteration: int) -> None:
        """Drop an iteration's scope and captures once its last step finished."""
        if iteration not in self._remaining:
            return
        self._remaining[iteration] -= 1
        if self._remaining[iteration] <= 0:
            del self._remaining[iteration], self._scopes[iteration], self._captured[iteration]

    # -- one step ------------------------------------------------------------------------

    async def _step(self, iteration: int, position: int) -> StepResult:
        planned = self.plan.requests[position]
        request = planned.request
        scope = self._scope(iteration)
        error = StepResult(
            index=iteration * len(self.plan.requests) + position,
            iteration=iteration,
            position=position,
            path=planned.path,
            kind=request.kind,
            label=label_of(request),
            outcome="error",
            started_at=time.time(),
        )
        assert self._engines is not None
        try:
            resolved = resolve_any(request, scope)
            error = replace(error, label=label_of(resolved))
            answer = await self._engines.send(resolved, scope)
        except (ProtocolError, CoreError) as exc:
            return replace(error, error=str(exc))
        except Exception as exc:  # a bug must not end the run: it is reported as the step
            return replace(error, error=f"unexpected error: {type(exc).__name__}: {exc}")
        checks, captures = await self._judge(request, answer, scope)
        captured = tuple(
            (result.capture.variable, result.value)
            for result in captures
            if result.value is not None
        )
        if captured and iteration in self._captured:
            self._captured[iteration].update(captured)
        outcome: Outcome = "passed" if all(check.passed for check in checks) else "failed"
        return replace(
            error,
            label=answer.label,
            outcome=outcome,
            status=answer.status,
            elapsed_ms=answer.elapsed_ms,
            size=answer.size,
            checks=checks,
            captures=captures,
            captured=captured,
        )

    async def _judge(
        self, request: AnyRequest, answer: Answer, scope: Scope
    ) -> tuple[tuple[CheckResult, ...], tuple[CaptureResult, ...]]:
        """The step's own results, then the request's checks (expected values resolved
        first), and its captures."""
        facts = answer.facts
        checks = _checks_of(request)
        captures = _captures_of(request)
        if facts is None or not (checks or captures):
            return answer.checks, ()
        request_scope = scope.with_layer("request", getattr(request, "variables", ()))
        prepared = [_resolve_expected(check, request_scope) for check in checks if check.enabled]
        if len(facts.body) > LARGE_BODY_BYTES:
            return await asyncio.to_thread(_evaluate, answer.checks, prepared, captures, facts)
        return _evaluate(answer.checks, prepared, captures, facts)


def _resolve_expected(check: Check, scope: Scope) -> Check | CheckResult:
    """``check`` with its expected value resolved, or the failed result saying why not."""
    try:
        expected = resolve_text(check.expected, scope, "the check's expected value")
    except CoreError as exc:
        return CheckResult(check, False, "", f"The check was not evaluated: {exc}")
    return check.model_copy(update={"expected": expected})


def _evaluate(
    own: tuple[CheckResult, ...],
    prepared: Sequence[Check | CheckResult],
    captures: Sequence[Capture],
    facts: ResponseFacts,
) -> tuple[tuple[CheckResult, ...], tuple[CaptureResult, ...]]:
    runnable = [item for item in prepared if isinstance(item, Check)]
    evaluated = iter(evaluate_checks(runnable, facts))
    checks = [item if isinstance(item, CheckResult) else next(evaluated) for item in prepared]
    return (*own, *checks), tuple(run_captures(captures, facts))
