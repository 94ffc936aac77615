"""TLS verification is on by default in every tab that has the switch, and turning it
off puts a warning in view: on the page of the switch, and as a ⚠ on that page's title
so it shows from every other page. Off, the request does reach a self-signed server."""

from __future__ import annotations

import pytest
from faults.ui_drivers import Driver
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from apiclient.core.models import ClientTls, RequestSettings
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.page_warning import WARNING_MARK

# (tab, the switch, its warning, the page title holding them)
SWITCHES = [
    (tab, f"{tab}.settings.verify_tls", f"{tab}.settings.tls_warning", "Settings")
    for tab in ("rest", "batch", "soap", "graphql")
] + [(tab, f"{tab}.tls.verify", f"{tab}.tls.warning", "TLS") for tab in ("grpc", "websocket")]


def _toggle(qtbot: QtBot, box: QCheckBox) -> None:
    """Click the box's indicator, at its left end (the row may be wider than its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def _verifies(request: object) -> bool:
    settings = getattr(request, "settings", None)
    if isinstance(settings, RequestSettings):
        return settings.verify_tls
    tls = request.tls  # type: ignore[attr-defined]
    assert isinstance(tls, ClientTls)
    return tls.verify


def test_the_models_verify_by_default() -> None:
    assert RequestSettings().verify_tls is True
    assert ClientTls().verify is True


@pytest.mark.parametrize(("tab", "switch", "warning", "page"), SWITCHES)
def test_verification_is_on_by_default_and_off_is_warned_from_every_page(
    qtbot: QtBot, window: MainWindow, tab: str, switch: str, warning: str, page: str
) -> None:
    widget = getattr(window, tab)
    window.tabs.setCurrentWidget(widget)
    widget.open_request(widget.new_request(), None)
    box = window.findChild(QCheckBox, switch)
    label = window.findChild(QLabel, warning)
    pages = window.findChild(QTabWidget, f"{tab}.request.tabs")
    index = next(i for i in range(pages.count()) if pages.tabText(i).startswith(page))
    pages.setCurrentIndex(index)
    assert box.isChecked() and _verifies(widget.current_request())
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
    window.rest.editor.settings.verify_tls.setChecked(False)
    assert "200" in driver.rest(f"{https_self_signed}/x")
