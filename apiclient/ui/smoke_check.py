"""``apiclient --smoke-check``: the real window, driven headless, as proof that an install
or a bundle works.

It shows the main window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise), lets it
copy and open the sample collection and start the mock servers, sends one REST request
from the REST tab to the REST mock, checks the status and the formatted body shown,
imports every module of the app (a bundle missing one fails here, not when a user first
opens that tab) and quits. The body is large enough to be formatted in the worker
process, which a frozen build must be able to start.

Data and settings go to a temporary folder, so a user's own are never touched. It prints
``smoke-check: window shown`` once the window is up and idle, ``smoke-check: collection
open`` when start-up is done, then one ``smoke-check: ok ...`` line and exits 0; on
failure, one ``smoke-check: failed ...`` line on stderr and exit code 1. With
``startup_only`` it stops after the collection opened, without mocks:
packaging/startup_compare.py times those two lines.
"""

from __future__ import annotations

import asyncio
import html
import importlib
import os
import pkgutil
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from qasync import QEventLoop

from apiclient.core.paths import resources_dir
from apiclient.ui.app_icon import app_icon
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
from apiclient.ui.workers import shutdown_workers

TIMEOUT_S = 120.0
# About 2 MB of JSON: over workers.PROCESS_THRESHOLD_BYTES, so the worker process formats it.
LARGE_JSON_PATH = "/json/large?mb=2"
# The packages whose every module must import; __main__ modules run the app when imported.
PACKAGES = ("apiclient", "mock_servers")

W = TypeVar("W", bound=QWidget)


class SmokeCheckError(Exception):
    """A step of the smoke check failed; the message says which and why."""


def run_smoke_check(startup_only: bool = False, timeout_s: float = TIMEOUT_S) -> int:
    """Run the check in this process; the exit code for ``apiclient --smoke-check``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="apiclient-smoke-") as home:
        os.environ["APICLIENT_DATA_DIR"] = str(Path(home) / "data")
        os.environ["APICLIENT_CONFIG_DIR"] = str(Path(home) / "config")
        try:
            summary = _run_window(startup_only, timeout_s)
        except SmokeCheckError as exc:
            print(f"smoke-check: failed: {exc}", file=sys.stderr, flush=True)
            return 1
    print(f"smoke-check: ok: {summary}", flush=True)
    return 0


def _run_window(startup_only: bool, timeout_s: float) -> str:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("apiclient")
    app.setWindowIcon(app_icon())
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings(), ephemeral_mocks=True)
    window.show()
    QTimer.singleShot(0, lambda: print("smoke-check: window shown", flush=True))
    check = _Check(window, startup_only)
    with loop:
        try:
            return loop.run_until_complete(asyncio.wait_for(check.run(), timeout_s))
        except TimeoutError:
            raise SmokeCheckError(f"gave up after {timeout_s:.0f} s {check.step}.") from None
        finally:
            loop.run_until_complete(window.mocks.stop())
            shutdown_workers()


class _Check:
    """The steps, each saying what it does, so a failure or a timeout can name it."""

    def __init__(self, window: MainWindow, startup_only: bool) -> None:
        self.window = window
        self.startup_only = startup_only
        self.step = "before starting"

    async def run(self) -> str:
        window = self.window
        if window.windowIcon().isNull():
            raise SmokeCheckError("the window has no icon: the PNG icons are missing.")
        self.step = "opening the sample collection and starting the mock servers"
        await window.startup(None, start_mocks=not self.startup_only)
        name = _sample_name()
        if not window.windowTitle().startswith(name):
            raise SmokeCheckError(
                f"the sample collection {name!r} did not open; the title is "
                f"{window.windowTitle()!r}."
            )
        print("smoke-check: collection open", flush=True)
        if self.startup_only:
            return f"sample collection {name!r} open"
        rest_url = window.mocks.urls.get("rest")
        if rest_url is None:
            raise SmokeCheckError(
                f"the mock servers did not start: {_plain(window.mocks.status.text())}"
            )
        url = rest_url + LARGE_JSON_PATH
        status, size = await self._send(url)
        self.step = "importing every module of the app"
        modules = _import_all()
        return (
            f"sample collection {name!r} open, {len(window.mocks.urls)} mock servers, "
            f"GET {url} -> {status}, {size} formatted in the worker process, "
            f"{modules} modules import"
        )

    async def _send(self, url: str) -> tuple[str, str]:
        """Send ``url`` from the REST tab as a user would; the status and size shown."""
        self.step = f"sending GET {url} from the REST tab"
        rest = self.window.rest
        finished = asyncio.get_running_loop().create_future()
        rest.send_finished.connect(lambda: finished.done() or finished.set_result(None))
        _child(rest, QLineEdit, "rest.url").setText(url)
        _child(rest, QPushButton, "rest.send").click()
        await finished
        status = _plain(_child(rest, QLabel, "rest.response.status").text())
        if not status.startswith("200"):
            raise SmokeCheckError(f"GET {url} showed {status!r}, not 200.")
        self.step = "formatting the response body in the worker process"
        body = _child(rest, QPlainTextEdit, "rest.response.body")
        info = _child(rest, QLabel, "rest.response.info")
        await _until(lambda: body.toPlainText().startswith("{\n  ") or "Could not" in info.text())
        if "Could not" in info.text():
            raise SmokeCheckError(f"the body was not formatted: {_plain(info.text())}")
        size = _child(rest, QLabel, "rest.response.size").text()
        return status, size


def _sample_name() -> str:
    text = (resources_dir() / "sample-collection" / "collection.yaml").read_text("utf-8")
    return str(yaml.safe_load(text)["name"])


def _import_all() -> int:
    """Import every module of ``PACKAGES``; their count. Engines import their libraries
    lazily, so this is where a bundle that lacks one (or its data) is found out."""
    count = 0
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if module.name.rsplit(".", 1)[-1] == "__main__":
                continue
            try:
                importlib.import_module(module.name)
            except ImportError as exc:
                raise SmokeCheckError(f"{module.name} does not import: {exc}") from exc
            count += 1
    return count


async def _until(predicate: Callable[[], bool], interval_s: float = 0.05) -> None:
    """Wait until ``predicate()`` holds; the caller's timeout bounds the wait."""
    while not predicate():
        await asyncio.sleep(interval_s)


def _child(parent: QWidget, kind: type[W], name: str) -> W:
    widget = parent.findChild(kind, name)
    if widget is None:
        raise SmokeCheckError(f"the window has no {kind.__name__} named {name!r}.")
    return widget


def _plain(rich_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rich_text)).split())
