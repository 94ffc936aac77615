"""One send through the UI: a click on the REST tab's Send button to the response
rendered (status line and body shown), median over many sends after a warm-up."""

from __future__ import annotations

import asyncio
import statistics
import time

from bench_common import fresh_app_dirs, start_mocks, stop_mocks, window_on_loop

WARM_UP = 5


def bench_ui_send(sends: int) -> None:

    from apiclient.ui.workers import shutdown_workers

    tmp = fresh_app_dirs()
    server, urls = start_mocks(tmp)
    loop, window = window_on_loop()
    tab = window.rest
    status = tab.response.status
    body = tab.response.body

    async def one_send() -> float:
        tab.response.show_idle()
        rendered = asyncio.Event()
        shown_at: list[float] = []

        def on_shown() -> None:  # stamped as the body is shown, not when this task wakes
            shown_at.append(time.perf_counter())
            rendered.set()

        body.body_shown.connect(on_shown)
        start = time.perf_counter()
        tab.editor.send.click()
        await rendered.wait()
        elapsed = shown_at[0] - start
        body.body_shown.disconnect(on_shown)
        if "200" not in status.text() or '"id"' not in body.text.toPlainText():
            raise RuntimeError(f"unexpected response: {status.text()}")
        return elapsed

    async def measure() -> list[float]:
        await window.startup()
        await tab.warm_up()
        address = f"{urls['rest']}/api/items/1"
        tab.editor.url.setText(address)
        tab.editor.url.textEdited.emit(address)  # as typing does: the params table follows
        times = []
        for i in range(WARM_UP + sends):
            elapsed = await one_send()
            if i >= WARM_UP:
                times.append(elapsed)
            await asyncio.sleep(0.02)
        return times

    try:
        with loop:
            times = loop.run_until_complete(measure())
            loop.run_until_complete(window.shutdown())
    finally:
        stop_mocks(server)
        shutdown_workers()
    print(f"ui_send_ms: {statistics.median(times) * 1000:.1f} ms")
    print(f"ui_send_max_ms: {max(times) * 1000:.1f} ms")


def run(quick: bool) -> None:
    bench_ui_send(sends=10 if quick else 30)
