"""Start-up: process start to the main window shown and idle, against the floor of a
bare PySide6 window with seven empty tabs measured in the same run; then to the
collection open in the sidebar; memory at idle.

The app starts through its real entry (``apiclient.cli.main``, as the ``apiclient``
command does). Three moments are reported from inside it, by wrapping methods of the
main window, never by changing what it does:

- ``ready``: the window was shown and the event loop is idle, measured as for the
  floor (the first zero-delay timer after ``show()``): the frame is on screen (menus,
  tool bar, the seven tab labels, the status bar saying "Starting…"), while a worker
  imports what the rest of the window needs.
- ``interactive``: ``MainWindow.build_parts`` returned and the loop is idle again: the
  REST tab takes typing from here on; the sidebar says "Loading…" while a worker reads
  the collection.
- ``collection``: ``MainWindow.startup`` returned: the collection fills the sidebar, its
  environment is chosen and unsaved drafts are restored.
- idle: the REST engine was imported in a worker after that (``RestTab.warm_up``, the
  last start-up step); peak RSS is read then.

The package is byte-compiled first, as pip does when it installs a wheel: this
machine sets PYTHONDONTWRITEBYTECODE, so without it every start would compile
apiclient's sources again, which no installed copy does.

Where the time goes (from ``tests/bench``; ``python -X importtime -c`` works the same):

    pyinstrument -c "$(python -c 'import startup_bench; print(startup_bench.APP_SCRIPT)')"
"""

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
import resource
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from apiclient.cli import main
from apiclient.ui.main_window import MainWindow

show, startup, build_parts = MainWindow.show, MainWindow.startup, MainWindow.build_parts

def shown(window):
    show(window)
    QTimer.singleShot(0, lambda: print("ready", flush=True))

def built(window):
    first = window._parts is None
    parts = build_parts(window)
    if first:
        QTimer.singleShot(0, lambda: print("interactive", flush=True))
    return parts

async def started(window, *args, **kwargs):
    await startup(window, *args, **kwargs)
    print("collection", flush=True)
    tab = type(window.rest)
    warm_up = tab.warm_up

    async def warmed(rest):
        await warm_up(rest)
        print(f"rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
        QApplication.instance().quit()

    tab.warm_up = warmed

MainWindow.show = shown
MainWindow.build_parts = built
MainWindow.startup = started
sys.exit(main([]))
"""


def time_to_ready(script: str, env: dict[str, str]) -> tuple[dict[str, float], dict[str, str]]:
    """Seconds from process start to each word the script prints alone on a line
    ("ready", "collection"), and the ``name value`` pairs it prints."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    moments: dict[str, float] = {}
    extra = {}
    for line in proc.stdout:
        if " " in line.strip():
            key, value = line.split(None, 1)
            extra[key] = value.strip()
        elif line.strip():
            moments[line.strip()] = time.perf_counter() - start
    if proc.wait(timeout=60) != 0 or "ready" not in moments:
        raise RuntimeError(f"the start-up script failed (exit {proc.returncode}): {moments}")
    return moments, extra


def bench_startup(runs: int) -> None:
    compile_all = [sys.executable, "-m", "compileall", "-q", "apiclient", "mock_servers"]
    subprocess.run(compile_all, cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "APICLIENT_DATA_DIR": f"{tmp}/data",
            "APICLIENT_CONFIG_DIR": f"{tmp}/config",
        }
        time_to_ready(APP_SCRIPT, env)  # first start copies the sample; not counted
        app_times, interactive_times, collection_times, floor_times, rss = [], [], [], [], []
        for _ in range(runs):
            floor_times.append(time_to_ready(FLOOR_SCRIPT, env)[0]["ready"])
            moments, extra = time_to_ready(APP_SCRIPT, env)
            app_times.append(moments["ready"])
            interactive_times.append(moments["interactive"])
            collection_times.append(moments["collection"])
            rss.append(int(extra["rss_kb"]) / 1024)
    startup, floor = statistics.median(app_times), statistics.median(floor_times)
    print(f"startup_s: {startup:.3f} s")
    print(f"startup_floor_s: {floor:.3f} s")
    print(f"startup_ratio: {startup / floor:.2f} x")
    print(f"startup_interactive_s: {statistics.median(interactive_times):.3f} s")
    print(f"startup_interactive_ratio: {statistics.median(interactive_times) / floor:.2f} x")
    print(f"startup_collection_s: {statistics.median(collection_times):.3f} s")
    print(f"idle_rss_mb: {statistics.median(rss):.1f} MB")


def run(quick: bool) -> None:
    bench_startup(runs=3 if quick else 7)
