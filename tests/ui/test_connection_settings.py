"""The Settings page of the HTTP tabs: every RequestSettings field round-trips through
the widgets a person uses, fields that do not apply hide or grey out, and switching
certificate checks off puts a warning beside Send in every editor that sends."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from apiclient.core.models import (
    BatchRequest,
    ClientTls,
    GraphqlRequest,
    RequestSettings,
    RestRequest,
    SoapRequest,
    WebsocketRequest,
)
from apiclient.ui import dialogs
from apiclient.ui.tabs.batch_editor import BatchRequestEditor
from apiclient.ui.tabs.graphql_editor import GraphqlRequestEditor
from apiclient.ui.tabs.rest_editor import RestRequestEditor
from apiclient.ui.tabs.soap_editor import SoapRequestEditor
from apiclient.ui.tabs.websocket_editor import WebsocketRequestEditor
from apiclient.ui.widgets.page_warning import WARNING_MARK
from apiclient.ui.widgets.settings_editor import SettingsEditor

EVERYTHING_CHANGED = RequestSettings(
    timeout_s=12.5,
    connect_timeout_s=0.0005,  # finer than the spin box shows: kept as loaded
    total_timeout_s=90,
    follow_redirects=False,
    max_redirects=7,
    keep_method=True,
    verify_tls=False,
    ca_file="/etc/ssl/company-ca.pem",
    http2=True,
    proxy="custom",
    proxy_url="socks5://127.0.0.1:1080",
    proxy_username="me",
    proxy_password="s3cret",
    no_proxy="localhost, .internal.example.com",
    send_cookies=False,
)


def _editor(qtbot: QtBot) -> SettingsEditor:
    editor = SettingsEditor("rest")
    qtbot.addWidget(editor)
    editor.resize(900, 600)
    editor.show()
    return editor


def _find(parent: QWidget, kind: type, name: str):
    widget = parent.findChild(kind, name)
    assert widget is not None, name
    return widget


def _toggle(qtbot: QtBot, box: QCheckBox) -> None:
    """Click the box's indicator, at its left end (the row may be wider than its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def _choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick ``text`` in ``combo`` from the keyboard, as a person without a mouse would."""
    combo.setFocus()
    while combo.currentText() != text:
        index = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != index, f"{text!r} is not in {combo.objectName()}"


def _type(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClicks(line, text)


def test_every_field_round_trips_exactly(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    assert editor.settings() == RequestSettings()
    editor.set_settings(EVERYTHING_CHANGED)
    assert editor.settings() == EVERYTHING_CHANGED
    assert editor.proxy_password.is_masked()
    editor.set_settings(RequestSettings())
    assert editor.settings() == RequestSettings()


def test_what_the_person_types_lands_in_the_settings(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    edits: list[None] = []
    editor.edited.connect(lambda: edits.append(None))
    name = "rest.settings"
    _type(qtbot, _find(editor, QWidget, f"{name}.connect_timeout").lineEdit(), "4")
    _type(qtbot, _find(editor, QWidget, f"{name}.total_timeout").lineEdit(), "60")
    _toggle(qtbot, _find(editor, QCheckBox, f"{name}.keep_method"))
    _toggle(qtbot, _find(editor, QCheckBox, f"{name}.http2"))
    _toggle(qtbot, _find(editor, QCheckBox, f"{name}.send_cookies"))
    proxy = _find(editor, QComboBox, f"{name}.proxy")
    proxy.setCurrentIndex(proxy.findData("custom"))
    _type(qtbot, _find(editor, QLineEdit, f"{name}.proxy_url"), "http://proxy.local:3128")
    _type(qtbot, _find(editor, QLineEdit, f"{name}.proxy_username"), "me")
    _type(qtbot, _find(editor, QLineEdit, f"{name}.proxy_password"), "pw")
    _type(qtbot, _find(editor, QLineEdit, f"{name}.no_proxy"), "localhost")
    _type(qtbot, _find(editor, QLineEdit, f"{name}.ca_file"), "ca.pem")

    assert editor.settings() == RequestSettings(
        connect_timeout_s=4,
        total_timeout_s=60,
        keep_method=True,
        http2=True,
        send_cookies=False,
        proxy="custom",
        proxy_url="http://proxy.local:3128",
        proxy_username="me",
        proxy_password="pw",
        no_proxy="localhost",
        ca_file="ca.pem",
    )
    assert edits


def test_a_bad_number_loses_nothing(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    editor.set_settings(EVERYTHING_CHANGED)
    spin = _find(editor, QWidget, "rest.settings.timeout")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "abc")
    spin.clearFocus()
    assert editor.settings() == EVERYTHING_CHANGED


def test_total_timeout_zero_reads_none(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    assert editor.total_timeout.text() == "None"
    assert editor.settings().total_timeout_s == 0


@pytest.mark.parametrize(
    ("mode", "custom"), [("default", False), ("system", False), ("none", False), ("custom", True)]
)
def test_custom_proxy_fields_show_only_for_custom(qtbot: QtBot, mode: str, custom: bool) -> None:
    editor = _editor(qtbot)
    editor.proxy.setCurrentIndex(editor.proxy.findData(mode))
    for field in ("proxy_url", "proxy_username", "proxy_password", "no_proxy"):
        assert _find(editor, QLineEdit, f"rest.settings.{field}").isVisible() is custom, field
    note = _find(editor, QLabel, "rest.settings.proxy_note")
    assert note.isVisible() is not custom
    assert editor.settings().proxy == mode


def test_a_proxy_url_without_scheme_is_explained(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    editor.proxy.setCurrentIndex(editor.proxy.findData("custom"))
    problem = _find(editor, QLabel, "rest.settings.proxy_problem")
    assert problem.isVisible() and "type the proxy's URL" in problem.text()
    _type(qtbot, editor.proxy_url, "proxy.local:3128")
    assert problem.isVisible() and "socks5://" in problem.text()
    _type(qtbot, editor.proxy_url, "socks5://127.0.0.1:1080")
    assert not problem.isVisible()
    _type(qtbot, editor.proxy_url, "{{proxy}}")
    assert not problem.isVisible()


def test_redirect_limits_grey_out_when_not_following(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    assert editor.max_redirects.isEnabled() and editor.keep_method.isEnabled()
    _toggle(qtbot, editor.follow_redirects)
    assert not editor.max_redirects.isEnabled() and not editor.keep_method.isEnabled()
    assert editor.settings().max_redirects == 20  # kept for when following again


def test_every_control_explains_itself(qtbot: QtBot) -> None:
    editor = _editor(qtbot)
    for widget in editor.findChildren(QWidget):
        if widget.objectName().startswith("rest.settings.") and not widget.objectName().endswith(
            ("warning", "note", "problem", ".reveal")
        ):
            assert widget.toolTip(), widget.objectName()


def test_browse_puts_the_chosen_ca_file_in(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, qt_loop: object
) -> None:
    async def chosen(_parent, title: str, _start: str, name_filter: str) -> str:
        assert "CA" in title and "*.pem" in name_filter
        return "/tmp/test-ca.pem"

    monkeypatch.setattr(dialogs, "open_file", chosen)
    editor = _editor(qtbot)
    with qtbot.waitSignal(editor.edited):
        qtbot.mouseClick(editor.ca_browse, Qt.MouseButton.LeftButton)
    assert editor.settings().ca_file == "/tmp/test-ca.pem"


EDITORS = [
    ("rest", RestRequestEditor, RestRequest, "settings"),
    ("batch", BatchRequestEditor, BatchRequest, "settings"),
    ("soap", SoapRequestEditor, SoapRequest, "settings"),
    ("graphql", GraphqlRequestEditor, GraphqlRequest, "settings"),
]


@pytest.mark.parametrize(("prefix", "editor_type", "request_type", "page"), EDITORS)
def test_tls_off_is_warned_beside_send(
    qtbot: QtBot, prefix: str, editor_type: type, request_type: type, page: str
) -> None:
    editor = editor_type()
    qtbot.addWidget(editor)
    editor.show()
    warning = _find(editor, QLabel, f"{prefix}.tls_warning")
    settings = getattr(editor, page)
    index = editor.tabs.indexOf(settings) if editor.tabs.indexOf(settings) >= 0 else None
    if index is None:  # SOAP puts the editor in a page of its own
        index = next(i for i in range(editor.tabs.count()) if editor.tabs.tabText(i) == "Settings")
    assert not warning.isVisible()

    editor.tabs.setCurrentIndex(index)
    _choose(qtbot, _find(editor, QComboBox, f"{prefix}.settings.verify_tls"), "Don't verify")
    assert warning.isVisible() and "verification is off" in warning.text()
    assert not _find(editor, QLineEdit, f"{prefix}.settings.ca_file").isEnabled()
    assert editor.tabs.tabText(index).endswith(WARNING_MARK)
    assert editor.request().settings.verify_tls is False

    editor.set_request(request_type())  # another request, checked: no warning
    assert not warning.isVisible()
    assert not editor.tabs.tabText(index).endswith(WARNING_MARK)
    editor.set_request(request_type(settings=RequestSettings(verify_tls=False)))
    assert warning.isVisible()


def test_websocket_tls_off_is_warned_beside_connect(qtbot: QtBot) -> None:
    editor = WebsocketRequestEditor()
    qtbot.addWidget(editor)
    editor.show()
    warning = _find(editor, QLabel, "websocket.tls_warning")
    assert not warning.isVisible()
    editor.tabs.setCurrentWidget(editor.tls)
    _toggle(qtbot, _find(editor, QCheckBox, "websocket.tls.verify"))
    assert warning.isVisible() and "wss://" in warning.text()
    assert editor.request().tls.verify is False
    editor.set_request(WebsocketRequest(tls=ClientTls(verify=True)))
    assert not warning.isVisible()


def test_the_tls_pages_file_pickers_fill_their_field(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, qt_loop: object
) -> None:
    async def chosen(_parent, title: str, _start: str, name_filter: str) -> str:
        assert "*.pem" in name_filter
        return f"/certs/{title.split()[-1]}.pem"

    monkeypatch.setattr(dialogs, "open_file", chosen)
    editor = WebsocketRequestEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.tabs.setCurrentWidget(editor.tls)
    for field in ("ca_file", "client_cert", "client_key"):
        button = _find(editor, QWidget, f"websocket.tls.{field}.browse")
        with qtbot.waitSignal(editor.edited):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    tls = editor.request().tls
    assert (tls.ca_file, tls.client_cert_file, tls.client_key_file) == (
        "/certs/file.pem",
        "/certs/certificate.pem",
        "/certs/key.pem",
    )
