"""Run reports: the JSON document and JUnit XML, read back by real parsers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml

from apiclient.core.errors import StoreError
from apiclient.core.models import Capture, Check
from apiclient.protocols.checks import CaptureResult, CheckResult
from apiclient.protocols.runner_model import (
    LatencyBin,
    RunOptions,
    RunReport,
    RunSummary,
    StepResponse,
    StepResult,
)
from apiclient.protocols.runner_report import (
    JUNIT_BODY_CHARS,
    junit_xml,
    report_json,
    write_report,
)

STATUS_200 = Check(source="status", op="equals", expected="200")
NAME_IS = Check(source="jsonpath", expression="$.name", op="equals", expected="Blue mug")


def _step(index: int, iteration: int, outcome: str, **fields: object) -> StepResult:
    values: dict[str, object] = {
        "index": index,
        "iteration": iteration,
        "position": index % 3,
        "path": f"Items / Step {index % 3 + 1}",
        "kind": "rest",
        "label": f"GET http://127.0.0.1:1/api/items/{index}",
        "outcome": outcome,
        "status": "200 OK" if outcome != "error" else "",
        "elapsed_ms": 12.5 if outcome != "error" else None,
        "size": 42,
        "started_at": 1_700_000_000.0 + index,
    }
    values.update(fields)
    return StepResult(**values)  # type: ignore[arg-type]


def _summary(**fields: object) -> RunSummary:
    values: dict[str, object] = {
        "planned": 6,
        "executed": 5,
        "passed": 3,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
        "checks_passed": 4,
        "checks_failed": 1,
        "duration_s": 0.25,
        "requests_per_s": 20.0,
        "min_ms": 10.0,
        "mean_ms": 12.0,
        "p50_ms": 12.5,
        "p95_ms": 14.0,
        "p99_ms": 14.0,
        "max_ms": 14.0,
    }
    values.update(fields)
    return RunSummary(**values)  # type: ignore[arg-type]


def _report(name: str = "Items", results: tuple[StepResult, ...] | None = None) -> RunReport:
    passed_check = CheckResult(STATUS_200, True, "200", "Status is 200.")
    failed_check = CheckResult(NAME_IS, False, "Red mug", "Expected Blue mug, found Red mug.")
    captured = CaptureResult(Capture(variable="item_id", expression="$.id"), "7", "Set item_id.")
    missed = CaptureResult(Capture(variable="token", expression="$.token"), None, "No $.token.")
    if results is None:
        results = (
            _step(0, 0, "passed", checks=(passed_check,), captures=(captured,)),
            _step(1, 0, "failed", checks=(passed_check, failed_check), captures=(missed,)),
            _step(2, 0, "error", error="Cannot connect to 127.0.0.1:1: connection refused."),
            _step(3, 1, "passed", checks=(passed_check,), captured=(("item_id", "7"),)),
            _step(4, 1, "passed", checks=(passed_check,)),
        )
    return RunReport(
        name=name,
        started_at="2026-11-21T18:00:00Z",
        options=RunOptions(iterations=2, concurrency=2, delay_ms=5, bail=False),
        results=results,
        summary=_summary(),
        histogram=(LatencyBin(0.0, 10.0, 1), LatencyBin(10.0, 20.0, 3)),
        not_runnable=(("Webhooks / Receiver", "A webhook receiver is a server, not a call."),),
    )


def test_json_holds_every_part_of_the_run() -> None:
    doc = json.loads(report_json(_report()))

    assert doc["format"] == "apiclient-run-report"
    assert doc["name"] == "Items"
    assert doc["started_at"] == "2026-11-21T18:00:00Z"
    assert doc["options"] == {
        "iterations": 2,
        "data_rows": 0,
        "concurrency": 2,
        "delay_ms": 5,
        "bail": False,
    }
    assert doc["summary"]["executed"] == 5
    assert doc["summary"]["p95_ms"] == 14.0
    assert doc["summary"]["ok"] is False
    assert doc["histogram"] == [
        {"low_ms": 0.0, "high_ms": 10.0, "count": 1},
        {"low_ms": 10.0, "high_ms": 20.0, "count": 3},
    ]
    assert doc["not_runnable"] == [
        {"path": "Webhooks / Receiver", "reason": "A webhook receiver is a server, not a call."}
    ]
    assert [r["outcome"] for r in doc["results"]] == [
        "passed",
        "failed",
        "error",
        "passed",
        "passed",
    ]
    failed = doc["results"][1]
    assert failed["checks"][1] == {
        "description": "jsonpath $.name equals Blue mug",
        "passed": False,
        "actual": "Red mug",
        "message": "Expected Blue mug, found Red mug.",
    }
    assert failed["captures"] == [{"variable": "token", "value": None, "message": "No $.token."}]
    assert doc["results"][2]["elapsed_ms"] is None
    assert doc["results"][2]["error"].startswith("Cannot connect")
    assert doc["results"][3]["captured"] == [{"variable": "item_id", "value": "7"}]


def test_json_counts_data_rows_as_iterations() -> None:
    report = _report()
    rows = RunOptions(data_rows=({"a": "1"}, {"a": "2"}, {"a": "3"}))
    doc = json.loads(report_json(RunReport(**{**report.__dict__, "options": rows})))

    assert doc["options"]["iterations"] == 3
    assert doc["options"]["data_rows"] == 3


def test_json_writes_figures_that_are_not_numbers_as_null() -> None:
    report = _report()
    summary = _summary(requests_per_s=float("inf"), min_ms=None)
    doc = json.loads(report_json(RunReport(**{**report.__dict__, "summary": summary})))

    assert doc["summary"]["requests_per_s"] is None
    assert doc["summary"]["min_ms"] is None


def test_junit_has_one_suite_per_iteration_and_consistent_counts() -> None:
    xml = JUnitXml.fromstring(junit_xml(_report()).encode("utf-8"))
    suites = list(xml)

    assert [s.name for s in suites] == ["Items · iteration 1", "Items · iteration 2"]
    assert [(s.tests, s.failures, s.errors) for s in suites] == [(3, 1, 1), (2, 0, 0)]
    assert (xml.tests, xml.failures, xml.errors) == (5, 1, 1)
    first = list(suites[0])
    assert [c.name for c in first] == ["Items / Step 1", "Items / Step 2", "Items / Step 3"]
    assert {c.classname for c in first} == {"Items"}
    assert first[0].time == pytest.approx(0.0125, abs=0.001)
    assert first[0].is_passed
    failure = first[1].result[0]
    assert isinstance(failure, Failure)
    assert failure.type == "assertion"
    assert "jsonpath $.name equals Blue mug" in failure.message
    assert "Status is 200" not in (failure.text or "")
    error = first[2].result[0]
    assert isinstance(error, Error)
    assert error.type == "rest"
    assert error.message.startswith("Cannot connect to 127.0.0.1:1")


def test_junit_attributes_agree_with_the_cases_under_etree() -> None:
    root = ET.fromstring(junit_xml(_report()))

    assert root.tag == "testsuites"
    total_time = 0.0
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("errors", "")) == sum(c.find("error") is not None for c in cases)
        suite_time = sum(float(c.get("time", "")) for c in cases)
        assert float(suite.get("time", "")) == pytest.approx(suite_time, abs=0.002)
        total_time += float(suite.get("time", ""))
    assert int(root.get("tests", "")) == len(root.findall("testsuite/testcase"))
    assert float(root.get("time", "")) == pytest.approx(total_time, abs=0.002)
    outputs = [c.findtext("system-out") or "" for c in root.iter("testcase")]
    assert "item_id = 7" in outputs[0]
    assert "token: not captured (No $.token.)" in outputs[1]


def test_junit_keeps_unicode_and_replaces_control_characters() -> None:
    nasty = 'Ünïcødé ✓ 名前 <&> "q" \x00\x08\x1b\ud800 end'
    step = _step(0, 0, "error", path=f"Folder / {nasty}", error=f"Bad: {nasty}")
    report = _report(name=f"Run {nasty}", results=(step,))

    text = junit_xml(report)
    root = ET.fromstring(text)
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    case = next(iter(next(iter(xml))))

    assert case.name == 'Folder / Ünïcødé ✓ 名前 <&> "q" \ufffd\ufffd\ufffd\ufffd end'
    assert root.find("testsuite/testcase/error").get("message", "").startswith("Bad: Ünïcødé")
    assert "\x00" not in text
    assert text.encode("utf-8")  # no lone surrogate left
    doc = json.loads(report_json(report))
    assert doc["results"][0]["path"].startswith("Folder / Ünïcødé ✓ 名前")


def test_a_failure_without_failed_checks_still_says_what_failed() -> None:
    ws = _step(0, 0, "failed", kind="websocket", error="No message matched 'pong' in 5 s.")
    several = _step(
        1,
        0,
        "failed",
        checks=(
            CheckResult(STATUS_200, False, "500", "Expected 200, found 500."),
            CheckResult(NAME_IS, False, "", "No $.name in the body."),
        ),
    )

    root = ET.fromstring(junit_xml(_report(results=(ws, several))))
    failures = root.findall("testsuite/testcase/failure")

    assert failures[0].get("message") == "No message matched 'pong' in 5 s."
    assert failures[1].get("message", "").startswith("2 checks failed: status equals 200")
    assert "No $.name in the body." in (failures[1].text or "")


def test_an_empty_run_is_a_valid_junit_document() -> None:
    root = ET.fromstring(junit_xml(_report(results=())))

    assert root.get("tests") == "0"
    assert root.findall("testsuite") == []


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_write_report_replaces_the_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"report.{fmt}"
    path.write_text("old", encoding="utf-8")

    write_report(_report(), path, fmt)  # type: ignore[arg-type]

    text = path.read_text(encoding="utf-8")
    expected = report_json(_report()) if fmt == "json" else junit_xml(_report())
    assert text == expected
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_write_report_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "report.xml"

    with pytest.raises(StoreError, match=r"report\.xml"):
        write_report(_report(), path, "junit")


def _cut_short(**summary: object) -> RunReport:
    """Two iterations of three requests; only the first two steps ran."""
    results = (
        _step(0, 0, "passed", elapsed_ms=0.4),
        _step(1, 0, "failed", elapsed_ms=0.4),
    )
    return replace(
        _report(results=results),
        summary=_summary(executed=2, passed=1, failed=1, errors=0, skipped=4, **summary),
    )


PATHS = ["Items / Step 1", "Items / Step 2", "Items / Step 3"]


@pytest.mark.parametrize(
    ("summary", "why"),
    [
        ({"bailed": True}, "not run: the run stopped after the first failed or erring request"),
        ({"cancelled": True}, "not run: the run was cancelled"),
    ],
)
def test_junit_lists_every_step_that_did_not_run_as_skipped(
    summary: dict[str, bool], why: str
) -> None:
    root = ET.fromstring(junit_xml(_cut_short(**summary), planned_paths=PATHS))
    suites = root.findall("testsuite")

    assert [s.get("skipped") for s in suites] == ["1", "3"]
    assert [s.get("tests") for s in suites] == ["3", "3"]
    assert (root.get("tests"), root.get("skipped"), root.get("failures")) == ("6", "4", "1")
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == PATHS * 2
    skipped = [c.find("skipped") for c in cases]
    assert [s is not None for s in skipped] == [False, False, True, True, True, True]
    assert all(s.get("message", "").startswith(why) for s in skipped if s is not None)
    xml = JUnitXml.fromstring(junit_xml(_cut_short(**summary), planned_paths=PATHS).encode())
    assert (xml.tests, xml.skipped) == (6, 4)


def test_junit_total_time_comes_from_unrounded_sums() -> None:
    # 0.4 ms per iteration shows as 0.000 s per suite, yet the two make 0.001 s in all.
    results = (_step(0, 0, "passed", elapsed_ms=0.4), _step(3, 1, "passed", elapsed_ms=0.4))
    root = ET.fromstring(junit_xml(_report(results=results)))

    assert [s.get("time") for s in root.findall("testsuite")] == ["0.000", "0.000"]
    assert root.get("time") == "0.001"


def test_failed_steps_carry_their_response_in_json_and_junit() -> None:
    response = StepResponse((("content-type", "text/plain"),), "x" * 3000, 5000, truncated=True)
    results = (
        _step(0, 0, "passed", response=StepResponse((), "fine", 4)),
        _step(1, 0, "failed", response=response),
    )
    report = _report(results=results)

    doc = json.loads(report_json(report))
    assert "response" not in doc["results"][0]
    assert doc["results"][1]["response"] == {
        "headers": [{"name": "content-type", "value": "text/plain"}],
        "body": "x" * 3000,
        "body_size": 5000,
        "truncated": True,
    }
    cases = ET.fromstring(junit_xml(report)).findall("testsuite/testcase")
    assert cases[0].find("system-err") is None
    err = cases[1].findtext("system-err") or ""
    assert err.startswith("x" * JUNIT_BODY_CHARS + "\n")
    assert err.endswith("(5,000 bytes in all)")


def test_write_report_passes_the_planned_paths_to_junit(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_report(_cut_short(cancelled=True), path, "junit", planned_paths=PATHS)

    assert ET.parse(path).getroot().get("skipped") == "4"
