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


class LiveTally:
    """A run's figures kept up to date step by step, for the live display of a long run.

    :func:`summarize` and :func:`latency_histogram` walk every result; called a few
    times a second on a run of 100,000 steps that holds the window's thread ~100 ms
    each time. A tally instead costs O(len(steps)) per :meth:`add` and O(bins) per
    read, and keeps no step. Counts, min, max and mean are exact. Timings also go into a
    fixed log-scale histogram of :data:`FINE_BINS` bins from :data:`LOW_MS` to
    :data:`HIGH_MS` (timings outside are counted in the first or last bin), from which
    percentiles and display bins are approximated: a percentile is its fine bin's
    geometric midpoint, clamped to [min, max], so it is within half a bin, about
    ±3.5 % of the exact nearest-rank value, for timings inside that range (outside
    it, only that it lies below ~0.107 ms or above ~93 s, and within [min, max]). The
    finished run's report has the exact figures; this is only for watching it go.
    """

    LOW_MS = 0.1
    HIGH_MS = 100_000.0
    FINE_BINS = 200

    def __init__(self) -> None:
        self.executed = 0
        self.passed = 0
        self.failed = 0
        self.errors = 0
        self.checks_passed = 0
        self.checks_failed = 0
        self.timed = 0
        self.min_ms: float | None = None
        self.max_ms: float | None = None
        self._total_ms = 0.0
        self._fine = [0] * self.FINE_BINS
        self._log_low = math.log(self.LOW_MS)
        self._scale = self.FINE_BINS / (math.log(self.HIGH_MS) - self._log_low)

    def add(self, steps: Sequence[StepResult]) -> None:
        """Count ``steps`` (results not yet added)."""
        fine, log_low, scale, last = self._fine, self._log_low, self._scale, self.FINE_BINS - 1
        for step in steps:
            self.executed += 1
            if step.outcome == "passed":
                self.passed += 1
            elif step.outcome == "failed":
                self.failed += 1
            else:
                self.errors += 1
            for check in step.checks:
                if check.passed:
                    self.checks_passed += 1
                else:
                    self.checks_failed += 1
            elapsed = step.elapsed_ms
            if elapsed is None:
                continue
            self.timed += 1
            self._total_ms += elapsed
            if self.min_ms is None or elapsed < self.min_ms:
                self.min_ms = elapsed
            if self.max_ms is None or elapsed > self.max_ms:
                self.max_ms = elapsed
            index = int((math.log(elapsed) - log_low) * scale) if elapsed > 0 else 0
            fine[min(max(index, 0), last)] += 1

    def _middle(self, index: int, low: float, high: float) -> float:
        """The geometric middle of fine bin ``index``, clamped to [``low``, ``high``]."""
        value = math.exp(self._log_low + (index + 0.5) / self._scale)
        return min(max(value, low), high)

    def percentile(self, q: float) -> float | None:
        """The approximate nearest-rank ``q``-th percentile (0 < q <= 100) of the
        timings (class docstring for the error bound); None without timings."""
        low, high = self.min_ms, self.max_ms
        if low is None or high is None:
            return None
        rank = min(max(math.ceil(q / 100 * self.timed), 1), self.timed)
        seen = 0
        for index, count in enumerate(self._fine):
            seen += count
            if seen >= rank:
                return self._middle(index, low, high)
        return high

    def bins(self, count: int = 20) -> tuple[LatencyBin, ...]:
        """``count`` equal-width bins from the fastest to the slowest timing, as
        :func:`latency_histogram` gives them, each fine bin's steps counted where its
        middle falls; one bin when every timing is equal; none without timings."""
        low, high = self.min_ms, self.max_ms
        if low is None or high is None:
            return ()
        if high == low or count <= 1:
            return (LatencyBin(low, high, self.timed),)
        width = (high - low) / count
        counts = [0] * count
        last = count - 1
        for index, fine_count in enumerate(self._fine):
            if fine_count:
                slot = int((self._middle(index, low, high) - low) / width)
                counts[min(slot, last)] += fine_count
        return tuple(
            LatencyBin(low + i * width, high if i == last else low + (i + 1) * width, n)
            for i, n in enumerate(counts)
        )

    def summary(
        self, planned: int, duration_s: float, cancelled: bool = False, bailed: bool = False
    ) -> RunSummary:
        """The figures so far, as :func:`summarize` would give them (percentiles
        approximated, the rest exact)."""
        return RunSummary(
            planned=planned,
            executed=self.executed,
            passed=self.passed,
            failed=self.failed,
            errors=self.errors,
            skipped=max(planned - self.executed, 0),
            checks_passed=self.checks_passed,
            checks_failed=self.checks_failed,
            duration_s=duration_s,
            requests_per_s=self.executed / duration_s if duration_s > 0 else 0.0,
            min_ms=self.min_ms,
            mean_ms=self._total_ms / self.timed if self.timed else None,
            p50_ms=self.percentile(50),
            p95_ms=self.percentile(95),
            p99_ms=self.percentile(99),
            max_ms=self.max_ms,
            cancelled=cancelled,
            bailed=bailed,
        )
