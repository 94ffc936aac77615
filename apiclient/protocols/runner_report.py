"""Report files of a collection run: a JSON document and JUnit XML for CI servers.

The JSON document (``format: "apiclient-run-report"``, ``version: 1``) holds, in this
key order: ``name``, ``started_at`` (ISO 8601 UTC), ``options`` (``iterations``,
``data_rows``, ``concurrency``, ``delay_ms``, ``bail``), ``summary`` (every
:class:`RunSummary` field plus ``ok``), ``histogram`` (``low_ms``, ``high_ms``, ``count``
per bar), ``not_runnable`` (``path``, ``reason``) and ``results``: every
:class:`StepResult` field, its checks as ``{description, passed, actual, message}`` and
its captures as ``{variable, value, message}``; a failed or erring step that kept its
response also has ``response`` (``headers`` as ``{name, value}``, ``body`` as text,
``body_size``, ``truncated``); passed steps leave it out so reports stay small. New keys
may be added; existing ones keep their meaning, so scripts that read the file keep
working.

The JUnit XML is what Jenkins and GitLab read: one ``<testsuite>`` per iteration, one
``<testcase>`` per step, a ``<failure>`` listing the failed checks, an ``<error>`` for a
step that got no answer, the captured variables in ``<system-out>`` and the start of a
failed step's response body (:data:`JUNIT_BODY_CHARS`) in ``<system-err>``. Steps never
started (cancel, bail) have no result: given the plan's request paths
(``planned_paths``), each becomes a test case marked ``<skipped message="not run:
...">`` so the counts match the summary's; without them they are left out. Text that
XML 1.0 cannot hold (control characters, lone surrogates) is replaced by U+FFFD, so a
hostile response can never make the file unreadable.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from apiclient.core.atomic import atomic_write_text
from apiclient.protocols.checks import CaptureResult, CheckResult
from apiclient.protocols.runner_model import RunReport, StepResult

REPORT_FORMAT = "apiclient-run-report"
REPORT_VERSION = 1

ReportFormat = Literal["json", "junit"]

JUNIT_BODY_CHARS = 2 * 1024
"""How much of a failed step's response body JUnit's ``<system-err>`` shows."""

# Everything outside XML 1.0's Char production (tab, LF and CR are allowed).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Lone surrogates (from a body decoded with "surrogateescape") cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def report_json(report: RunReport) -> str:
    """The run as the JSON document described in this module's docstring."""
    summary = report.summary
    doc: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "name": report.name,
        "started_at": report.started_at,
        "options": {
            "iterations": report.options.iteration_count,
            "data_rows": len(report.options.data_rows),
            "concurrency": report.options.concurrency,
            "delay_ms": report.options.delay_ms,
            "bail": report.options.bail,
        },
        "summary": {
            "planned": summary.planned,
            "executed": summary.executed,
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
            "skipped": summary.skipped,
            "checks_passed": summary.checks_passed,
            "checks_failed": summary.checks_failed,
            "duration_s": _finite(summary.duration_s),
            "requests_per_s": _finite(summary.requests_per_s),
            "min_ms": _finite(summary.min_ms),
            "mean_ms": _finite(summary.mean_ms),
            "p50_ms": _finite(summary.p50_ms),
            "p95_ms": _finite(summary.p95_ms),
            "p99_ms": _finite(summary.p99_ms),
            "max_ms": _finite(summary.max_ms),
            "cancelled": summary.cancelled,
            "bailed": summary.bailed,
            "ok": summary.ok,
        },
        "histogram": [
            {"low_ms": b.low_ms, "high_ms": b.high_ms, "count": b.count} for b in report.histogram
        ],
        "not_runnable": [{"path": path, "reason": why} for path, why in report.not_runnable],
        "results": [_step_doc(step) for step in report.results],
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    return _SURROGATE.sub("\ufffd", text) + "\n"


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: a figure that is not a number is written as null."""
    return value if value is None or math.isfinite(value) else None


def _step_doc(step: StepResult) -> dict[str, Any]:
    doc = {
        "index": step.index,
        "iteration": step.iteration,
        "position": step.position,
        "path": step.path,
        "kind": step.kind,
        "label": step.label,
        "outcome": step.outcome,
        "status": step.status,
        "elapsed_ms": _finite(step.elapsed_ms),
        "size": step.size,
        "checks": [
            {
                "description": check_description(c),
                "passed": c.passed,
                "actual": c.actual,
                "message": c.message,
            }
            for c in step.checks
        ],
        "captures": [
            {"variable": c.capture.variable, "value": c.value, "message": c.message}
            for c in step.captures
        ],
        "captured": [{"variable": name, "value": value} for name, value in step.captured],
        "error": step.error,
        "started_at": step.started_at,
    }
    if step.outcome != "passed" and step.response is not None:
        response = step.response
        doc["response"] = {
            "headers": [{"name": name, "value": value} for name, value in response.headers],
            "body": response.body,
            "body_size": response.body_size,
            "truncated": response.truncated,
        }
    return doc


def check_description(result: CheckResult) -> str:
    """A check in a few words, as a report lists it: ``jsonpath $.id equals 3``."""
    check = result.check
    words: list[str] = [check.source]
    if check.expression:
        words.append(check.expression)
    words.append(check.op.replace("_", " "))
    if check.op not in ("exists", "not_exists"):
        words.append(check.expected)
    return " ".join(words)


def junit_xml(report: RunReport, planned_paths: Sequence[str] | None = None) -> str:
    """The run as JUnit XML: one test suite per iteration, one test case per step.

    ``planned_paths`` (the plan's request paths, in order) adds a skipped test case for
    every step that did not run, so CI counts what the summary counts.
    """
    by_iteration: dict[int, list[StepResult]] = {}
    for step in sorted(report.results, key=lambda s: s.index):
        by_iteration.setdefault(step.iteration, []).append(step)
    iterations = set(by_iteration)
    if planned_paths:
        iterations.update(range(report.options.iteration_count))
    why = _not_run_reason(report)
    root = ET.Element("testsuites", name=_clean(report.name))
    tests = failures = errors = skipped = 0
    seconds = 0.0
    for iteration in sorted(iterations):
        steps = by_iteration.get(iteration, [])
        unrun = _unrun(iteration, steps, planned_paths)
        suite, suite_seconds = _suite(report, iteration, steps, unrun, why)
        root.append(suite)
        tests += len(steps) + len(unrun)
        failures += sum(step.outcome == "failed" for step in steps)
        errors += sum(step.outcome == "error" for step in steps)
        skipped += len(unrun)
        seconds += suite_seconds
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skipped))
    root.set("time", _seconds_text(seconds))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _not_run_reason(report: RunReport) -> str:
    if report.summary.bailed:
        return "not run: the run stopped after the first failed or erring request (bail)"
    if report.summary.cancelled:
        return "not run: the run was cancelled"
    return "not run"


def _unrun(
    iteration: int, steps: Sequence[StepResult], planned_paths: Sequence[str] | None
) -> list[tuple[int, str]]:
    """(position, path) of the planned steps of ``iteration`` that have no result."""
    if not planned_paths:
        return []
    ran = {step.position for step in steps}
    return [(pos, path) for pos, path in enumerate(planned_paths) if pos not in ran]


def _suite(
    report: RunReport,
    iteration: int,
    steps: Sequence[StepResult],
    unrun: Sequence[tuple[int, str]],
    why: str,
) -> tuple[ET.Element, float]:
    seconds = [_seconds(step) for step in steps]
    total = math.fsum(seconds)
    suite = ET.Element(
        "testsuite",
        name=_clean(f"{report.name} · iteration {iteration + 1}"),
        tests=str(len(steps) + len(unrun)),
        failures=str(sum(step.outcome == "failed" for step in steps)),
        errors=str(sum(step.outcome == "error" for step in steps)),
        skipped=str(len(unrun)),
        time=_seconds_text(total),
        timestamp=_clean(report.started_at),
    )
    cases: list[tuple[int, ET.Element]] = [
        (step.position, _case(report, step, time_s))
        for step, time_s in zip(steps, seconds, strict=True)
    ]
    cases += [(position, _skipped_case(report, path, why)) for position, path in unrun]
    for _, case in sorted(cases, key=lambda item: item[0]):
        suite.append(case)
    return suite, total


def _skipped_case(report: RunReport, path: str, why: str) -> ET.Element:
    case = ET.Element("testcase", name=_clean(path), classname=_clean(report.name), time="0.000")
    ET.SubElement(case, "skipped", message=_clean(why))
    return case


def _case(report: RunReport, step: StepResult, time_s: float) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=_clean(step.path),
        classname=_clean(report.name),
        time=_seconds_text(time_s),
    )
    if step.outcome == "failed":
        failed = [c for c in step.checks if not c.passed]
        lines = [f"{check_description(c)}: {c.message}" for c in failed]
        if step.error:  # a WebSocket expectation that did not hold, say
            lines.append(step.error)
        if len(failed) > 1:
            message = f"{len(failed)} checks failed: {lines[0]}"
        else:
            message = lines[0] if lines else f"{step.label or step.path} failed."
        failure = ET.SubElement(case, "failure", message=_clean(message), type="assertion")
        failure.text = _clean("\n".join(lines))
    elif step.outcome == "error":
        error = ET.SubElement(case, "error", message=_clean(step.error), type=_clean(step.kind))
        error.text = _clean(f"{step.label}\n{step.error}")
    out = _system_out(step)
    if out:
        ET.SubElement(case, "system-out").text = _clean(out)
    if step.outcome != "passed" and step.response is not None and step.response.body:
        body = step.response.body
        shown = body[:JUNIT_BODY_CHARS]
        if len(shown) < len(body) or step.response.truncated:
            shown += f"\n… ({step.response.body_size:,} bytes in all)"
        ET.SubElement(case, "system-err").text = _clean(shown)
    return case


def _system_out(step: StepResult) -> str:
    lines = [f"{step.label}  {step.status}".rstrip()] if step.label else []
    lines += [_capture_line(c) for c in step.captures]
    return "\n".join(lines)


def _capture_line(capture: CaptureResult) -> str:
    if capture.value is None:
        return f"{capture.capture.variable}: not captured ({capture.message})"
    return f"{capture.capture.variable} = {capture.value}"


def _seconds(step: StepResult) -> float:
    return (step.elapsed_ms or 0.0) / 1000.0


def _seconds_text(seconds: float) -> str:
    return f"{seconds:.3f}"


def _clean(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def write_report(
    report: RunReport,
    path: Path,
    fmt: ReportFormat,
    *,
    planned_paths: Sequence[str] | None = None,
) -> None:
    """Write ``report`` to ``path`` as ``fmt``, atomically; raises ``StoreError`` (a
    sentence saying why) when the file cannot be written. ``planned_paths`` (the plan's
    request paths) lets JUnit list the steps that did not run."""
    text = report_json(report) if fmt == "json" else junit_xml(report, planned_paths)
    atomic_write_text(path, text)
