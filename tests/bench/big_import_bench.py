"""File > Import… of a 10 MB Postman collection (5,000 requests in 220 folders), from the
moment the file is chosen to the imported collection open in the sidebar, with the
Import button pressed as soon as the summary shows (no time for reading it counted), and
the longest time the GUI thread was held meanwhile. The phases are printed too: reading
the file into requests, writing the collection, opening it."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from bench_common import ROOT, cpu_meter, fresh_app_dirs, stall_meter, window_on_loop

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from big_postman import write_big_postman


def bench_big_import(requests: int, folders: int) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QPushButton

    from apiclient.ui import dialogs
    from apiclient.ui.import_summary import ImportSummaryDialog
    from apiclient.ui.workers import shutdown_workers

    tmp = fresh_app_dirs()
    source = write_big_postman(tmp / "big.postman_collection.json", requests, folders)
    size_mb = source.stat().st_size / 1e6
    loop, window = window_on_loop()
    gaps, last, ticker = stall_meter()
    cpu_gaps, cpu_last = cpu_meter(ticker)

    async def chosen(*_args: Any, **_kwargs: Any) -> str:
        return str(source)

    answer = dialogs.open_file
    dialogs.open_file = chosen  # the file dialog answers at once

    async def measure() -> dict[str, float]:
        await window.startup()
        await asyncio.sleep(0.5)  # let the start-up settle
        start = time.perf_counter()
        last[0], cpu_last[0] = start, time.thread_time()
        gaps.clear()
        cpu_gaps.clear()
        ticker.start()
        window.findChild(QAction, "action.import").trigger()
        summary: ImportSummaryDialog | None = None
        while summary is None or not summary.isVisible():
            await asyncio.sleep(0.005)
            summary = window.findChild(ImportSummaryDialog, "import.summary")
        read = time.perf_counter()
        dest = Path(summary.folder.text())
        summary.findChild(QPushButton, "import.accept").click()
        while not summary.progress.text.text().startswith("Opening"):
            await asyncio.sleep(0.005)
        written = time.perf_counter()
        task = window.importer.task
        assert task is not None
        while not task.done():
            await asyncio.sleep(0.005)
        task.result()
        end = time.perf_counter()
        ticker.stop()
        await window.drafts.restore(dest)  # started by the open: let it end before shutdown
        store = window.workspace.store
        if store is None or store.root != dest:
            raise RuntimeError(f"the import did not open: {window.statusBar().currentMessage()}")
        rows = window.sidebar.tree.model().rowCount()
        if rows == 0:
            raise RuntimeError("the sidebar shows no rows")
        return {"read": read - start, "write": written - read, "open": end - written}

    try:
        with loop:
            phases = loop.run_until_complete(measure())
            loop.run_until_complete(window.shutdown())
    finally:
        dialogs.open_file = answer
        shutdown_workers()
    name = "big_import_10mb" if requests >= 5000 else f"big_import_{requests}"
    total = sum(phases.values())
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    print(f"{name}_file_mb: {size_mb:.1f} MB")
    print(f"{name}_s: {total:.2f} s")
    print(f"{name}_read_s: {phases['read']:.2f} s")
    print(f"{name}_write_s: {phases['write']:.2f} s")
    print(f"{name}_open_s: {phases['open']:.2f} s")
    print(f"{name}_max_stall_ms: {gaps[worst] * 1000:.0f} ms (target < 100)")
    print(f"{name}_max_stall_cpu_ms: {cpu_gaps[worst] * 1000:.0f} ms")


def run(quick: bool) -> None:
    if quick:
        bench_big_import(1000, 40)
    else:
        bench_big_import(5000, 200)
