"""Report files of a collection run: a JSON document and JUnit XML for CI servers.

The JSON document (``format: "apiclient-run-report"``, ``version: 1``) holds, in this
key order: ``name``, ``started_at`` (ISO 8601 UTC), ``options`` (``iterations``,
``data_rows``, ``concurrency``, ``delay_ms``, ``bail``), ``summary`` (every
:class:`RunSummary` field plus ``ok``), ``histogram`` (``low_ms``, ``high_ms``, ``count``
per bar), ``not_runnable`` (``path``, ``reason``) and ``results``: every
:class:`StepResult` field, its checks as ``{description, passed, actual, message}`` and
its captures as ``{variable, value, message}``. New keys may be added; existing ones keep
their meaning, so scripts that read the file keep working.

The JUnit XML is what Jenkins and GitLab read: one ``<testsuite>`` per iteration, one
``<testcase>`` per step, a ``<failure>`` listing the failed checks, an ``<error>`` for a
step that got no answer, the captured variables in ``<system-out>``. Steps never started
(cancel, bail) have no result and so no test case. Text that XML 1.0 cannot hold
(control characters, lone surrogates) is replaced by U+FFFD, so a hostile response can
never make the file unreadable.
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
    return {
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


def junit_xml(report: RunReport) -> str:
    """The run as JUnit XML: one test suite per iteration, one test case per step."""
    by_iteration: dict[int, list[StepResult]] = {}
    for step in sorted(report.results, key=lambda s: s.index):
        by_iteration.setdefault(step.iteration, []).append(step)
    root = ET.Element("testsuites", name=_clean(report.name))
    totals = [0, 0, 0, 0.0]  # tests, failures, errors, time
    for iteration in sorted(by_iteration):
        suite = _suite(report, iteration, by_iteration[iteration])
        root.append(suite)
        totals[0] += int(suite.get("tests", "0"))
        totals[1] += int(suite.get("failures", "0"))
        totals[2] += int(suite.get("errors", "0"))
        totals[3] += float(suite.get("time", "0"))
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(totals[2]))
    root.set("time", _seconds_text(totals[3]))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(report: RunReport, iteration: int, steps: Sequence[StepResult]) -> ET.Element:
    seconds = [_seconds(step) for step in steps]
    suite = ET.Element(
        "testsuite",
        name=_clean(f"{report.name} · iteration {iteration + 1}"),
        tests=str(len(steps)),
        failures=str(sum(step.outcome == "failed" for step in steps)),
        errors=str(sum(step.outcome == "error" for step in steps)),
        skipped="0",
        time=_seconds_text(sum(seconds)),
        timestamp=_clean(report.started_at),
    )
    for step, time_s in zip(steps, seconds, strict=True):
        suite.append(_case(report, step, time_s))
    return suite


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


def write_report(report: RunReport, path: Path, fmt: ReportFormat) -> None:
    """Write ``report`` to ``path`` as ``fmt``, atomically; raises ``StoreError`` (a
    sentence saying why) when the file cannot be written."""
    text = report_json(report) if fmt == "json" else junit_xml(report)
    atomic_write_text(path, text)
