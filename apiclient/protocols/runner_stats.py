"""The figures of a run: counts, latency percentiles, requests per second, a histogram.

Percentiles use the nearest-rank method: p is the smallest timing such that at least
p % of the timings are at or below it (so every percentile is a timing that was really
measured, as load-testing tools report them). Only steps with a timing count, i.e.
those that were sent; an error before sending has none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from apiclient.protocols.runner_model import LatencyBin, RunSummary, StepResult


def summarize(
    results: Sequence[StepResult],
    *,
    planned: int,
    duration_s: float,
    cancelled: bool = False,
    bailed: bool = False,
) -> RunSummary:
    """The summary of ``results`` out of ``planned`` steps; steps without a result are
    counted as skipped."""
    executed = len(results)
    passed = failed = errors = checks_passed = checks_failed = 0
    for result in results:
        if result.outcome == "passed":
            passed += 1
        elif result.outcome == "failed":
            failed += 1
        else:
            errors += 1
        for check in result.checks:
            if check.passed:
                checks_passed += 1
            else:
                checks_failed += 1
    timings = sorted(r.elapsed_ms for r in results if r.elapsed_ms is not None)
    return RunSummary(
        planned=planned,
        executed=executed,
        passed=passed,
        failed=failed,
        errors=errors,
        skipped=max(planned - executed, 0),
        checks_passed=checks_passed,
        checks_failed=checks_failed,
        duration_s=duration_s,
        requests_per_s=executed / duration_s if duration_s > 0 else 0.0,
        min_ms=timings[0] if timings else None,
        mean_ms=math.fsum(timings) / len(timings) if timings else None,
        p50_ms=percentile(timings, 50),
        p95_ms=percentile(timings, 95),
        p99_ms=percentile(timings, 99),
        max_ms=timings[-1] if timings else None,
        cancelled=cancelled,
        bailed=bailed,
    )


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``ordered`` (sorted
    ascending), or None when it is empty."""
    if not ordered:
        return None
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[min(rank, len(ordered)) - 1]


def latency_histogram(results: Sequence[StepResult], *, bins: int = 20) -> tuple[LatencyBin, ...]:
    """Equal-width bins from the fastest to the slowest timing; the last bin includes
    the maximum. One bin when every timing is equal; none without timings.

    One pass to find the range and one to count, no sorting: the Batch tab calls this
    live, many times a second, on runs of 100,000 steps.
    """
    timings = [r.elapsed_ms for r in results if r.elapsed_ms is not None]
    if not timings:
        return ()
    low, high = min(timings), max(timings)
    if high == low or bins <= 1:
        return (LatencyBin(low, high, len(timings)),)
    width = (high - low) / bins
    counts = [0] * bins
    last = bins - 1
    scale = bins / (high - low)
    for timing in timings:
        index = int((timing - low) * scale)
        counts[index if index < last else last] += 1
    return tuple(
        LatencyBin(low + i * width, high if i == last else low + (i + 1) * width, count)
        for i, count in enumerate(counts)
    )
