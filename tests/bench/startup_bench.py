"""Start-up: process start to the main window shown and idle, against the floor of a
bare PySide6 window with seven empty tabs measured in the same run; memory at idle."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench_common import ROOT

# Each script prints "ready" once its window is shown and the event loop is idle.
_IDLE = """
from PySide6.QtCore import QTimer
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""
FLOOR_SCRIPT = (
    """
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
app = QApplication([])
window = QMainWindow()
tabs = QTabWidget()
for name in ("REST", "Batch", "SOAP", "GraphQL", "gRPC", "WebSocket", "Webhook"):
    tabs.addTab(QWidget(), name)
window.setCentralWidget(tabs)
window.show()
"""
    + _IDLE
)
APP_SCRIPT = """
import asyncio
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop
app = QApplication([])
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
loop = QEventLoop(app)
asyncio.set_event_loop(loop)
window = MainWindow(AppSettings())
window.show()
async def main():
    await window.startup()
    print("ready", flush=True)
    import resource
    print(f"rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
with loop:
    loop.run_until_complete(main())
"""


def time_to_ready(script: str, env: dict[str, str]) -> tuple[float, dict[str, str]]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    elapsed = 0.0
    extra = {}
    for line in proc.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - start
        elif " " in line:
            key, value = line.split(None, 1)
            extra[key] = value.strip()
    proc.wait(timeout=60)
    return elapsed, extra


def bench_startup(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "APICLIENT_DATA_DIR": f"{tmp}/data",
            "APICLIENT_CONFIG_DIR": f"{tmp}/config",
        }
        time_to_ready(APP_SCRIPT, env)  # first start copies the sample; not counted
        app_times, floor_times, rss = [], [], []
        for _ in range(runs):
            floor_times.append(time_to_ready(FLOOR_SCRIPT, env)[0])
            elapsed, extra = time_to_ready(APP_SCRIPT, env)
            app_times.append(elapsed)
            rss.append(int(extra.get("rss_kb", "0")) / 1024)
    startup, floor = statistics.median(app_times), statistics.median(floor_times)
    print(f"startup_s: {startup:.3f} s")
    print(f"startup_floor_s: {floor:.3f} s")
    print(f"startup_ratio: {startup / floor:.2f} x")
    print(f"idle_rss_mb: {statistics.median(rss):.1f} MB")


def run(quick: bool) -> None:
    bench_startup(runs=3 if quick else 7)
