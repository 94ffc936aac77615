"""What the benchmark sections share: the repository root, a GUI-stall meter, the mock
servers in their own process, and the process's memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from qasync import QEventLoop

    from apiclient.ui.gc_timer import GuiThreadGarbageCollector
    from apiclient.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def stall_meter() -> tuple[list[float], list[float], QTimer]:
    """A 5 ms GUI-thread timer recording the gaps between its ticks: the longest gap is
    the longest time the GUI thread was held. Reset ``last[0]`` and start the timer."""
    from PySide6.QtCore import QTimer

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer(interval=5)
    ticker.timeout.connect(tick)
    return gaps, last, ticker


def cpu_meter(ticker: QTimer) -> tuple[list[float], list[float]]:
    """The GUI thread's own CPU time in each gap of ``ticker`` (a :func:`stall_meter`'s):
    on a busy machine a long gap may be mostly time spent waiting for a core, which is
    not the window's doing. Reset ``last[0] = time.thread_time()`` as the ticker starts."""
    cpu_gaps: list[float] = []
    last = [time.thread_time()]

    def tick() -> None:
        now = time.thread_time()
        cpu_gaps.append(now - last[0])
        last[0] = now

    ticker.timeout.connect(tick)
    return cpu_gaps, last


def start_mocks(tmp: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The mock servers in their own process, so their work does not count as the app's
    stall; returns the process and the servers' URLs."""
    port_file = tmp / "ports.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_servers", "--ephemeral", "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, json.loads(port_file.read_text())


def stop_mocks(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=15)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_app_dirs() -> Path:
    """A new temporary folder holding the app's data and config dirs, set for this
    process (a first start: the sample collection is copied in)."""
    tmp = Path(tempfile.mkdtemp())
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    return tmp


_collectors: list[GuiThreadGarbageCollector] = []


def window_on_loop(width: int = 1280, height: int = 860) -> tuple[QEventLoop, MainWindow]:
    """The QApplication, a qasync loop made the current one, and a main window shown at
    ``width`` x ``height`` (call :func:`fresh_app_dirs` first)."""
    import asyncio

    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    from apiclient.ui.gc_timer import GuiThreadGarbageCollector
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    if not _collectors:  # garbage is collected as the app does it
        _collectors.append(GuiThreadGarbageCollector(app))
        _collectors[0].start()
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings())
    window.resize(width, height)
    window.show()
    return loop, window
