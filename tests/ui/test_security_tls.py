"""TLS verification is on by default in every tab that has the switch, and turning it
off puts a warning in view: on the page of the switch, and as a ⚠ on that page's title
so it shows from every other page. Off, the request does reach a self-signed server."""

from __future__ import annotations

import pytest
from faults.ui_drivers import Driver
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from apiclient.core.connection_defaults import effective_settings
from apiclient.core.models import ClientTls, RequestSettings
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.page_warning import WARNING_MARK

# (tab, the switch, its warning, the page title holding them)
SWITCHES = [
    (tab, f"{tab}.settings.verify_tls", f"{tab}.settings.tls_warning", "Settings")
    for tab in ("rest", "batch", "soap", "graphql")
] + [(tab, f"{tab}.tls.verify", f"{tab}.tls.warning", "TLS") for tab in ("grpc", "websocket")]


def _toggle(qtbot: QtBot, switch: QCheckBox | QComboBox) -> None:
    """Turn verification off, or back on: click a box's indicator (at its left end, the
    row may be wider than its text); in a request's Settings tab, choose "Don't verify",
    or back "App default (verify)", from the keyboard."""
    if isinstance(switch, QCheckBox):
        qtbot.mouseClick(switch, Qt.MouseButton.LeftButton, pos=QPoint(6, switch.height() // 2))
        return
    switch.setFocus()
    target = 0 if switch.currentData() is False else switch.findData(False)
    key = Qt.Key.Key_Up if target < switch.currentIndex() else Qt.Key.Key_Down
    while switch.currentIndex() != target:
        qtbot.keyClick(switch, key)


def _on(switch: QCheckBox | QComboBox) -> bool:
    if isinstance(switch, QCheckBox):
        return switch.isChecked()
    return switch.currentData() is None and "(verify)" in switch.currentText()


def _verifies(request: object) -> bool:
    settings = getattr(request, "settings", None)
    if isinstance(settings, RequestSettings):
        return bool(effective_settings(settings).verify_tls)
    tls = request.tls  # type: ignore[attr-defined]
    assert isinstance(tls, ClientTls)
    return tls.verify


def test_the_models_verify_by_default() -> None:
    assert effective_settings(RequestSettings()).verify_tls is True  # "App default": on
    assert ClientTls().verify is True


@pytest.mark.parametrize(("tab", "switch", "warning", "page"), SWITCHES)
def test_verification_is_on_by_default_and_off_is_warned_from_every_page(
    qtbot: QtBot, window: MainWindow, tab: str, switch: str, warning: str, page: str
) -> None:
    widget = getattr(window, tab)
    window.tabs.setCurrentWidget(widget)
    widget.open_request(widget.new_request(), None)
    box = window.findChild(QCheckBox, switch) or window.findChild(QComboBox, switch)
    label = window.findChild(QLabel, warning)
    pages = window.findChild(QTabWidget, f"{tab}.request.tabs")
    index = next(i for i in range(pages.count()) if pages.tabText(i).startswith(page))
    pages.setCurrentIndex(index)
    assert _on(box) and _verifies(widget.current_request())
    assert not label.isVisible() and pages.tabText(index) == page

    _toggle(qtbot, box)
    assert not _verifies(widget.current_request())
    assert label.isVisible() and "⚠" in label.text()
    pages.setCurrentIndex(0)  # another page in front: the title still warns
    assert pages.tabText(index) == page + WARNING_MARK
    assert pages.tabToolTip(index) == label.text()

    pages.setCurrentIndex(index)
    _toggle(qtbot, box)
    assert _verifies(widget.current_request())
    assert not label.isVisible() and pages.tabText(index) == page


def test_off_lets_a_self_signed_server_answer(
    qtbot: QtBot, window: MainWindow, mock_urls: dict[str, str], https_self_signed: str
) -> None:
    driver = Driver(qtbot, window, mock_urls)
    assert "self-signed certificate" in driver.rest(f"{https_self_signed}/x")
    verify = window.rest.editor.settings.verify_tls
    verify.setCurrentIndex(verify.findData(False))
    assert "200" in driver.rest(f"{https_self_signed}/x")
