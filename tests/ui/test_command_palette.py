"""The command palette (Ctrl+K) on a real window with the sample collection."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QKeyCombination, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMainWindow
from pytestqt.qtbot import QtBot
from ui_helpers import send, type_url

from apiclient.core.fuzzy import FuzzyIndex
from apiclient.core.models import RestRequest
from apiclient.ui import command_palette
from apiclient.ui.command_palette import ROW_LIMIT, CommandPalette, _Group, rank
from apiclient.ui.main_window import MainWindow
from apiclient.ui.palette_sources import PaletteItem
from apiclient.ui.settings import AppSettings
from apiclient.ui.shortcut_guard import ShortcutGuard


def _open(qtbot: QtBot, window: MainWindow) -> CommandPalette:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.findChild(CommandPalette, "palette")
    assert palette is not None
    qtbot.waitUntil(palette.isVisible)
    return palette


def _names(palette: CommandPalette) -> list[str]:
    return [row.item.name for row in palette.model.rows]


def _choose(qtbot: QtBot, palette: CommandPalette, query: str, name: str) -> None:
    """Type ``query``, move down to ``name`` with the arrow keys, press Enter."""
    field = palette.findChild(QLineEdit, "palette.search")
    qtbot.keyClicks(field, query)
    qtbot.waitUntil(lambda: name in _names(palette))
    for _ in range(_names(palette).index(name)):
        qtbot.keyClick(field, Qt.Key.Key_Down)
    assert palette.results.currentIndex().data() == name
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert not palette.isVisible()


def test_ctrl_k_opens_focused_and_a_fuzzy_name_opens_the_request(
    qtbot: QtBot, window: MainWindow
) -> None:
    palette = _open(qtbot, window)
    field = palette.findChild(QLineEdit, "palette.search")
    assert QApplication.focusWidget() is field and field.text() == ""
    shown = _names(palette)
    assert shown and len(shown) <= ROW_LIMIT
    assert "Send" in shown and "Command palette" not in " ".join(shown)
    palette.grab().save("/tmp/16/P-palette-empty.png")

    qtbot.keyClicks(field, "gplaylist")
    assert _names(palette)[0] == "Get playlist"
    hint = palette.findChild(QLabel, "palette.hint")
    assert "Esc" in hint.text()
    palette.grab().save("/tmp/16/P-palette-query.png")
    qtbot.keyClick(field, Qt.Key.Key_Return)

    assert not palette.isVisible()
    qtbot.waitUntil(lambda: window.rest.current_request().name == "Get playlist")
    assert window.current_tab() is window.rest
    assert window.rest.relpath is not None and window.rest.relpath.endswith(".yaml")
    url = window.rest.findChild(QLineEdit, "rest.url")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is url)  # ready to edit or send


def test_recently_used_items_come_first_after_a_restart(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sample: Path
) -> None:
    first = make_window(sample)
    _choose(qtbot, _open(qtbot, first), "gplaylist", "Get playlist")
    _choose(qtbot, _open(qtbot, first), "no env", "No environment")
    first.close()

    second = make_window(sample)
    assert _names(_open(qtbot, second))[:2] == ["No environment", "Get playlist"]


@pytest.fixture
def ephemeral_window(
    qtbot: QtBot, run: Callable[..., object], settings_path: Path, sample: Path
) -> Iterator[MainWindow]:
    """A window whose Start mock servers uses free ports (the tests' own mocks, and
    other test runs, hold the default ones)."""
    window = MainWindow(AppSettings(settings_path), ephemeral_mocks=True)
    qtbot.addWidget(window)
    window.show()
    run(window.startup(sample))
    yield window
    run(window.shutdown())


def test_environment_actions_and_escape(
    qtbot: QtBot, ephemeral_window: MainWindow, run: Callable[..., object]
) -> None:
    window = ephemeral_window
    picker = window.findChild(QComboBox, "environment.picker")
    assert picker.currentText() != "No environment"
    _choose(qtbot, _open(qtbot, window), "no env", "No environment")
    assert picker.currentText() == "No environment"
    assert window.workspace.environment_name == ""

    _choose(qtbot, _open(qtbot, window), ">theme dark", "Theme: Dark")
    qtbot.waitUntil(lambda: window.preferences.current.theme == "dark")
    assert window.findChild(QAction, "action.theme.dark").isChecked()

    try:
        _choose(qtbot, _open(qtbot, window), "start mock", "Start mock servers")
        qtbot.waitUntil(lambda: window.mocks.state == "running", timeout=20_000)
    finally:
        qtbot.waitUntil(lambda: window.mocks.state != "starting", timeout=20_000)
        run(window.mocks.stop())

    palette = _open(qtbot, window)
    # Recently used first, the latest first.
    assert _names(palette)[:3] == ["Start mock servers", "Theme: Dark", "No environment"]
    palette.grab().save("/tmp/16/P-palette-dark.png")
    qtbot.keyClicks(palette.search, "zzqqxx")
    assert not palette.results.isVisible() and "Nothing matches" in palette.empty.text()
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    assert not palette.isVisible()


def test_history_entry_reopens(
    qtbot: QtBot, window: MainWindow, rest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also the path of a big collection: names indexed and ranked in a worker thread."""
    monkeypatch.setattr(command_palette, "SYNC_ITEMS", 0)
    type_url(qtbot, window, f"{rest_url}/echo?from=palette")
    with qtbot.waitSignal(window.history.entry_added, timeout=15_000):
        send(qtbot, window, "200")
    window.rest.open_request(RestRequest(name="Blank"), None)
    assert not _sent_from_palette(window)

    palette = _open(qtbot, window)
    qtbot.waitUntil(lambda: any(row.item.kind == "history" for row in palette.model.rows))
    qtbot.keyClicks(palette.search, "echo")
    history = [row.item for row in palette.model.rows if row.item.kind == "history"]
    assert history and history[0].detail.startswith("History · ")
    row = [row.item for row in palette.model.rows].index(history[0])
    rect = palette.results.visualRect(palette.model.index(row))
    qtbot.mouseClick(palette.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not palette.isVisible()
    qtbot.waitUntil(lambda: _sent_from_palette(window))


def _sent_from_palette(window: MainWindow) -> bool:
    request = window.rest.current_request()
    return any(row.name == "from" and row.value == "palette" for row in request.params)


def test_ranking_5000_names_stays_fast() -> None:
    """The cost of one keystroke on a collection of 5,000 requests (the palette ranks it
    in a worker above SYNC_ITEMS, but it must be quick there too)."""
    names = [f"Folder {i % 40} request {i} get user playlists" for i in range(5000)]
    items = [
        PaletteItem("request", name, "", f"r{i}", "GET", lambda: None)
        for i, name in enumerate(names)
    ]
    group = _Group(items, FuzzyIndex(names))
    started = time.perf_counter()
    rows = rank([group], "gup")
    elapsed = time.perf_counter() - started
    assert len(rows) == ROW_LIMIT
    assert elapsed < 0.2, f"ranking 5,000 names took {elapsed * 1000:.0f} ms"


class _EmacsLineEdit(QLineEdit):
    """A line edit that claims Ctrl+K, as Qt's do on Linux and macOS."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and event.keyCombination()
            == QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K)
        ):
            event.accept()
            return True
        return super().event(event)


def test_the_guard_keeps_ctrl_k_for_the_window_in_a_text_field(qtbot: QtBot) -> None:
    window = QMainWindow()
    field = _EmacsLineEdit()
    window.setCentralWidget(field)
    qtbot.addWidget(window)
    opened: list[bool] = []
    action = QAction("Command palette", window, shortcut=QKeySequence("Ctrl+K"))
    action.triggered.connect(lambda: opened.append(True))
    window.addAction(action)
    window.show()
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert opened == []  # the field took it

    ShortcutGuard(window, [action])
    field.clearFocus()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert opened == [True]
