"""Light and dark themes: chosen from View > Theme or following the system, live."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton

from apiclient.ui.app_preferences import reset_app_preferences
from apiclient.ui.mocks_panel import MocksPanel
from apiclient.ui.status_indicators import StatusIndicators
from apiclient.ui.theme import apply_font_size, apply_palette, is_dark, semantic_hex
from apiclient.ui.widgets.code_editor import CodeEditor, syntax_color


@pytest.fixture(autouse=True)
def light_after() -> Iterator[None]:
    """The palette and font are the application's: the next test starts light again."""
    yield
    apply_palette(False)
    apply_font_size(0)


def window_color() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.Window)


def key_color(editor: CodeEditor) -> QColor | None:
    """The colour the highlighter gave the first JSON key of ``editor`` (it highlights
    a new text once the event loop runs)."""
    ranges = editor.document().firstBlock().layout().formats()
    first = next((r for r in ranges if r.start == 1), None)  # after the "{"
    return first.format.foreground().color() if first is not None else None


def test_dark_from_the_view_menu_repaints_saves_and_starts_the_next_window_dark(
    qtbot, make_window, sample, tmp_path: Path
):
    window = make_window(sample)
    editor = CodeEditor("test.json")
    qtbot.addWidget(editor)
    editor.set_language("json")
    editor.set_text('{"name": "apiclient", "dark": false}')
    editor.show()
    assert not is_dark()
    qtbot.waitUntil(lambda: key_color(editor) == syntax_color("key", dark=False))

    dark = window.findChild(QAction, "action.theme.dark")
    dark.trigger()
    qtbot.waitUntil(is_dark)
    assert window_color().lightness() < 80
    assert dark.isChecked()
    assert not window.findChild(QAction, "action.theme.system").isChecked()
    saved = tmp_path / "config" / "preferences.json"
    assert json.loads(saved.read_text())["theme"] == "dark"
    # The open editor was coloured again with the dark shades.
    assert key_color(editor) == syntax_color("key", dark=True)
    assert semantic_hex("error") == semantic_hex("error", dark=True)

    # The next start reads the saved choice and opens dark.
    apply_palette(False)
    reset_app_preferences(saved).load()
    again = make_window(sample)
    assert is_dark()
    assert again.findChild(QAction, "action.theme.dark").isChecked()


def test_follow_the_system_follows_its_colour_scheme_change(qtbot, make_window, sample):
    window = make_window(sample)
    hints = QGuiApplication.styleHints()
    window.findChild(QAction, "action.theme.light").trigger()
    qtbot.waitUntil(lambda: window.preferences.current.theme == "light")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # a forced theme ignores it
    assert not is_dark()

    system = window.findChild(QAction, "action.theme.system")
    system.trigger()
    qtbot.waitUntil(lambda: window.preferences.current.theme == "system")
    assert system.isChecked()
    # Offscreen there is no OS to switch: emit what Qt emits when the user switches it.
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert is_dark()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark()


def test_status_bar_shows_the_environment_chosen(make_window, sample):
    window = make_window(sample)
    shown = window.findChild(QLabel, "status.environment")
    picker = window.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findText("Local mocks"))
    assert shown.text() == "Environment: Local mocks"
    picker.setCurrentIndex(picker.findText("No environment"))
    assert shown.text() == "No environment"


def test_status_bar_shows_and_switches_the_mock_servers(qtbot, run):
    mocks = MocksPanel(ephemeral=True)
    indicators = StatusIndicators(mocks)
    qtbot.addWidget(mocks)
    qtbot.addWidget(indicators)
    indicators.show()
    button = indicators.findChild(QToolButton, "status.mocks")
    assert button.accessibleName() == "Mock servers"
    assert button.text() == "Mocks: stopped"
    try:
        with qtbot.waitSignal(mocks.state_changed, check_params_cb=lambda s: s == "running"):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.text() == "Mocks: running" and mocks.urls
        assert "stop" in button.toolTip()
        with qtbot.waitSignal(mocks.state_changed, check_params_cb=lambda s: s == "stopped"):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.text() == "Mocks: stopped" and not mocks.urls
    finally:
        run(mocks.stop())
