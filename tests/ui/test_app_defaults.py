"""The app's connection defaults (File > Settings) reach every request whose Settings tab
says "App default", open ones included, from their next send; a request's own value
wins. The Settings tab says what "App default" stands for and follows a change."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from apiclient.core.models import RequestSettings
from apiclient.core.preferences import Preferences
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.settings_editor import SettingsEditor

SEND_MS = 15_000
DELAY = "http-basics/delay-2-s.yaml"  # a saved request of the sample: GET {{base_url}}/delay/2


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\xa0", " ")


def _editor(qtbot: QtBot) -> SettingsEditor:
    editor = SettingsEditor("rest")
    qtbot.addWidget(editor)
    editor.resize(900, 560)
    editor.show()
    return editor


def _type(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClicks(line, text)


def _choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick ``text`` in ``combo`` from the keyboard."""
    combo.setFocus()
    while combo.currentText() != text:
        index = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Up if text.startswith("App") else Qt.Key.Key_Down)
        assert combo.currentIndex() != index, f"{text!r} is not in {combo.objectName()}"


# -- the Settings tab ------------------------------------------------------------------


def test_app_default_says_its_value_and_follows_the_preferences(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    verified: list[bool] = []
    editor.verify_changed.connect(verified.append)
    edits: list[None] = []
    editor.edited.connect(lambda: edits.append(None))
    assert editor.timeout.text() == "App default (30 s)"
    assert editor.connect_timeout.text() == "App default (30 s)"
    assert editor.verify_tls.currentText() == "App default (verify)"
    assert editor.proxy.currentText() == "App default (system proxy)"
    assert not editor.tls_warning.isVisible()

    app_preferences().apply(
        Preferences(timeout_s=45, connect_timeout_s=7.5, verify_tls=False, proxy="none")
    )
    assert editor.timeout.text() == "App default (45 s)"
    assert editor.connect_timeout.text() == "App default (7.5 s)"
    assert editor.verify_tls.currentText() == "App default (don't verify)"
    assert editor.proxy.currentText() == "App default (no proxy)"
    note = editor.findChild(QLabel, "rest.settings.proxy_note")
    assert note.isVisible() and "File > Settings" in note.text() and "directly" in note.text()
    # Inherited, certificates are now unchecked: said as when the request turns them off.
    assert editor.tls_warning.isVisible() and verified[-1] is False
    assert not editor.ca_file.isEnabled()
    # Nothing of the request changed: it still inherits, and is not marked edited.
    assert editor.settings() == RequestSettings() and not edits


def test_a_value_of_its_own_overrides_and_zero_goes_back_to_app_default(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    _type(qtbot, editor.timeout.lineEdit(), "5")
    _choose(qtbot, editor.verify_tls, "Don't verify")
    _choose(qtbot, editor.proxy, "None")
    assert editor.settings() == RequestSettings(timeout_s=5, verify_tls=False, proxy="none")
    assert editor.tls_warning.isVisible()

    _type(qtbot, editor.timeout.lineEdit(), "0")
    qtbot.keyClick(editor.timeout, Qt.Key.Key_Return)
    _choose(qtbot, editor.verify_tls, "App default (verify)")
    _choose(qtbot, editor.proxy, "App default (system proxy)")
    assert editor.timeout.text() == "App default (30 s)"
    assert editor.settings() == RequestSettings()
    assert not editor.tls_warning.isVisible()


def test_a_timeout_of_its_own_below_a_millisecond_never_reads_as_app_default(
    qtbot: QtBot,
) -> None:
    editor = _editor(qtbot)
    editor.set_settings(RequestSettings(timeout_s=0.0004))  # e.g. imported from curl -m
    assert editor.timeout.text() == "0.001 s"
    assert editor.settings().timeout_s == 0.0004  # untouched: kept exactly


def test_the_apps_custom_proxy_asks_only_for_this_requests_user_and_password(
    qtbot: QtBot,
) -> None:
    app_preferences().apply(
        Preferences(proxy="custom", proxy_url="http://proxy.local:3128", no_proxy="localhost")
    )
    editor = _editor(qtbot)
    editor.set_settings(RequestSettings(proxy_url="http://mine:1"))  # typed once, kept
    assert editor.proxy.currentText() == "App default (custom proxy)"
    note = editor.findChild(QLabel, "rest.settings.proxy_note")
    assert "http://proxy.local:3128" in note.text() and "localhost" in note.text()
    assert editor.proxy_username.isVisible() and editor.proxy_password.isVisible()
    assert not editor.proxy_url.isVisible() and not editor.no_proxy.isVisible()
    assert not editor.findChild(QLabel, "rest.settings.proxy_problem").isVisible()
    _type(qtbot, editor.proxy_username, "ann")
    assert editor.settings() == RequestSettings(proxy_url="http://mine:1", proxy_username="ann")


def test_the_workspace_scope_carries_the_apps_defaults(window: MainWindow) -> None:
    workspace = window.workspace
    assert workspace.scope().connection == Preferences().connection_defaults()
    changed = Preferences(timeout_s=2.5, verify_tls=False)
    window.preferences.apply(changed)
    assert workspace.scope().connection == changed.connection_defaults()


# -- end to end: the Settings dialog, an open request, the REST mock -------------------


def _open(qtbot: QtBot, window: MainWindow, relpath: str) -> None:
    tab = window.rest
    window.tabs.setCurrentWidget(tab)
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: tab.relpath == relpath)


def _save_preferences(qtbot: QtBot, window: MainWindow, **form: object) -> None:
    """Open File > Settings…, fill ``form`` (``read_timeout``, ``verify``) and Save."""
    dialog = window.open_settings()
    if "read_timeout" in form:
        _type(qtbot, dialog.timeout.lineEdit(), str(form["read_timeout"]))
    if "verify" in form:
        dialog.verify_tls.setChecked(bool(form["verify"]))
    with qtbot.waitSignal(window.preferences.changed, timeout=SEND_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)


def _send(qtbot: QtBot, window: MainWindow) -> str:
    tab = window.rest
    with qtbot.waitSignal(tab.send_finished, timeout=SEND_MS):
        qtbot.mouseClick(window.findChild(QPushButton, "rest.send"), Qt.MouseButton.LeftButton)
    return _plain(window.findChild(QLabel, "rest.response.status").text())


def test_the_apps_read_timeout_reaches_an_open_request_until_it_sets_its_own(
    qtbot: QtBot, window: MainWindow
) -> None:
    _open(qtbot, window, DELAY)  # saved before the preference changes: it inherits
    settings = window.rest.editor.settings
    assert settings.settings().timeout_s is None

    _save_preferences(qtbot, window, read_timeout=0.5)
    assert window.preferences.current.timeout_s == 0.5
    assert settings.timeout.text() == "App default (0.5 s)"
    status = _send(qtbot, window)
    assert "read timeout" in status and "0.5 s" in status, status

    _type(qtbot, settings.timeout.lineEdit(), "5")
    assert window.rest.current_request().settings.timeout_s == 5
    assert "200" in _send(qtbot, window)


def test_the_apps_certificate_check_reaches_a_request_until_it_sets_its_own(
    qtbot: QtBot, window: MainWindow, https_self_signed: str
) -> None:
    tab = window.rest
    _open(qtbot, window, DELAY)
    _type(qtbot, window.findChild(QLineEdit, "rest.url"), f"{https_self_signed}/x")
    assert "self-signed certificate" in _send(qtbot, window)

    _save_preferences(qtbot, window, verify=False)
    assert tab.editor.settings.verify_tls.currentText() == "App default (don't verify)"
    assert window.findChild(QLabel, "rest.tls_warning").isVisible()  # beside Send
    assert "200" in _send(qtbot, window)

    _choose(qtbot, tab.editor.settings.verify_tls, "Verify")
    assert "self-signed certificate" in _send(qtbot, window)
