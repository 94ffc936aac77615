"""File > Settings…: every setting explained, saved to preferences.json, refused clearly."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QGroupBox, QWidget
from pytestqt.qtbot import QtBot

from apiclient.core.preferences import Preferences
from apiclient.ui.app_preferences import AppPreferences
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings_dialog import SettingsDialog

FIELDS = (
    "theme",
    "font_size",
    "tab_width",
    "timeout",
    "connect_timeout",
    "verify_tls",
    "proxy",
    "proxy_url",
    "no_proxy",
    "history_size",
)
BUTTONS = ("save", "cancel", "defaults")
CHANGED = Preferences(
    theme="dark",
    font_size=14,
    tab_width=2,
    history_size=120,
    timeout_s=12.5,
    connect_timeout_s=2.25,
    verify_tls=False,
    proxy="custom",
    proxy_url="http://proxy.local:3128",
    no_proxy="localhost, .internal",
)


@pytest.fixture
def open_dialog(qtbot: QtBot, qt_loop: object) -> Iterator[Callable[..., SettingsDialog]]:
    """Opens a dialog as the window does; closes what is left of it afterwards (the
    dialog deletes itself once closed, so qtbot.addWidget would close it twice)."""
    made: list[SettingsDialog] = []

    def make(holder: AppPreferences) -> SettingsDialog:
        dialog = SettingsDialog(holder)
        dialog.show()
        qtbot.waitExposed(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        if shiboken6.isValid(dialog):
            dialog.close()


def field(dialog: QWidget, name: str) -> QWidget:
    found = dialog.findChild(QWidget, f"settings.{name}")
    assert found is not None, name
    return found


def fill(qtbot: QtBot, dialog: SettingsDialog, prefs: Preferences) -> None:
    """Type ``prefs`` into the form as a person would (keys where it is text)."""
    dialog.theme.setCurrentIndex(dialog.theme.findData(prefs.theme))
    dialog.font_size.setValue(prefs.font_size)
    dialog.tab_width.setValue(prefs.tab_width)
    dialog.timeout.setValue(prefs.timeout_s)
    dialog.connect_timeout.setValue(prefs.connect_timeout_s)
    dialog.verify_tls.setChecked(prefs.verify_tls)
    dialog.proxy.setCurrentIndex(dialog.proxy.findData(prefs.proxy))
    for line, text in ((dialog.proxy_url, prefs.proxy_url), (dialog.no_proxy, prefs.no_proxy)):
        line.clear()
        qtbot.keyClicks(line, text)
    dialog.history_size.setValue(prefs.history_size)


def save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted]


def test_every_setting_is_named_and_explained(open_dialog, tmp_path: Path) -> None:
    dialog = open_dialog(AppPreferences(tmp_path / "preferences.json"))
    assert dialog.objectName() == "settings.dialog" and dialog.windowTitle() == "Settings"
    for name in FIELDS:
        widget = field(dialog, name)
        assert widget.toolTip().strip(), f"{name} has no tooltip"
        assert widget.accessibleName().strip(), f"{name} has no accessible name"
    for name in BUTTONS:
        assert isinstance(field(dialog, name), QAbstractButton)
        assert field(dialog, name).toolTip().strip(), f"{name} has no tooltip"
    for name in ("timeout", "connect_timeout", "verify_tls", "proxy", "proxy_url", "no_proxy"):
        assert "App default" in field(dialog, name).toolTip()  # what it affects
    group = dialog.findChild(QGroupBox, "settings.requests")
    assert group.title() == "Request defaults"
    assert "App default" in field(dialog, "requests_note").text()
    assert "open requests included" in field(dialog, "requests_note").text()
    assert dialog.font_size.specialValueText() == "System default"
    assert dialog.font_size.text() == "System default"
    assert not dialog.proxy_url.isEnabled() and not dialog.no_proxy.isEnabled()
    assert not field(dialog, "error").isVisible() and not dialog.problem.isVisible()


def test_save_writes_the_file_tells_the_app_and_reopens_with_the_values(
    qtbot: QtBot, open_dialog, tmp_path: Path
) -> None:
    path = tmp_path / "config" / "preferences.json"
    holder = AppPreferences(path)
    dialog = open_dialog(holder)
    fill(qtbot, dialog, CHANGED)
    assert dialog.proxy_url.isEnabled() and dialog.save.isEnabled()
    with qtbot.waitSignal(holder.changed, timeout=5000) as changed:
        save(qtbot, dialog)
    assert changed.args == [CHANGED] and holder.current == CHANGED
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert {key: saved[key] for key in CHANGED.to_dict()} == CHANGED.to_dict()

    again = open_dialog(holder)
    assert again.preferences() == CHANGED
    assert again.theme.currentText() == "Dark" and again.proxy.currentText() == "Custom"
    assert again.proxy_url.text() == CHANGED.proxy_url and again.history_size.value() == 120


def test_a_bad_proxy_url_blocks_save_with_the_reason(
    qtbot: QtBot, open_dialog, tmp_path: Path
) -> None:
    path = tmp_path / "preferences.json"
    dialog = open_dialog(AppPreferences(path))
    dialog.proxy.setCurrentIndex(dialog.proxy.findData("custom"))
    assert not dialog.save.isEnabled()  # a custom proxy needs its URL
    assert "type the proxy's URL" in dialog.proxy_problem.text()
    qtbot.keyClicks(dialog.proxy_url, "proxy.local:3128")
    assert dialog.proxy_problem.isVisible() and not dialog.save.isEnabled()
    assert "no known scheme" in dialog.proxy_problem.text()
    assert "no known scheme" in dialog.save.toolTip()
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not path.exists()

    dialog.proxy_url.home(False)
    qtbot.keyClicks(dialog.proxy_url, "http://")
    assert dialog.save.isEnabled() and not dialog.proxy_problem.isVisible()
    dialog.proxy.setCurrentIndex(dialog.proxy.findData("system"))
    qtbot.keyClicks(dialog.proxy_url, "ignored while disabled")
    assert dialog.save.isEnabled() and dialog.proxy_url.text() == "http://proxy.local:3128"


def test_a_folder_that_cannot_be_written_keeps_the_dialog_and_the_values(
    qtbot: QtBot, open_dialog, tmp_path: Path
) -> None:
    if os.geteuid() == 0:  # root writes into a 0500 folder: use a file as the folder
        (tmp_path / "locked").write_text("")
    else:
        (tmp_path / "locked").mkdir(mode=0o500)
    holder = AppPreferences(tmp_path / "locked" / "config" / "preferences.json")
    dialog = open_dialog(holder)
    fill(qtbot, dialog, CHANGED)
    emitted: list[object] = []
    holder.changed.connect(emitted.append)
    try:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
        error = field(dialog, "error")
        qtbot.waitUntil(error.isVisible, timeout=5000)
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert "Not saved" in error.text() and str(tmp_path / "locked") in error.text()
    assert dialog.isVisible() and dialog.save.isEnabled() and dialog.cancel.isEnabled()
    assert dialog.preferences() == CHANGED  # nothing typed is lost
    assert emitted == [] and holder.current == Preferences()


def test_restore_defaults_fills_the_form_and_saves_only_on_save(
    qtbot: QtBot, open_dialog, tmp_path: Path
) -> None:
    path = tmp_path / "preferences.json"
    holder = AppPreferences(path)
    holder.apply(CHANGED)
    dialog = open_dialog(holder)
    assert dialog.preferences() == CHANGED
    qtbot.mouseClick(dialog.defaults, Qt.MouseButton.LeftButton)
    assert dialog.preferences() == Preferences()
    assert dialog.theme.currentText() == "Follow the system"
    assert dialog.font_size.text() == "System default"
    assert holder.current == CHANGED and not path.exists()
    save(qtbot, dialog)
    assert holder.current == Preferences()
    assert json.loads(path.read_text(encoding="utf-8"))["theme"] == "system"


def test_cancel_changes_nothing(qtbot: QtBot, open_dialog, tmp_path: Path) -> None:
    path = tmp_path / "preferences.json"
    holder = AppPreferences(path)
    dialog = open_dialog(holder)
    fill(qtbot, dialog, CHANGED)
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Rejected]
    assert holder.current == Preferences() and not path.exists()


def test_the_file_that_did_not_load_is_reported_at_the_top(open_dialog, tmp_path: Path) -> None:
    path = tmp_path / "preferences.json"
    path.write_text('{"theme": "blue"}')
    holder = AppPreferences(path)
    assert holder.load()
    dialog = open_dialog(holder)
    assert dialog.problem.isVisible()
    assert "theme" in dialog.problem.text() and str(path) in dialog.problem.text()
    assert dialog.preferences() == Preferences()


def test_timeouts_nobody_touched_keep_their_exact_value(open_dialog, tmp_path: Path) -> None:
    holder = AppPreferences(tmp_path / "preferences.json")
    holder.apply(Preferences(timeout_s=0.12345, connect_timeout_s=7.00049))
    dialog = open_dialog(holder)
    assert dialog.preferences().timeout_s == 0.12345
    dialog.connect_timeout.setValue(9)
    assert dialog.preferences().connect_timeout_s == 9.0
    assert dialog.preferences().timeout_s == 0.12345


def test_from_the_window_the_history_follows_the_new_size(
    qtbot: QtBot, window: MainWindow, run
) -> None:
    store = run(window.history._ready_store())
    assert store.max_entries == Preferences().history_size
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog) and dialog.parent() is window
    qtbot.waitExposed(dialog)
    dialog.history_size.setValue(50)
    save(qtbot, dialog)
    assert window.preferences.current.history_size == 50
    assert store.max_entries == 50 and store.prune_every == 2


def test_seconds_show_without_trailing_zeros(qtbot: QtBot, open_dialog, tmp_path: Path) -> None:
    dialog = open_dialog(AppPreferences(tmp_path / "preferences.json"))
    assert dialog.timeout.text() == "30 s"
    dialog.timeout.selectAll()
    qtbot.keyClicks(dialog.timeout, "2.5")
    assert dialog.timeout.value() == 2.5 and dialog.timeout.text() == "2.5 s"
