"""``apiclient --smoke-check``: the real window, driven headless, as proof that an install
or a bundle works.

It starts the app as ``apiclient`` does (``run_gui``: the same start-up and shutdown),
headless unless ``QT_QPA_PLATFORM`` says otherwise, on ephemeral mock ports, so it runs
next to anything holding the default ones. Once the window copied and opened the sample
collection and started the mock servers, it sends one REST request from the REST tab to
the REST mock, checks the status and the formatted body shown, imports every module of
the app (a bundle missing one fails here, not when a user first opens that tab) and quits
through ``app.quit()``. The body is large enough to be formatted in the worker process,
which a frozen build must be able to start.

Data and settings go to a temporary folder and secrets to a file there, so a user's own
and their keyring are never touched. It prints ``smoke-check: window shown`` once the
window is up and idle, ``smoke-check: collection open`` when start-up is done (collection
open, REST engine warmed up), then one ``smoke-check: ok ...`` line and exits 0; on
failure, one ``smoke-check: failed ...`` line on stderr and exit code 1. With
``startup_only`` it stops after the collection opened, without mocks:
packaging/startup_compare.py times those two lines.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from apiclient.core.paths import resources_dir
from apiclient.ui.app import run_gui
from apiclient.ui.main_window import MainWindow

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
    os.environ.setdefault("APICLIENT_SECRETS", "file")  # never the user's keyring
    check = _Check(startup_only, timeout_s)
    with tempfile.TemporaryDirectory(prefix="apiclient-smoke-") as home:
        os.environ["APICLIENT_DATA_DIR"] = str(Path(home) / "data")
        os.environ["APICLIENT_CONFIG_DIR"] = str(Path(home) / "config")
        _run_window(check)
    if check.failure is not None:
        print(f"smoke-check: failed: {check.failure}", file=sys.stderr, flush=True)
        return 1
    print(f"smoke-check: ok: {check.summary}", flush=True)
    return 0


def _run_window(check: _Check) -> None:
    """The app as ``apiclient`` starts it (``run_gui``), with the check after start-up."""
    QApplication.instance() or QApplication(sys.argv[:1])
    # Zero timers fire on the event loop's first turn, which run_gui starts right after
    # showing the window: the window is up and idle, as the startup benchmark's "ready".
    QTimer.singleShot(0, lambda: print("smoke-check: window shown", flush=True))
    QTimer.singleShot(round(check.timeout_s * 1000), check.give_up)
    run_gui(start_mocks=not check.startup_only, after_startup=check.run, ephemeral_mocks=True)


class _Check:
    """The steps, each saying what it does, so a failure or a timeout can name it."""

    def __init__(self, startup_only: bool, timeout_s: float) -> None:
        self.startup_only = startup_only
        self.timeout_s = timeout_s
        self.step = (
            "opening the sample collection"
            if startup_only
            else "opening the sample collection and starting the mock servers"
        )
        self.summary = ""
        self.failure: str | None = None

    def give_up(self) -> None:
        self.failure = f"gave up after {self.timeout_s:.0f} s {self.step}."
        QApplication.quit()

    async def run(self, window: MainWindow) -> None:
        """The steps after start-up, then quit, whether they passed or not."""
        try:
            self.summary = await self._steps(window)
        except SmokeCheckError as exc:
            self.failure = str(exc)
        except Exception as exc:
            traceback.print_exc()
            self.failure = f"{type(exc).__name__} while {self.step}: {exc}"
        finally:
            QApplication.quit()

    async def _steps(self, window: MainWindow) -> str:
        if window.windowIcon().isNull():
            raise SmokeCheckError("the window has no icon: the PNG icons are missing.")
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
        status, size = await self._send(window, url)
        self.step = "importing every module of the app"
        modules = _import_all()
        return (
            f"sample collection {name!r} open, {len(window.mocks.urls)} mock servers, "
            f"GET {url} -> {status}, {size} formatted in the worker process, "
            f"{modules} modules import"
        )

    async def _send(self, window: MainWindow, url: str) -> tuple[str, str]:
        """Send ``url`` from the REST tab as a user would; the status and size shown."""
        self.step = f"sending GET {url} from the REST tab"
        rest = window.rest
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
    return " ".join(QTextDocumentFragment.fromHtml(rich_text).toPlainText().split())
