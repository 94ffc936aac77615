"""UI fixtures: a qasync loop inside pytest-qt's QApplication, and a main window."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from qasync import QEventLoop

from apiclient.ui import theme
from apiclient.ui.app_preferences import reset_app_preferences
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
from apiclient.ui.workers import thread_pool

T = TypeVar("T")


@pytest.fixture(autouse=True)
def gui_thread_garbage_collection() -> Iterator[None]:
    """Cyclic garbage is collected on the GUI thread only, as in the app
    (``apiclient/ui/gc_timer.py``): left automatic, a collection triggered in a worker
    thread may free a QObject there, and Qt later crashes on its dangling timer."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[QEventLoop]:
    """An asyncio loop that runs whenever pytest-qt processes Qt events."""
    loop = QEventLoop(qapp, already_running=True)
    loop.set_default_executor(thread_pool())  # as the app does
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    qapp.processEvents()
    # loop.stop() would call QApplication.exit(), which makes later Qt event loops
    # return at once; mark the loop stopped directly, then close it (and its threads).
    loop._QEventLoop__is_running = False
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)
    del loop
    # Free the loop's QObjects here, on the GUI thread: left to the cyclic GC they may be
    # freed on a worker thread, which leaves Qt a dangling timer.
    gc.collect()


@pytest.fixture
def run(qtbot: QtBot, qt_loop: QEventLoop) -> Callable[[Awaitable[T]], T]:
    """Run a coroutine on the Qt loop while Qt keeps processing events."""

    def runner(awaitable: Awaitable[T], timeout: int = 15_000) -> T:
        task = asyncio.ensure_future(awaitable)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return runner


@pytest.fixture(autouse=True)
def fresh_preferences(tmp_path: Path) -> Iterator[None]:
    """Each test starts on the default preferences (the holder is per process), read
    from its own config folder; the theme goes back to the system's after it."""
    reset_app_preferences(tmp_path / "config" / "preferences.json")
    yield
    reset_app_preferences()
    theme.apply_palette(dark=False)
    theme.apply_font_size(0)


@pytest.fixture(autouse=True)
def no_modifier_held() -> Iterator[None]:
    """After each test, no modifier key counts as held: Qt keeps the modifiers of the
    last key event it saw (``keyboardModifiers()``), so a test ending on Ctrl+Shift+N
    would turn a later test's ``selectRow`` into a Ctrl-click that adds to a selection."""
    yield
    if QApplication.instance() is None:  # a test without Qt: nothing was pressed
        return
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    target = QWidget()
    QTest.keyRelease(target, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
    target.deleteLater()


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(
    qtbot: QtBot, run: Callable[..., object], settings_path: Path
) -> Iterator[Callable[..., MainWindow]]:
    made: list[MainWindow] = []

    def make(collection: Path | None = None) -> MainWindow:
        window = MainWindow(AppSettings(settings_path))
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        run(window.startup(collection))
        return window

    yield make
    for window in made:
        # As the app does at quit: close the engine's connections while the loop lives.
        run(window.shutdown())


@pytest.fixture
def window(make_window: Callable[..., MainWindow], sample: Path) -> MainWindow:
    return make_window(sample)


class Dialogs:
    """Answers for dialogs, which would otherwise wait forever for a person."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []
        self.answers: list[object] = []
        self.asked: list[str] = []
        self.paths: list[str] = []

    def get_text(self, _parent, title: str, label: str, *args, **kwargs) -> tuple[str, bool]:
        self.asked.append(f"{title}: {label}")
        text = self.texts.pop(0) if self.texts else None
        return (text, True) if text is not None else ("", False)

    def question(self, _parent, title: str, text: str, *args, **kwargs):
        from PySide6.QtWidgets import QMessageBox

        self.asked.append(f"{title}: {text}")
        return self.answers.pop(0) if self.answers else QMessageBox.StandardButton.Discard

    async def get_text_async(self, *args, **kwargs) -> tuple[str, bool]:
        return self.get_text(*args, **kwargs)

    async def question_async(self, *args, **kwargs):
        return self.question(*args, **kwargs)

    async def save_file_async(self, _parent, title: str, *args, **kwargs) -> str:
        self.asked.append(title)
        return self.paths.pop(0) if self.paths else ""


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from apiclient.ui import dialogs as app_dialogs

    fake = Dialogs()
    monkeypatch.setattr(QInputDialog, "getText", fake.get_text)
    monkeypatch.setattr(QMessageBox, "question", fake.question)
    monkeypatch.setattr(app_dialogs, "get_text", fake.get_text_async)
    monkeypatch.setattr(app_dialogs, "question", fake.question_async)
    monkeypatch.setattr(app_dialogs, "save_file", fake.save_file_async)
    return fake
