"""A burst of POSTs at the Webhook tab's receiver: requests per second (the headline,
``webhook_rps``, says whether every one was stored), events stored and listed, longest
GUI stall; and the inbox listed again in a new window."""

from __future__ import annotations

import asyncio
import sys
import time

from bench_common import cpu_meter, fresh_app_dirs, stall_meter, window_on_loop

# Fifty threads, each with one keep-alive connection (http.client): httpx's AsyncClient
# spends ~7 ms of CPU per request at this concurrency and would measure itself.
_BURST_SENDER = """
import http.client, sys, threading, urllib.parse
url, count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
where = urllib.parse.urlsplit(url)
numbers = iter(range(count))
take = threading.Lock()
answered = []
def sender():
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    ok = 0
    while True:
        with take:
            i = next(numbers, None)
        if i is None:
            break
        body = b'{"event_type": "payment.completed", "n": %d}' % i
        connection.request("POST", f"/hooks/{i}", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        ok += response.status == 200
    connection.close()
    answered.append(ok)
threads = [threading.Thread(target=sender) for _ in range(concurrency)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sum(answered))
"""


def bench_webhook_burst(count: int, concurrency: int) -> None:
    """Send ``count`` POSTs at ``concurrency`` from another process to the Webhook tab's
    receiver: requests per second, events stored and listed, the longest GUI stall."""

    fresh_app_dirs()
    loop, window = window_on_loop()
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings

    gaps, last, ticker = stall_meter()
    cpu_gaps, cpu_last = cpu_meter(ticker)

    async def measure() -> tuple[float, float, int, int, int, float, float]:
        tab = window.webhook
        window.tabs.setCurrentWidget(tab)
        tab.editor.port.setValue(0)
        while tab.store is None:
            await asyncio.sleep(0.01)
        tab.toggle_receiver()
        while tab.receiver is None:
            await asyncio.sleep(0.01)
        gaps.clear()
        cpu_gaps.clear()
        last[0] = time.perf_counter()
        cpu_last[0] = time.thread_time()
        ticker.start()
        start = time.perf_counter()
        cpu_start = time.process_time()
        sender = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _BURST_SENDER,
            tab.receiver.url,
            str(count),
            str(concurrency),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await sender.communicate()
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        while tab.inbox.model.rowCount() < count:
            await asyncio.sleep(0.05)
        ticker.stop()
        stored = await asyncio.to_thread(tab.store.count)
        listed = tab.inbox.model.rowCount()
        return elapsed, cpu, int(out or 0), stored, listed, max(gaps) * 1000, max(cpu_gaps) * 1000

    async def reopen() -> tuple[float, int, float]:
        """A new window over the same inbox (as after a restart): time until the
        events are listed, and the longest stall meanwhile."""
        again = MainWindow(AppSettings())
        again.show()
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        tab = again.webhook
        again.tabs.setCurrentWidget(tab)
        while tab.inbox.model.rowCount() < count:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        ticker.stop()
        listed = tab.inbox.model.rowCount()
        await again.shutdown()
        return elapsed, listed, max(gaps) * 1000

    with loop:
        elapsed, cpu, answered, stored, listed, stall, cpu_stall = loop.run_until_complete(
            measure()
        )
        loop.run_until_complete(window.shutdown())
        reopened, relisted, restall = loop.run_until_complete(reopen())
    rate = count / elapsed
    if stored == count:
        print(f"webhook_rps: {rate:,.0f} req/s (all {stored:,} stored)")
    else:
        print(f"webhook_rps: {rate:,.0f} req/s ({count - stored:,} of {count:,} NOT stored)")
    print(
        f"webhook_burst: {answered:,} of {count:,} answered 200 in {elapsed:.1f} s "
        f"({rate:,.0f} requests/s at concurrency {concurrency})"
    )
    print(f"webhook_burst_stored: {stored:,} stored, {listed:,} listed in the inbox")
    # What the app's process spent (receiver and window), steadier than the rate when
    # the machine is busy with other work.
    print(f"webhook_burst_cpu_us_per_request: {cpu / count * 1e6:.0f} us")
    print(f"webhook_burst_max_stall_ms: {stall:.0f} ms")
    print(f"webhook_burst_max_stall_cpu_ms: {cpu_stall:.0f} ms of the GUI thread's own CPU")
    print(f"webhook_reopen: {relisted:,} events listed {reopened:.2f} s after a new window")
    print(f"webhook_reopen_max_stall_ms: {restall:.0f} ms")


def run(quick: bool) -> None:
    bench_webhook_burst(count=1_000 if quick else 5_000, concurrency=50)
