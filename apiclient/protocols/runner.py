"""The collection runner: run a :class:`RunPlan` and report every step as it lands.

Scheduling, as :class:`RunOptions` describes it: ``concurrency`` lanes take steps
from a shared schedule. Within one iteration requests start in plan order; a request
with enabled captures is a barrier (the later requests of its iteration start only
once it finished, so they see what it captured). Iterations are independent, so
several may be in flight at once; the schedule always takes from the earliest
iteration that can start something, which makes ``concurrency`` 1 strictly sequential
in plan order. After each step a lane waits ``delay_ms`` before taking its next one,
unless every step has been started (a run never ends on a delay). Every lane yields
to the loop after each step, even one that failed before sending, so :meth:`Runner.cancel`
and Ctrl+C take effect at once however fast steps fail.

Variables: each step resolves against the plan's scope, with the iteration's data row
as the ``data`` layer and the values captured so far *in the same iteration* as the
``captured`` layer. Captures never leak into another iteration, so iterations stay
independent and may overlap.

Captures: a capture that finds nothing (or whose expression is broken) leaves its
variable unset and does *not* fail its step, which is judged by its checks alone (add
an ``exists`` check to make a missing value a failure). The miss is reported in the
step's ``captures``; and a later step of the same iteration that stops on that unknown
variable says which step was to capture it and why it found nothing.

Nothing a step does makes :meth:`Runner.run` raise: bad variables, refused
connections, timeouts and unexpected exceptions all become ``error`` results whose
message says what happened. Neither does ``on_step``: an exception from it is logged
(once per run, with :mod:`logging`) and the run goes on, so a broken display never
loses the report.

Responses: every step that got an answer keeps a :class:`StepResponse` (headers and the
start of the body as text) within a budget, so a person can see why a step failed:
bodies are cut to :data:`PREVIEW_CHARS` characters (binary bodies become a hex preview
of their first :data:`BINARY_PREVIEW_BYTES` bytes); failed and erring steps always keep
theirs, passed steps only until :data:`MAX_PASSED_PREVIEWS` have been kept; and once
the run holds :data:`MAX_PREVIEW_BYTES` of previews, later steps keep none (None).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apiclient.core.connection_defaults import effective_settings
from apiclient.core.errors import CoreError, UndefinedVariableError
from apiclient.core.models import (
    AnyRequest,
    Capture,
    Check,
    ClientCertificate,
    RestRequest,
    Variable,
)
from apiclient.core.variables import Scope, resolve_text
from apiclient.protocols.checks import (
    CaptureResult,
    CheckResult,
    ResponseFacts,
    evaluate_checks,
    run_captures,
)
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.oauth2 import OAuth2Context
from apiclient.protocols.runner_model import (
    Outcome,
    RunPlan,
    RunReport,
    StepResponse,
    StepResult,
)
from apiclient.protocols.runner_plan import check_options
from apiclient.protocols.runner_stats import latency_histogram, summarize
from apiclient.protocols.runner_steps import Answer, StepEngines, label_of, resolve_any

LARGE_BODY_BYTES = 256 * 1024
"""Checks and captures on a body larger than this run in a worker thread."""

PREVIEW_CHARS = 16 * 1024
"""A kept response body holds at most this many characters of text."""

BINARY_PREVIEW_BYTES = 256
"""A binary body is kept as the hex of at most this many of its first bytes."""

MAX_PASSED_PREVIEWS = 1_000
"""Passed steps keep their response until the run has kept this many of them; failed
and erring steps always keep theirs (within :data:`MAX_PREVIEW_BYTES`)."""

MAX_PREVIEW_BYTES = 64 * 1024 * 1024
"""All the responses a run keeps hold at most about this much text (headers and bodies,
counted in characters); past it steps keep none."""

_log = logging.getLogger(__name__)

# Content types whose bodies are text even without a charset parameter.
_TEXT_TYPES = (
    "json",
    "xml",
    "javascript",
    "html",
    "x-www-form-urlencoded",
    "graphql",
    "yaml",
    "multipart",
)


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
        oauth2: OAuth2Context | None = None,
        client_certificates: Sequence[ClientCertificate] = (),
    ) -> None:
        self.plan = plan
        self.base_dir = base_dir
        self.oauth2 = oauth2
        self.client_certificates = tuple(client_certificates)
        self._on_step = on_step
        self._schedule = _Schedule(plan)
        self._wake = asyncio.Condition()
        self._results: list[StepResult] = []
        self._scopes: dict[int, Scope] = {}  # iteration -> scope with its data row
        self._captured: dict[int, dict[str, str]] = {}
        self._remaining: dict[int, int] = {}  # iteration -> steps not finished
        self._lanes: list[asyncio.Task[None]] = []
        self._engines: StepEngines | None = None
        self._missed: dict[int, dict[str, tuple[str, str]]] = {}  # var -> (path, why)
        self._cancelled = False
        self._bailed = False
        self._started = False
        self._on_step_failed = False
        self._passed_previews = 0
        self._preview_chars = 0
        # id(request) -> the request to send as it is (its "App default" settings filled),
        # or None when it uses {{variables}} and is resolved for every step.
        self._plain: dict[int, AnyRequest | None] = {}

    async def run(self) -> RunReport:
        """Run the plan and report. Raises ``RunOptionsError`` for options out of range
        (before anything is sent); every per-step problem is a result instead."""
        if self._started:
            raise RuntimeError("A Runner runs once; make a new one to run again.")
        self._started = True
        check_options(self.plan.options)
        started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        started = time.perf_counter()
        lanes = min(self.plan.options.concurrency, max(self.plan.total_steps, 1))
        self._engines = StepEngines(
            self.base_dir,
            workers=lanes,
            oauth2=self.oauth2,
            client_certificates=self.client_certificates,
        )
        try:
            if not self._cancelled:
                self._lanes = [asyncio.ensure_future(self._lane()) for _ in range(lanes)]
                await asyncio.wait(self._lanes)
        finally:
            # Also when run() itself is cancelled: no lane outlives it, nor any engine.
            for lane in self._lanes:
                lane.cancel()
            if self._lanes:
                await asyncio.wait(self._lanes)
            # The run's time ends with its last step, not with the engines' shutdown.
            duration = time.perf_counter() - started
            await self._engines.aclose()
        for lane in self._lanes:
            error = None if lane.cancelled() else lane.exception()
            if error is not None:
                raise error  # a bug of the runner itself: not swallowed
        results = tuple(sorted(self._results, key=lambda result: result.index))
        planned = self.plan.total_steps
        summary = summarize(
            results,
            planned=planned,
            duration_s=duration,
            # A cancel that came after the last step cut nothing short.
            cancelled=self._cancelled and len(results) < planned,
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
            # A step that failed before sending never awaited: let cancel() in now.
            await asyncio.sleep(0)
            if delay_s and not self._stopping and not self._schedule.exhausted:
                await asyncio.sleep(delay_s)

    def _record(self, result: StepResult) -> None:
        self._results.append(result)
        if result.outcome != "passed" and self.plan.options.bail:
            self._bailed = True
        if self._on_step is None:
            return
        try:
            self._on_step(result)
        except Exception:  # the caller's display broke: the run and its report go on
            if not self._on_step_failed:
                self._on_step_failed = True
                _log.exception(
                    "The on_step callback of the run %r raised; the run goes on and its "
                    "later failures are not logged.",
                    self.plan.name,
                )

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
            self._missed[iteration] = {}
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
            del self._missed[iteration]

    # -- one step ------------------------------------------------------------------------

    async def _step(self, iteration: int, position: int) -> StepResult:
        planned = self.plan.requests[position]
        request = planned.request
        scope = self._scope(iteration)
        started_at = time.time()
        label = label_of(request)

        def result(outcome: Outcome, **fields: Any) -> StepResult:
            return StepResult(
                index=iteration * len(self.plan.requests) + position,
                iteration=iteration,
                position=position,
                path=planned.path,
                kind=request.kind,
                label=label,
                outcome=outcome,
                started_at=started_at,
                **fields,
            )

        assert self._engines is not None
        try:
            resolved = self._resolved(request, scope)
            label = label_of(resolved)
            answer = await self._engines.send(resolved, scope)
        except UndefinedVariableError as exc:
            return result("error", error=self._explain_unknown(iteration, exc))
        except (ProtocolError, CoreError) as exc:
            return result("error", error=str(exc))
        except Exception as exc:  # a bug must not end the run: it is reported as the step
            return result("error", error=f"unexpected error: {type(exc).__name__}: {exc}")
        checks, captures = await self._judge(request, answer, scope)
        captured = tuple(
            (capture.capture.variable, capture.value)
            for capture in captures
            if capture.value is not None
        )
        if iteration in self._captured:
            self._captured[iteration].update(captured)
            missed = self._missed[iteration]
            for capture in captures:
                name = capture.capture.variable
                if capture.value is None:
                    missed[name] = (planned.path, capture.message)
                else:
                    missed.pop(name, None)
        # A capture that found nothing does not fail the step (module docstring).
        outcome: Outcome = "passed" if all(check.passed for check in checks) else "failed"
        label = answer.label
        return result(
            outcome,
            status=answer.status,
            elapsed_ms=answer.elapsed_ms,
            size=answer.size,
            checks=checks,
            captures=captures,
            captured=captured,
            response=self._keep(answer, outcome),
        )

    def _resolved(self, request: AnyRequest, scope: Scope) -> AnyRequest:
        """``request`` resolved in ``scope``; a REST request that uses no ``{{...}}``
        anywhere resolves to itself with its "App default" settings filled (the scope's
        connection defaults are the same for the whole run), so that is made once per
        run, its text searched once, instead of resolved per step."""
        if not isinstance(request, RestRequest):
            return resolve_any(request, scope)
        key = id(request)  # the plan holds every request for the whole run
        if key not in self._plain:
            plain = None
            settings = effective_settings(request.settings, scope.connection)
            # The app's custom proxy may name {{variables}} of its own.
            filled = settings.proxy_url + settings.no_proxy
            if "{{" not in request.model_dump_json() and "{{" not in filled:
                plain = request.model_copy(update={"settings": settings})
            self._plain[key] = plain
        ready = self._plain[key]
        return resolve_any(request, scope) if ready is None else ready

    def _explain_unknown(self, iteration: int, exc: UndefinedVariableError) -> str:
        """The error's message, plus which earlier step was to capture each unknown name."""
        missed = self._missed.get(iteration, {})
        notes = []
        for name in exc.names:
            if name in missed:
                path, why = missed[name]
                notes.append(
                    f"{{{{{name}}}}} was to be captured by {path!r}, which found nothing: "
                    f"{why.rstrip('.')}."
                )
        return " ".join([str(exc), *notes])

    def _keep(self, answer: Answer, outcome: Outcome) -> StepResponse | None:
        """The step's response preview, if the run's budget allows (module docstring)."""
        if self._preview_chars >= MAX_PREVIEW_BYTES:
            return None
        if outcome == "passed" and self._passed_previews >= MAX_PASSED_PREVIEWS:
            return None
        response = preview(answer)
        if response is None:
            return None
        cost = len(response.body) + sum(len(k) + len(v) for k, v in response.headers)
        if self._preview_chars + cost > MAX_PREVIEW_BYTES:
            self._preview_chars = MAX_PREVIEW_BYTES
            return None
        self._preview_chars += cost
        if outcome == "passed":
            self._passed_previews += 1
        return response

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
        enabled = [check for check in checks if check.enabled]
        prepared: list[Check | CheckResult] = list(enabled)
        if any("{{" in check.expected for check in enabled):  # else nothing to resolve
            request_scope = scope.with_layer("request", getattr(request, "variables", ()))
            prepared = [_resolve_expected(check, request_scope) for check in enabled]
        if len(facts.body) > LARGE_BODY_BYTES:
            return await asyncio.to_thread(_evaluate, answer.checks, prepared, captures, facts)
        return _evaluate(answer.checks, prepared, captures, facts)


def _resolve_expected(check: Check, scope: Scope) -> Check | CheckResult:
    """``check`` with its expected value resolved, or the failed result saying why not."""
    try:
        expected = resolve_text(check.expected, scope, "the check's expected value")
    except CoreError as exc:
        return CheckResult(check, False, "", f"The check was not evaluated: {exc}")
    if expected == check.expected:  # nothing to resolve: no copy
        return check
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


def preview(answer: Answer) -> StepResponse | None:
    """What ``answer`` brought back, cut to :data:`PREVIEW_CHARS`: the HTTP (or gRPC)
    headers and body, or for a WebSocket script its handshake headers and the messages
    received as JSON lines. None when the kind keeps nothing."""
    if answer.facts is not None:
        facts = answer.facts
        body, truncated = body_text(facts.body, facts.content_type)
        return StepResponse(tuple(facts.headers), body, len(facts.body), truncated)
    if answer.messages is None:
        return None
    lines = "\n".join(json.dumps(message, ensure_ascii=False) for message in answer.messages)
    size = len(lines.encode("utf-8", "surrogatepass"))
    return StepResponse(answer.headers, lines[:PREVIEW_CHARS], size, len(lines) > PREVIEW_CHARS)


def body_text(body: bytes, content_type: str) -> tuple[str, bool]:
    """``body`` as text for a person, and whether it was cut: decoded with the content
    type's charset (else UTF-8, bad bytes replaced) and cut to :data:`PREVIEW_CHARS`; a
    binary body as the hex of its first :data:`BINARY_PREVIEW_BYTES` bytes, with a note."""
    media, charset = _media_type(content_type)
    if _is_binary(body, media, charset):
        shown = body[:BINARY_PREVIEW_BYTES]
        cut = len(body) > len(shown)
        note = f"(binary {media or 'body'}, {len(body):,} bytes"
        note += f"; the first {len(shown)} in hex)" if cut else "; in hex)"
        return f"{note}\n{shown.hex(' ')}", cut
    # Decoding the whole of a huge body only to cut it is waste: 4 bytes per character
    # at most, so this many bytes always give PREVIEW_CHARS characters when there are.
    head = body[: PREVIEW_CHARS * 4 + 4]
    try:
        text = head.decode(charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        text = head.decode("utf-8", "replace")
    cut = len(text) > PREVIEW_CHARS or len(head) < len(body)
    return text[:PREVIEW_CHARS], cut


def _media_type(content_type: str) -> tuple[str, str]:
    media, *params = (part.strip() for part in content_type.split(";"))
    charset = ""
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return media.lower(), charset


def _is_binary(body: bytes, media: str, charset: str) -> bool:
    if charset or media.startswith("text/") or any(t in media for t in _TEXT_TYPES):
        return False
    if not media:  # no content type: judged by the bytes
        return b"\x00" in body[:1024]
    return True
