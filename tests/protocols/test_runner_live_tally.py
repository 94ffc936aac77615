"""LiveTally: the runner's live figures, checked against the exact ones of summarize()."""

from __future__ import annotations

import random

import pytest

from apiclient.core.models import Check
from apiclient.protocols.checks import CheckResult
from apiclient.protocols.runner_model import StepResult
from apiclient.protocols.runner_stats import LiveTally, latency_histogram, summarize


def _step(index: int, elapsed_ms: float | None, outcome: str = "passed") -> StepResult:
    check = Check(source="status", expected="200")
    return StepResult(
        index=index,
        iteration=0,
        position=index,
        path="Folder / Request",
        kind="rest",
        label="GET /",
        outcome=outcome,  # type: ignore[arg-type]
        elapsed_ms=elapsed_ms,
        checks=(CheckResult(check, outcome == "passed", "200", "status"),),
    )


def _steps(count: int, seed: int = 7) -> list[StepResult]:
    rng = random.Random(seed)
    outcomes = ("passed", "passed", "passed", "failed", "error")
    return [
        _step(
            i,
            None if i % 50 == 0 else rng.lognormvariate(3, 1),
            outcomes[i % len(outcomes)],
        )
        for i in range(count)
    ]


def test_counts_min_max_mean_match_summarize_exactly_when_added_in_pieces():
    steps = _steps(5_000)
    tally = LiveTally()
    for start in range(0, len(steps), 333):
        tally.add(steps[start : start + 333])
    live = tally.summary(planned=6_000, duration_s=2.0)
    exact = summarize(steps, planned=6_000, duration_s=2.0)
    for name in ("executed", "passed", "failed", "errors", "skipped", "checks_passed"):
        assert getattr(live, name) == getattr(exact, name), name
    assert live.checks_failed == exact.checks_failed
    assert live.min_ms == exact.min_ms and live.max_ms == exact.max_ms
    assert live.mean_ms == pytest.approx(exact.mean_ms)
    assert live.requests_per_s == exact.requests_per_s


@pytest.mark.parametrize("q", [50, 95, 99])
def test_percentiles_are_within_the_documented_bound(q):
    steps = _steps(20_000, seed=q)
    tally = LiveTally()
    tally.add(steps)
    exact = getattr(summarize(steps, planned=len(steps), duration_s=1.0), f"p{q}_ms")
    assert tally.percentile(q) == pytest.approx(exact, rel=0.036)


def test_display_bins_cover_min_to_max_and_count_every_timing():
    steps = _steps(3_000)
    tally = LiveTally()
    tally.add(steps)
    bins = tally.bins(20)
    exact = latency_histogram(steps, bins=20)
    assert len(bins) == 20
    assert bins[0].low_ms == exact[0].low_ms and bins[-1].high_ms == exact[-1].high_ms
    assert sum(b.count for b in bins) == sum(b.count for b in exact) == tally.timed


def test_equal_timings_give_one_bin_and_that_timing_as_every_percentile():
    tally = LiveTally()
    tally.add([_step(i, 12.5) for i in range(10)])
    assert tally.bins() == latency_histogram([_step(0, 12.5)] * 10)
    assert tally.percentile(50) == tally.percentile(99) == 12.5


def test_an_empty_tally_has_no_timings():
    tally = LiveTally()
    tally.add([_step(0, None, "error")])
    summary = tally.summary(planned=3, duration_s=0.0, cancelled=True)
    assert tally.bins() == ()
    assert summary.p50_ms is None and summary.mean_ms is None and summary.min_ms is None
    assert (summary.errors, summary.skipped, summary.cancelled) == (1, 2, True)
    assert summary.requests_per_s == 0.0


def test_timings_outside_the_fine_range_stay_within_what_was_seen():
    tally = LiveTally()
    tally.add([_step(0, 0.01), _step(1, 250_000.0)])
    assert 0.01 <= tally.percentile(50) <= LiveTally.LOW_MS * 1.08
    assert LiveTally.HIGH_MS / 1.08 <= tally.percentile(100) <= 250_000.0
    assert (tally.min_ms, tally.max_ms) == (0.01, 250_000.0)
