"""Start the GUI: a QApplication driven by an asyncio loop (qasync), then the main window.

Only what the first screen needs is imported here; protocol libraries load when a tab
first uses them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox
from qasync import QEventLoop

from apiclient import __version__
from apiclient.ui.app_icon import app_icon
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.gc_timer import GuiThreadGarbageCollector
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
from apiclient.ui.workers import shutdown_workers, thread_pool

log = logging.getLogger(__name__)


def install_excepthook() -> None:
    """A bug shows a dialog with the details instead of killing the window."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("Unexpected error:\n%s", details)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "apiclient: unexpected error",
            f"Something went wrong inside apiclient: {value}\n\n"
            "Your work is still open. Please report this with the details.",
        )
        box.setObjectName("crash.dialog")
        box.setDetailedText(details)
        box.open()

    sys.excepthook = hook


def run_gui(
    collection: Path | None = None,
    start_mocks: bool = False,
    after_startup: Callable[[MainWindow], Awaitable[None]] | None = None,
    ephemeral_mocks: bool = False,
) -> int:
    """Show the window and run until the app quits; the exit code.

    ``after_startup`` runs once start-up is done (collection open, REST engine warmed
    up); the smoke check drives the window from there and ends with ``app.quit()``, so
    it leaves through the same shutdown as a user closing the window."""
    # pydantic looks for plugins in every installed distribution's entry points when it
    # builds its first model (~20-40 ms); apiclient uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("apiclient")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("apiclient")
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("apiclient")  # matches the window to resources/apiclient.desktop
    install_excepthook()
    collector = GuiThreadGarbageCollector(app)
    collector.start()
    loop = QEventLoop(app)
    loop.set_default_executor(thread_pool())
    asyncio.set_event_loop(loop)
    preferences_problem = app_preferences().load()
    window = MainWindow(AppSettings(), ephemeral_mocks=ephemeral_mocks)
    window.show()
    if preferences_problem:
        window.report_problem(preferences_problem)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def start() -> None:
        await window.startup(collection, start_mocks)
        await window.rest.warm_up()
        if after_startup is not None:
            await after_startup(window)

    with loop:
        starting = loop.create_task(start())
        loop.run_until_complete(closed.wait())
        starting.cancel()  # quit during start-up: build nothing more for a closed window
        loop.run_until_complete(window.shutdown())
        shutdown_workers()
    collector.stop()
    return 0
