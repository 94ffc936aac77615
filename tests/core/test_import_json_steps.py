"""``loads_in_steps``: the value and the errors of ``json.loads``, parsed in short steps;
a big Postman export read with progress and a cancel; progress reports throttled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from big_postman import write_big_postman
from corpus_paths import CORPUS

from apiclient.core.importers.detect import count_items, import_any
from apiclient.core.importers.json_steps import loads_in_steps
from apiclient.core.importers.progress import (
    PARSING,
    READING,
    ImportCancelledError,
    ImportProgress,
)

GOOD = [
    '{"item": [{"name": "a", "item": [{"request": {"url": "x"}}]}, 1, "s", null]}',
    ' \n{"item": {"paths": [], "x": [1, {"item": []}]}, "item2": 1e3}\t',
    '[{"item": [true, false, NaN, -Infinity]}, []]',
    '{"a": "\\u00e9\\n", "a": 2, "entries": [{}, {"resources": [[]]}]}',
    '"just text"',
    "42",
]
BAD = [
    '{"item": [1, 2,]}',
    '{"item": [{"a": 1}',
    '{"a" 1}',
    "[1 2]",
    '{"item": {"x": 1,}}',
    "",
    "  ",
    "{} x",
    "nul",
    '{"item": [{"item": [{,}]}]}',
    '{"item": ["\x01"]}',
]


@pytest.mark.parametrize("text", GOOD)
def test_the_value_is_that_of_json_loads(text: str) -> None:
    assert _same(loads_in_steps(text), json.loads(text))


@pytest.mark.parametrize("text", BAD)
def test_the_error_is_that_of_json_loads(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as caught:
        loads_in_steps(text)
    assert (caught.value.msg, caught.value.pos) == (expected.value.msg, expected.value.pos)


def test_every_json_export_of_the_corpus_reads_the_same() -> None:
    files = sorted(CORPUS.rglob("*.json"))
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert _same(loads_in_steps(text), json.loads(text)), path


def test_a_big_postman_export_reports_each_request_and_can_be_cancelled(tmp_path: Path) -> None:
    path = write_big_postman(tmp_path / "big.postman_collection.json", 300, 12, 200)
    reports: list[tuple[str, int, int]] = []

    result = import_any(path, ImportProgress(lambda *report: reports.append(report)))

    assert count_items(result.collection).requests == 300
    assert reports[0] == (READING, 0, 0)
    assert (PARSING, 0, 300) in reports and reports[-1] == (PARSING, 300, 300)

    progress = ImportProgress(lambda _phase, done, _total: done >= 100 and progress.cancel(), 0)
    with pytest.raises(ImportCancelledError):
        import_any(path, progress)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN included (NaN != NaN)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_progress_reports_are_throttled_but_the_first_and_last_always_come() -> None:
    reports: list[tuple[str, int, int]] = []
    progress = ImportProgress(lambda *report: reports.append(report), interval=60)

    progress.start(PARSING, 10_000)
    for done in range(1, 10_001):
        progress.step(done)

    assert reports == [(PARSING, 0, 10_000), (PARSING, 10_000, 10_000)]
