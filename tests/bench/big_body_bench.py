"""A 500 MB response body in the REST tab: the app's peak memory and its longest GUI
stall while the body is received (spooled to a file), shown, paged and searched.

The body is the REST mock's ``/text/large`` (text lines ending in ``END-OF-BODY``),
served by the mocks in their own process. Peak memory is the app process's high-water
mark (``VmHWM``, reset through ``/proc/self/clear_refs`` just before the send), so it
counts the window itself too: the figure is the whole app's, not only the body's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from bench_common import (
    cpu_meter,
    fresh_app_dirs,
    stall_meter,
    start_mocks,
    stop_mocks,
    window_on_loop,
)

END_TERM = "END-OF-BODY"


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); False when the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _wait_until(condition: Callable[[], bool], timeout: float = 600.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the REST tab did not get there in time")
        await asyncio.sleep(0.01)


def bench_big_body(mb: int) -> tuple[dict[str, float], str]:
    from apiclient.ui.workers import shutdown_workers

    tmp = fresh_app_dirs()
    server, urls = start_mocks(tmp)
    loop, window = window_on_loop(1200, 900)
    figures: dict[str, float] = {}
    worst_phase: list[str] = []

    async def measure() -> None:
        await window.startup()
        await window.rest.warm_up()
        tab = window.rest
        view = tab.response.body
        tab.editor.url.setText(f"{urls['rest']}/api/items/1")
        tab.editor.send.click()  # a first small send: imports, history, engine
        await _wait_until(tab.is_sending)
        await _wait_until(lambda: not tab.is_sending() and view.shown_text() is not None)
        await asyncio.sleep(0.3)

        address = f"{urls['rest']}/text/large?mb={mb}"
        tab.editor.url.setText(address)
        tab.editor.url.textEdited.emit(address)
        tab.response.show_idle()
        await asyncio.sleep(0.2)
        gaps, last, ticker = stall_meter()
        cpu_gaps, cpu_last = cpu_meter(ticker)
        phases: list[tuple[str, int]] = []  # (phase, index of its first gap)

        def phase(name: str) -> None:
            phases.append((name, len(gaps)))

        sampled = [0]

        def sample() -> None:
            sampled[0] = max(sampled[0], _status_kb("VmRSS"))

        ticker.timeout.connect(sample)
        figures["rss_before_mb"] = _status_kb("VmRSS") / 1024
        peak_reset = _reset_peak()
        last[0] = time.perf_counter()
        cpu_last[0] = time.thread_time()
        ticker.start()
        start = time.perf_counter()
        phase("receive")
        tab.editor.send.click()
        await _wait_until(lambda: "200" in tab.response.status.text())
        figures["receive_s"] = time.perf_counter() - start
        await _wait_until(lambda: bool(view.text.toPlainText()))
        figures["first_view_s"] = time.perf_counter() - start
        await _wait_until(lambda: view.shown_text() is not None and not tab.is_sending())
        figures["searchable_s"] = time.perf_counter() - start
        phase("page")
        for _ in range(3):
            view.next_page.click()
            await asyncio.sleep(0.05)
        phase("search")
        searched = time.perf_counter()
        view.find.query.setText(END_TERM)
        await _wait_until(lambda: view.text.textCursor().selectedText() == END_TERM)
        figures["search_s"] = time.perf_counter() - searched
        await asyncio.sleep(0.2)
        ticker.stop()
        worst = max(range(len(gaps)), key=gaps.__getitem__)
        figures["max_stall_ms"] = gaps[worst] * 1000
        figures["max_stall_cpu_ms"] = cpu_gaps[worst] * 1000 if worst < len(cpu_gaps) else 0
        worst_phase.append(next(name for name, first in reversed(phases) if first <= worst))
        peak_kb = _status_kb("VmHWM") if peak_reset else sampled[0]
        figures["peak_rss_mb"] = max(peak_kb, sampled[0]) / 1024

    try:
        with loop:
            loop.run_until_complete(measure())
            loop.run_until_complete(window.shutdown())
    finally:
        stop_mocks(server)
        shutdown_workers()
    return figures, worst_phase[0]


def run(quick: bool) -> None:
    mb = 100 if quick else 500
    figures, worst_phase = bench_big_body(mb)
    label = f"body_{mb}mb"
    print(
        f"{label}_peak_rss_mb: {figures['peak_rss_mb']:.0f} MB (target < 250; the whole app,"
        f" {figures['rss_before_mb']:.0f} MB before the send)"
    )
    print(
        f"{label}_max_stall_ms: {figures['max_stall_ms']:.0f} ms (target < 100; while"
        f" {worst_phase}; the GUI thread's own CPU in the worst gap:"
        f" {figures['max_stall_cpu_ms']:.0f} ms)"
    )
    print(f"{label}_receive_s: {figures['receive_s']:.2f} s")
    print(f"{label}_first_view_s: {figures['first_view_s']:.2f} s")
    print(f"{label}_searchable_s: {figures['searchable_s']:.2f} s (paged through, indexed)")
    print(f"{label}_search_end_s: {figures['search_s']:.2f} s")
