"""The WebSocket tab under a ticker of 10,000 messages a second: longest GUI stall and
memory growth (the headlines ``ws_max_stall_ms``, ``ws_rss_growth_mb``: the peak), then
the details: messages received, their rate, memory after the stream."""

from __future__ import annotations

import asyncio
import gc
import time

from bench_common import (
    cpu_meter,
    fresh_app_dirs,
    rss_mb,
    stall_meter,
    start_mocks,
    stop_mocks,
    window_on_loop,
)


def bench_websocket_stream(rate: int, seconds: int) -> None:
    """Drive the WebSocket tab with the ticker mock at ``rate`` messages a second: the
    longest stall of the GUI thread, the messages received and the memory growth."""

    from apiclient.ui.workers import import_in_worker

    tmp = fresh_app_dirs()
    server, urls = start_mocks(tmp)
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()
    cpu_gaps, cpu_last = cpu_meter(ticker)
    count = rate * seconds

    async def measure() -> tuple[float, float, float, int, float, float]:
        tab = window.websocket
        window.tabs.setCurrentWidget(tab)
        tab.editor.url.setText(f"{urls['websocket']}/ticker?rate={rate}&count={count}")
        await import_in_worker("apiclient.protocols.websocket")  # a start-up cost, apart
        await asyncio.sleep(0.2)
        gc.collect()
        rss_before = rss_mb()
        gaps.clear()
        cpu_gaps.clear()
        last[0] = time.perf_counter()
        cpu_last[0] = time.thread_time()
        ticker.start()
        start = time.perf_counter()
        tab.toggle_connection()
        while tab.session is None:
            await asyncio.sleep(0.005)
        rss_peak = rss_before
        while tab.session is not None:
            await asyncio.sleep(0.1)
            rss_peak = max(rss_peak, rss_mb())
        elapsed = time.perf_counter() - start
        await asyncio.sleep(0.2)
        ticker.stop()
        received = tab._counters.messages_in if tab._counters is not None else 0
        gc.collect()
        return (
            elapsed,
            max(gaps) * 1000,
            max(cpu_gaps) * 1000,
            received,
            rss_peak - rss_before,
            rss_mb() - rss_before,
        )

    with loop:
        elapsed, stall, cpu_stall, received, peak, after = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    stop_mocks(server)
    print(f"ws_max_stall_ms: {stall:.0f} ms")
    print(f"ws_rss_growth_mb: {peak:.1f} MB")
    print(f"websocket_stream_received: {received:,} of {count:,} messages in {elapsed:.1f} s")
    print(f"websocket_stream_rate: {received / elapsed:,.0f} messages/s (asked {rate:,})")
    print(f"websocket_stream_max_stall_ms: {stall:.0f} ms")
    print(f"websocket_stream_max_stall_cpu_ms: {cpu_stall:.0f} ms of the GUI thread's own CPU")
    print(f"websocket_stream_rss_growth_mb: {peak:.1f} MB peak, {after:.1f} MB after")


def run(quick: bool) -> None:
    bench_websocket_stream(rate=10_000, seconds=3 if quick else 10)
