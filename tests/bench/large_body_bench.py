"""A large JSON body in the REST tab: time to the first view, longest GUI stall."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench_common import stall_meter, start_mocks, stop_mocks


def bench_large_body(mb: int) -> None:
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    tmp = tempfile.mkdtemp()
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    app = QApplication.instance() or QApplication([])
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings
    from apiclient.ui.workers import shutdown_workers

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    server, urls = start_mocks(Path(tmp))
    url = urls["rest"]
    window = MainWindow(AppSettings())
    window.show()
    gaps, last, ticker = stall_meter()

    async def measure() -> tuple[float, float]:
        await window.startup()
        await window.rest.warm_up()  # as after the first half second of a session
        body = window.rest.response.body.text
        window.rest.editor.url.setText(f"{url}/json/large?mb={mb}")
        await asyncio.sleep(0.2)
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        window.rest.send()
        while not body.toPlainText():
            await asyncio.sleep(0.005)
        first_view = time.perf_counter() - start
        await asyncio.sleep(0.3)
        ticker.stop()
        return first_view, max(gaps) * 1000

    with loop:
        first_view, stall = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    stop_mocks(server)
    shutdown_workers()
    print(f"large_body_first_view_s: {first_view:.2f} s")
    print(f"large_body_max_stall_ms: {stall:.0f} ms")


def run(quick: bool) -> None:
    bench_large_body(mb=5 if quick else 20)
