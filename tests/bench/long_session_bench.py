"""Long sessions: a webhook inbox of 100,000 events and a day-long WebSocket log.

``inbox_100k_rss_mb``: the app's RSS with 100,000 events in the inbox and the inbox
shown and scrolled end to end. 99,000 events go in through ``WebhookStore.add_many``
(bulk, 5,000 a transaction: what a day of traffic leaves behind) and the last 1,000
through the real receiver (HTTP POSTs from another process), then the inbox is listed
again (as after a restart) and scrolled.

Then, with the 100,000 rows listed: the longest GUI stall of Ctrl+A in the inbox, and of
listing it again with every row selected (a refilter keeps the selection).

``ws_day_rss_mb``: RSS growth (peak) while 500,000 log entries are fed at full speed
through the WebSocket tab's own frame callback (the path a session's frames take),
written to the log's spool; then the longest GUI stall while scrolling to the top of
the log (rows read back from disk) and the time of a search over the whole session.

``subscription_day_rss_mb``: the same for 200,000 GraphQL subscription events fed through
the GraphQL tab's response view (its ``add_event``, the tab's own path).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time

from bench_common import cpu_meter, fresh_app_dirs, rss_mb, stall_meter, window_on_loop
from webhook_bench import _BURST_SENDER


def _bulk_events(first: int, count: int) -> list:
    from apiclient.protocols.webhook_events import EventSummary, WebhookEvent

    events = []
    now = time.time()
    for n in range(first, first + count):
        body = json.dumps({"event_type": "payment.completed", "n": n, "amount": n % 997})
        summary = EventSummary(
            id=0,
            received_at=now,
            method="POST",
            path=f"/hooks/{n}",
            query="",
            source="127.0.0.1:50000",
            content_type="application/json",
            size=len(body),
            verdict="unchecked",
            verdict_reason="No signature scheme set.",
            response_status=200,
            note="",
        )
        headers = (("content-type", "application/json"), ("user-agent", "bench/1"))
        events.append(WebhookEvent(summary, headers, body.encode()))
    return events


async def _scroll_through(table, steps: int, settle) -> None:
    """Drag the scroll bar from the bottom to the top in ``steps`` jumps, letting each
    page come in."""
    bar = table.verticalScrollBar()
    for step in range(steps, -1, -1):
        bar.setValue(bar.maximum() * step // steps)
        await asyncio.sleep(0.03)
        await settle()


def bench_inbox(count: int, tail: int) -> None:
    fresh_app_dirs()
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()
    cpu_gaps, cpu_last = cpu_meter(ticker)

    async def measure() -> dict[str, float]:
        tab = window.webhook
        window.tabs.setCurrentWidget(tab)
        tab.editor.port.setValue(0)
        while tab.store is None:
            await asyncio.sleep(0.01)
        store = tab.store
        await asyncio.sleep(0.2)
        gc.collect()
        empty = rss_mb()
        for first in range(1, count - tail + 1, 5_000):
            batch = min(5_000, count - tail + 1 - first)
            await asyncio.to_thread(store.add_many, _bulk_events(first, batch))
        tab.toggle_receiver()
        while tab.receiver is None:
            await asyncio.sleep(0.01)
        sender = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _BURST_SENDER,
            tab.receiver.url,
            str(tail),
            "20",
            stdout=asyncio.subprocess.PIPE,
        )
        await sender.communicate()
        stored = await asyncio.to_thread(store.count)
        gc.collect()
        filled = rss_mb()
        model, table = tab.inbox.model, tab.inbox.table
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        with_loaded = asyncio.Event()
        tab.inbox.loaded.connect(with_loaded.set)
        tab._reload_inbox()  # listed again, as after a restart
        await with_loaded.wait()
        listed_s = time.perf_counter() - start
        reload_stall = max(gaps) * 1000

        async def settle() -> None:
            while model._asked:
                await asyncio.sleep(0.005)

        gaps.clear()
        cpu_gaps.clear()
        last[0] = time.perf_counter()
        cpu_last[0] = time.thread_time()
        table.scrollToBottom()
        await asyncio.sleep(0.05)
        await _scroll_through(table, 40, settle)
        scroll_stall, scroll_cpu = max(gaps) * 1000, max(cpu_gaps) * 1000

        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        table.setFocus()
        await asyncio.sleep(0.05)
        gaps.clear()
        last[0] = time.perf_counter()
        QTest.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        await asyncio.sleep(0.1)
        select_all_stall = max(gaps, default=0.0) * 1000
        selected = len(tab.inbox.selected_ids())
        reloaded = asyncio.Event()
        tab.inbox.loaded.connect(reloaded.set)
        gaps.clear()
        last[0] = time.perf_counter()
        tab._reload_inbox()
        await reloaded.wait()
        await asyncio.sleep(0.1)
        reload_selected_stall = max(gaps, default=0.0) * 1000
        still_selected = len(tab.inbox.selected_ids())
        ticker.stop()
        gc.collect()
        return {
            "select_all_stall": select_all_stall,
            "reload_selected_stall": reload_selected_stall,
            "selected": selected,
            "still_selected": still_selected,
            "empty": empty,
            "filled": filled,
            "shown": rss_mb(),
            "listed_s": listed_s,
            "reload_stall": reload_stall,
            "stored": stored,
            "scroll_stall": scroll_stall,
            "scroll_cpu": scroll_cpu,
        }

    with loop:
        got = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    print(f"inbox_100k_rss_mb: {got['shown']:.0f} MB")
    print(
        f"inbox_100k_detail: {got['stored']:,.0f} events ({count - tail:,} by add_many, "
        f"{tail:,} over HTTP); RSS {got['empty']:.0f} MB with the inbox empty, "
        f"{got['filled']:.0f} MB once filled, {got['shown']:.0f} MB listed and scrolled "
        "end to end"
    )
    print(f"inbox_100k_listed_s: {got['listed_s']:.2f} s")
    print(f"inbox_100k_reload_max_stall_ms: {got['reload_stall']:.0f} ms")
    print(f"inbox_100k_scroll_max_stall_ms: {got['scroll_stall']:.0f} ms")
    print(f"inbox_100k_scroll_max_stall_cpu_ms: {got['scroll_cpu']:.0f} ms of the GUI thread")
    print(
        f"inbox_100k_select_all_max_stall_ms: {got['select_all_stall']:.0f} ms "
        f"({got['selected']:,} rows selected)"
    )
    print(
        f"inbox_100k_reload_selected_max_stall_ms: {got['reload_selected_stall']:.0f} ms "
        f"({got['still_selected']:,} rows still selected)"
    )


def bench_ws_day(count: int) -> None:
    from apiclient.protocols.websocket_events import WsFrame

    fresh_app_dirs()
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()
    cpu_gaps, cpu_last = cpu_meter(ticker)

    async def measure() -> dict[str, float]:
        tab = window.websocket
        window.tabs.setCurrentWidget(tab)
        model, table = tab.log.model, tab.log.table
        await asyncio.sleep(0.2)
        gc.collect()
        before = rss_mb()
        peak = before
        start = time.perf_counter()
        chunk = 5_000
        for first in range(0, count, chunk):
            now = time.time()
            for n in range(first, min(first + chunk, count)):
                body = json.dumps({"seq": n, "symbol": "ACME", "price": 100 + n % 50 / 7})
                tab._on_frame(WsFrame("in", "text", now, body, len(body)))
            await asyncio.sleep(0.01)  # the log's batches and a repaint get their turn
            if first % 50_000 == 0:
                peak = max(peak, rss_mb())
        model.flush()
        await asyncio.wrap_future(model._worker.submit(lambda: None))  # all on disk
        feed_s = time.perf_counter() - start
        peak = max(peak, rss_mb())
        gc.collect()
        after = rss_mb()

        async def settle() -> None:
            while model._asked:
                await asyncio.sleep(0.005)

        tab.log.follow.setChecked(False)
        gaps.clear()
        cpu_gaps.clear()
        last[0] = time.perf_counter()
        cpu_last[0] = time.thread_time()
        ticker.start()
        started = time.perf_counter()
        table.scrollToTop()
        while model.entry_at(0) is None:
            await asyncio.sleep(0.002)
        top_ms = (time.perf_counter() - started) * 1000
        await _scroll_through(table, 40, settle)
        scroll_stall = max(gaps) * 1000
        scroll_cpu = max(cpu_gaps) * 1000

        gaps.clear()
        last[0] = time.perf_counter()
        done = asyncio.Event()
        model.filtered.connect(done.set)
        started = time.perf_counter()
        tab.log.search.setText(f'"seq": {count * 2 // 3},')  # one, on disk only
        tab.log._apply_filter()
        await done.wait()
        search_ms = (time.perf_counter() - started) * 1000
        ticker.stop()
        size = model._holder.spool.path.stat().st_size if model._holder.spool else 0
        return {
            "growth_peak": peak - before,
            "growth_after": after - before,
            "feed_s": feed_s,
            "top_ms": top_ms,
            "scroll_stall": scroll_stall,
            "scroll_cpu": scroll_cpu,
            "search_ms": search_ms,
            "search_stall": max(gaps) * 1000,
            "matches": model.rowCount(),
            "total": model.total,
            "spool_mb": size / 1e6,
        }

    with loop:
        got = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    print(f"ws_day_rss_mb: {got['growth_peak']:.0f} MB")
    print(
        f"ws_day_detail: {got['total']:,.0f} entries fed in {got['feed_s']:.1f} s "
        f"({got['total'] / got['feed_s']:,.0f}/s), RSS +{got['growth_after']:.0f} MB after, "
        f"spool {got['spool_mb']:.0f} MB on disk"
    )
    print(f"ws_day_scroll_max_stall_ms: {got['scroll_stall']:.0f} ms")
    print(f"ws_day_scroll_max_stall_cpu_ms: {got['scroll_cpu']:.0f} ms of the GUI thread")
    print(f"ws_day_top_row_ms: {got['top_ms']:.0f} ms")
    print(
        f"ws_day_search_ms: {got['search_ms']:.0f} ms ({got['matches']:,.0f} match; "
        f"longest GUI stall meanwhile {got['search_stall']:.0f} ms)"
    )


def bench_subscription_day(count: int) -> None:
    """``count`` subscription events through the GraphQL tab's own path (the response
    view's ``add_event``, as the tab calls it for each event): RSS growth, then the
    longest GUI stall while scrolling to the top of the event log."""
    from apiclient.protocols.graphql_subscription import SubscriptionEvent

    fresh_app_dirs()
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()

    async def measure() -> tuple[float, float, float, int]:
        tab = window.graphql
        window.tabs.setCurrentWidget(tab)
        response = tab.response
        response.start_subscription("ws://bench", "graphql-transport-ws")
        model, table = response.log.model, response.log.table
        await asyncio.sleep(0.2)
        gc.collect()
        before = rss_mb()
        peak = before
        for first in range(0, count, 5_000):
            now = time.time()
            for n in range(first, min(first + 5_000, count)):
                raw = json.dumps({"data": {"priceChanged": {"seq": n, "price": n % 97}}})
                response.add_event(SubscriptionEvent(now, None, (), raw))
            await asyncio.sleep(0.01)
            if first % 50_000 == 0:
                peak = max(peak, rss_mb())
        model.flush()
        await asyncio.wrap_future(model._worker.submit(lambda: None))
        peak = max(peak, rss_mb())

        async def settle() -> None:
            while model._asked:
                await asyncio.sleep(0.005)

        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        await _scroll_through(table, 40, settle)
        ticker.stop()
        return peak - before, rss_mb() - before, max(gaps) * 1000, model.rowCount()

    with loop:
        peak, after, stall, rows = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    print(f"subscription_day_rss_mb: {peak:.0f} MB ({rows:,} events listed, +{after:.0f} MB after)")
    print(f"subscription_day_scroll_max_stall_ms: {stall:.0f} ms")


def run(quick: bool) -> None:
    bench_inbox(count=20_000 if quick else 100_000, tail=1_000)
    bench_ws_day(count=100_000 if quick else 500_000)
    bench_subscription_day(count=50_000 if quick else 200_000)
