"""A scripted WebSocket exchange, as one runner step.

Connect with the resolved request, run its ``script`` in order, then close normally
(1000). A ``send`` step sends its body (``{{variables}}`` resolved as it runs); an
``expect`` step waits up to its ``timeout_s`` for an incoming text message that
matches, passing over the others (binary messages never match). Each expectation is
reported as a :class:`CheckResult` on a :class:`Check` describing it (source ``body``,
or ``jsonpath`` with its expression), evaluated by :mod:`.checks` so the comparisons
and messages are those of every other check. The first expectation that times out
fails the step and ends the script (later steps would test the wrong conversation).
A request without a script connects and closes: a connectivity check.

A connection that cannot open raises its ``ProtocolError`` (the step is an error);
a connection that closes during the script fails the expectation waiting on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from apiclient.core.models import Check, CheckOp, WebsocketRequest, WsMessage, WsStep
from apiclient.core.variables import Scope, resolve_text
from apiclient.protocols.checks import CheckResult, ResponseFacts, evaluate_checks
from apiclient.protocols.errors import ConnectError
from apiclient.protocols.websocket import WebsocketSession, WsFrame, WsStatus

_CLOSE_WAIT_S = 5.0  # the closing handshake; past it the socket is dropped
_SHOWN = 120  # characters of a received message quoted in a message

KEPT_MESSAGES = 1_000
"""A script keeps at most this many received messages for the step's response preview
(which the runner cuts further); the expectations see every message."""


@dataclass(frozen=True)
class WsOutcome:
    """How a scripted exchange went: one result per expectation that ran, the time from
    connecting to closed, the bytes received, the text messages received (in order, the
    first :data:`KEPT_MESSAGES`) and the handshake response's headers."""

    expectations: tuple[CheckResult, ...]
    elapsed_ms: float
    bytes_in: int
    messages: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


async def run_ws_script(request: WebsocketRequest, scope: Scope) -> WsOutcome:
    """Run ``request`` (resolved) and its script; ``scope`` resolves the steps' bodies.
    Raises the session's ``ProtocolError`` when the connection cannot open, and the
    variable errors of a step body that cannot be resolved."""
    incoming: asyncio.Queue[str] = asyncio.Queue()
    received: list[str] = []
    settled = asyncio.Event()  # open, or closed for good
    closed = asyncio.Event()

    def on_frame(frame: WsFrame) -> None:
        if frame.direction == "in" and frame.kind == "text" and isinstance(frame.data, str):
            incoming.put_nowait(frame.data)
            if len(received) < KEPT_MESSAGES:
                received.append(frame.data)

    def on_status(status: WsStatus) -> None:
        if status.phase in ("open", "closed"):
            settled.set()
        if status.phase == "closed":
            closed.set()

    session = WebsocketSession(
        request.model_copy(update={"auto_reconnect": False}), on_frame, on_status
    )
    started = time.perf_counter()
    task = asyncio.ensure_future(session.run())
    headers: tuple[tuple[str, str], ...] = ()
    try:
        await settled.wait()
        headers = session.status.response_headers
        if session.status.phase != "open":
            error = session.status.error
            raise (
                error
                if error is not None
                else ConnectError(
                    f"The WebSocket connection to {request.url.strip()} closed before it opened."
                )
            )
        step_scope = scope.with_layer("request", request.variables)
        results: list[CheckResult] = []
        for number, step in enumerate(request.script, start=1):
            if step.action == "send":
                body = resolve_text(step.body, step_scope, f"script step {number}")
                await session.send(WsMessage(format=step.format, body=body))
                continue
            result = await _expect(number, step, step_scope, incoming, closed)
            results.append(result)
            if not result.passed:
                break
        with contextlib.suppress(TimeoutError):  # a slow goodbye: dropped below
            async with asyncio.timeout(_CLOSE_WAIT_S):
                await session.close()
                await task
    finally:
        if not task.done():
            session.abort()
            task.cancel()
            await asyncio.wait({task})  # never raises the task's own ending
    elapsed_ms = (time.perf_counter() - started) * 1000
    return WsOutcome(
        tuple(results), elapsed_ms, session.counters.bytes_in, tuple(received), headers
    )


def _check_for(step: WsStep, expected: str) -> Check:
    if step.match == "jsonpath":
        op: CheckOp = "equals" if expected else "exists"
        return Check(source="jsonpath", expression=step.expression, op=op, expected=expected)
    return Check(source="body", op=step.match, expected=expected)


async def _expect(
    number: int,
    step: WsStep,
    scope: Scope,
    incoming: asyncio.Queue[str],
    closed: asyncio.Event,
) -> CheckResult:
    expected = resolve_text(step.body, scope, f"script step {number}")
    check = _check_for(step, expected)
    last: CheckResult | None = None
    last_text: str | None = None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + step.timeout_s
    while True:
        text = await _next_message(incoming, closed, deadline - loop.time())
        if text is None:
            break
        last_text = text
        facts = ResponseFacts(0, (), text.encode(), "application/json; charset=utf-8", 0.0)
        last = evaluate_checks([check], facts)[0]
        if last.passed:
            return CheckResult(last.check, True, last.actual, f"Step {number}: {last.message}")
    why = (
        "the connection closed"
        if closed.is_set() and incoming.empty()
        else (f"nothing matched within {step.timeout_s:g} s")
    )
    if last_text is None:
        seen = "no text message was received"
    else:
        shown = last_text[:_SHOWN] + ("…" if len(last_text) > _SHOWN else "")
        seen = f"the last message received was {shown!r}"
        if last is not None and last.message:
            seen += f" ({last.message})"
    return CheckResult(
        check,
        False,
        last.actual if last is not None else "",
        f"Step {number} expected a message that {_describe(step, expected)}, but {why}; {seen}.",
    )


async def _next_message(
    incoming: asyncio.Queue[str], closed: asyncio.Event, remaining: float
) -> str | None:
    """The next text message, or None when ``remaining`` seconds pass or the connection
    closed with nothing left to read."""
    if not incoming.empty():
        return incoming.get_nowait()
    if remaining <= 0 or closed.is_set():
        return None
    getting = asyncio.ensure_future(incoming.get())
    closing = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait(
            {getting, closing}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        closing.cancel()
        if not getting.done():
            getting.cancel()
    if getting.done() and not getting.cancelled():
        return getting.result()
    return None


def _describe(step: WsStep, expected: str) -> str:
    if step.match == "jsonpath":
        if expected:
            return f"has {expected!r} at {step.expression}"
        return f"has a value at {step.expression}"
    verbs = {"contains": "contains", "equals": "equals", "matches": "matches"}
    return f"{verbs[step.match]} {expected!r}"
