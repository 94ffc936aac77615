"""Plans from a stored tree and from imported items, data files, option checks, and the
run's figures (summary, percentiles, histogram) on known numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiclient.core.models import Check, Folder, RestRequest, WebhookRequest
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, FolderNode, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import Scope
from apiclient.protocols.checks import CheckResult
from apiclient.protocols.errors import BatchDataError, RunOptionsError
from apiclient.protocols.runner_model import MAX_ITERATIONS, LatencyBin, RunOptions, StepResult
from apiclient.protocols.runner_plan import (
    WEBHOOK_REASON,
    check_options,
    load_data_rows,
    plan_from_items,
    plan_from_node,
)
from apiclient.protocols.runner_stats import latency_histogram, percentile, summarize

SAMPLE = resources_dir() / "sample-collection"


# --- plans --------------------------------------------------------------------------------


def test_plan_from_the_sample_collection_follows_the_tree() -> None:
    store = CollectionStore.open(SAMPLE)
    plan = plan_from_node(store.tree, name="Sample", scope=Scope(), options=RunOptions())
    in_tree = [n for n in walk(store.tree) if isinstance(n, RequestNode)]
    runnable = [n for n in in_tree if not isinstance(n.request, WebhookRequest)]

    assert [p.relpath for p in plan.requests] == [n.relpath for n in runnable]
    assert [p.request for p in plan.requests] == [n.request for n in runnable]
    first_folder = next(c for c in store.tree.children if isinstance(c, FolderNode))
    first = plan.requests[0]
    assert first.path == f"{first_folder.name} / {first.request.name}"
    webhooks = [n for n in in_tree if isinstance(n.request, WebhookRequest)]
    assert webhooks and len(plan.not_runnable) == len(webhooks)
    assert all(reason == WEBHOOK_REASON for _, reason in plan.not_runnable)
    assert plan.total_steps == len(runnable)


def test_plan_of_a_folder_or_a_request_is_relative_to_it() -> None:
    store = CollectionStore.open(SAMPLE)
    folder = next(c for c in store.tree.children if isinstance(c, FolderNode))
    request = next(c for c in folder.children if isinstance(c, RequestNode))

    folder_plan = plan_from_node(folder, name=folder.name, scope=Scope(), options=RunOptions())
    single = plan_from_node(request, name="one", scope=Scope(), options=RunOptions(iterations=3))

    assert folder_plan.requests[0].path == request.request.name
    assert single.requests[0].path == request.request.name
    assert single.requests[0].relpath == request.relpath
    assert single.total_steps == 3


def test_plan_from_items_walks_nested_folders_in_order() -> None:
    items = [
        RestRequest(name="top"),
        Folder(
            name="Auth",
            items=[RestRequest(name="login"), Folder(name="Deep", items=[RestRequest(name="x")])],
        ),
        WebhookRequest(name="hook"),
        RestRequest(name="last"),
    ]
    plan = plan_from_items(items, name="imported", scope=Scope(), options=RunOptions())

    assert [p.path for p in plan.requests] == ["top", "Auth / login", "Auth / Deep / x", "last"]
    assert all(p.relpath == "" for p in plan.requests)
    assert plan.not_runnable == (("hook", WEBHOOK_REASON),)


# --- data files ---------------------------------------------------------------------------


def test_csv_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("item_id,name\n1,Desk\n2,Chair\n", encoding="utf-8")

    assert load_data_rows(path) == (
        {"item_id": "1", "name": "Desk"},
        {"item_id": "2", "name": "Chair"},
    )


def test_json_data_rows_turn_values_into_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(
        '[{"id": 7, "ok": true, "gone": null, "tags": ["a", "b"], "who": {"n": "Ada"},'
        ' "price": 1.5, "name": "Désk"}]',
        encoding="utf-8",
    )

    assert load_data_rows(path) == (
        {
            "id": "7",
            "ok": "true",
            "gone": "",
            "tags": '["a","b"]',
            "who": '{"n":"Ada"}',
            "price": "1.5",
            "name": "Désk",
        },
    )


def test_other_suffixes_are_sniffed(tmp_path: Path) -> None:
    as_json = tmp_path / "rows.data"
    as_json.write_text('\n  {"rows": [{"a": 1}]}', encoding="utf-8")
    as_csv = tmp_path / "rows.dat"
    as_csv.write_text("a;b\n1;2\n", encoding="utf-8")

    assert load_data_rows(as_json) == ({"a": "1"},)
    assert load_data_rows(as_csv) == ({"a": "1", "b": "2"},)


def test_malformed_csv_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(BatchDataError) as caught:
        load_data_rows(path)

    assert caught.value.path == path and caught.value.row == 3
    assert "bad.csv" in str(caught.value) and "row 3" in str(caught.value)


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"a": 1},\n {"a": }]', encoding="utf-8")
    with pytest.raises(BatchDataError) as caught:
        load_data_rows(path)

    assert (caught.value.row, caught.value.column) == (2, 8)
    assert str(caught.value).startswith("bad.json: line 2, column 8:")


@pytest.mark.parametrize(("name", "text"), [("empty.csv", "a,b\n"), ("empty.json", "[]")])
def test_a_file_without_rows_is_an_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BatchDataError, match=f"^{name} has no rows"):
        load_data_rows(path)


# --- options ------------------------------------------------------------------------------


def test_options_at_their_limits_are_accepted() -> None:
    check_options(RunOptions(iterations=100_000, concurrency=100, delay_ms=600_000))
    check_options(RunOptions(iterations=1, concurrency=1, delay_ms=0))


@pytest.mark.parametrize(
    "options",
    [
        RunOptions(iterations=100_001),
        RunOptions(concurrency=0),
        RunOptions(delay_ms=600_001),
    ],
)
def test_options_past_their_limits_are_refused(options: RunOptions) -> None:
    with pytest.raises(RunOptionsError, match="must be between"):
        check_options(options)


# --- figures ------------------------------------------------------------------------------


def _result(index: int, outcome: str, elapsed: float | None, *passed: bool) -> StepResult:
    checks = tuple(CheckResult(Check(), ok, "", "") for ok in passed)
    return StepResult(
        index=index,
        iteration=0,
        position=index,
        path=f"r{index}",
        kind="rest",
        label="GET /",
        outcome=outcome,  # type: ignore[arg-type]
        elapsed_ms=elapsed,
        checks=checks,
    )


def test_summary_counts_and_nearest_rank_percentiles() -> None:
    results = [_result(i, "passed", float(i + 1), True) for i in range(100)]
    results[3] = _result(3, "failed", 4.0, True, False)
    results[7] = _result(7, "error", None)
    summary = summarize(results, planned=120, duration_s=4.0, bailed=True)

    assert (summary.executed, summary.passed, summary.failed, summary.errors) == (100, 98, 1, 1)
    assert (summary.skipped, summary.checks_passed, summary.checks_failed) == (20, 99, 1)
    assert summary.requests_per_s == 25.0
    timings = [float(i + 1) for i in range(100) if i != 7]
    assert (summary.min_ms, summary.max_ms) == (1.0, 100.0)
    assert summary.mean_ms == pytest.approx(sum(timings) / 99)
    # Nearest rank over 1..7, 9..100 (8 had no timing): the k-th value is k below 8, k + 1 after.
    assert summary.p50_ms == 51.0  # rank ceil(49.5) = 50
    assert summary.p95_ms == 96.0  # rank ceil(94.05) = 95
    assert summary.p99_ms == 100.0  # rank ceil(98.01) = 99
    assert summary.bailed and not summary.cancelled and not summary.ok


def test_summary_of_nothing() -> None:
    summary = summarize([], planned=5, duration_s=0.0, cancelled=True)

    assert summary.requests_per_s == 0.0 and summary.skipped == 5
    assert summary.p50_ms is None and summary.min_ms is None and summary.mean_ms is None


def test_percentile_edges() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 99) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0


def test_histogram_has_equal_bins_and_includes_the_maximum() -> None:
    results = [_result(i, "passed", t) for i, t in enumerate([0.0, 1.0, 2.5, 9.9, 10.0])]
    results.append(_result(5, "error", None))
    histogram = latency_histogram(results, bins=4)

    assert histogram == (
        LatencyBin(0.0, 2.5, 2),
        LatencyBin(2.5, 5.0, 1),
        LatencyBin(5.0, 7.5, 0),
        LatencyBin(7.5, 10.0, 2),
    )


def test_histogram_of_equal_timings_and_of_none() -> None:
    same = [_result(i, "passed", 4.0) for i in range(3)]

    assert latency_histogram(same) == (LatencyBin(4.0, 4.0, 3),)
    assert latency_histogram([_result(0, "error", None)]) == ()
    assert sum(b.count for b in latency_histogram(same * 10, bins=20)) == 30


def test_with_data_rows_iterations_are_ignored_and_the_rows_counted() -> None:
    row = {"id": "1"}
    check_options(RunOptions(iterations=0, data_rows=(row,)))  # iterations do not apply
    check_options(RunOptions(data_rows=(row,) * MAX_ITERATIONS))

    with pytest.raises(RunOptionsError) as caught:
        check_options(RunOptions(data_rows=(row,) * (MAX_ITERATIONS + 1)))
    assert str(caught.value) == (
        "A data file may have at most 100,000 rows (one iteration each); this one has 100,001."
    )
