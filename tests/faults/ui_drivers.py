"""Each tab driven through its widgets as a person would: aim it at a URL or target,
fire (Send, Load, Reflect, Connect), and read the line the tab shows for the outcome.

Used by ``tests/ui/test_fault_servers.py``; every driver also knows a healthy request
against the bundled mocks, to show the tab is still usable after a fault.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from apiclient.ui.main_window import MainWindow

__all__ = ["Driver", "plain"]

TIMEOUT_MS = 15_000
FAULT_TIMEOUT_S = 0.5  # the request timeout set for the faults: the drip must trip it


def plain(text: str) -> str:
    """A label's rich text as a person reads it."""
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\xa0", " ")


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _type(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def _click(qtbot: QtBot, window: MainWindow, name: str) -> None:
    qtbot.mouseClick(_find(window, QPushButton, name), Qt.MouseButton.LeftButton)


def _front(qtbot: QtBot, window: MainWindow, tab: QWidget) -> None:
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentWidget() is tab


def _open_sample(qtbot: QtBot, window: MainWindow, tab: QWidget, relpath: str) -> None:
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: tab.relpath == relpath)


@dataclass
class Driver:
    """One tab; ``qtbot``, ``window`` and the mocks' URLs are the test's."""

    qtbot: QtBot
    window: MainWindow
    mocks: dict[str, str]

    def _send(self, tab: QWidget, button: str, status: str) -> str:
        with self.qtbot.waitSignal(tab.send_finished, timeout=TIMEOUT_MS):
            _click(self.qtbot, self.window, button)
        return plain(_find(self.window, QLabel, status).text())

    # -- REST ---------------------------------------------------------------------------

    def rest(self, url: str) -> str:
        tab = self.window.rest
        _front(self.qtbot, self.window, tab)
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "rest.url"), url)
        return self._send(tab, "rest.send", "rest.response.status")

    def rest_healthy(self) -> str:
        return self.rest(f"{self.mocks['rest']}/api/items/1")

    # -- Batch --------------------------------------------------------------------------

    def batch(self, url: str) -> str:
        tab = self.window.batch
        if tab.relpath != "contacts-batch/create-contacts-207.yaml":
            _open_sample(self.qtbot, self.window, tab, "contacts-batch/create-contacts-207.yaml")
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "batch.url"), url)
        return self._send(tab, "batch.send", "batch.response.status")

    def batch_healthy(self) -> str:
        return self.batch(f"{self.mocks['rest']}/api/v1/contacts/batch")

    # -- SOAP ---------------------------------------------------------------------------

    def soap(self, url: str) -> str:
        tab = self.window.soap
        if tab.relpath != "calculator-soap-rpc/add.yaml":
            _open_sample(self.qtbot, self.window, tab, "calculator-soap-rpc/add.yaml")
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "soap.endpoint"), url)
        return self._send(tab, "soap.send", "soap.response.status")

    def soap_healthy(self) -> str:
        return self.soap(f"{self.mocks['soap']}/calculator")

    def wsdl(self, url: str) -> str:
        tab = self.window.soap
        _front(self.qtbot, self.window, tab)
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "soap.wsdl"), url)
        with self.qtbot.waitSignal(tab.wsdl_finished, timeout=TIMEOUT_MS):
            _click(self.qtbot, self.window, "soap.load")
        return plain(_find(self.window, QLabel, "soap.wsdl_status").text())

    def wsdl_healthy(self) -> str:
        return self.wsdl(f"{self.mocks['soap']}/calculator?wsdl")

    # -- GraphQL ------------------------------------------------------------------------

    def graphql(self, url: str) -> str:
        tab = self.window.graphql
        _front(self.qtbot, self.window, tab)
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "graphql.url"), url)
        query = _find(self.window, QPlainTextEdit, "graphql.query")
        if query.toPlainText() != "{ events { id } }":
            with self.qtbot.waitSignal(tab.document_checked, timeout=TIMEOUT_MS):
                query.setPlainText("{ events { id } }")
        return self._send(tab, "graphql.send", "graphql.response.status")

    def graphql_healthy(self) -> str:
        return self.graphql(f"{self.mocks['graphql']}/graphql")

    def schema(self, url: str) -> str:
        tab = self.window.graphql
        _front(self.qtbot, self.window, tab)
        tab.editor.settings.timeout.setValue(FAULT_TIMEOUT_S)
        _type(self.qtbot, _find(self.window, QLineEdit, "graphql.url"), url)
        with self.qtbot.waitSignal(tab.schema_finished, timeout=TIMEOUT_MS):
            _click(self.qtbot, self.window, "graphql.fetch_schema")
        return plain(_find(self.window, QLabel, "graphql.schema_status").text())

    def schema_healthy(self) -> str:
        return self.schema(f"{self.mocks['graphql']}/graphql")

    # -- gRPC ---------------------------------------------------------------------------

    def reflect(self, target: str, *, tls: bool = False, ca_file: str = "") -> str:
        tab = self.window.grpc
        _front(self.qtbot, self.window, tab)
        security = _find(self.window, QComboBox, "grpc.security")
        security.setCurrentIndex(security.findData("tls" if tls else "plaintext"))
        tab.editor.tls.ca_file.setText(ca_file)
        tab.editor.tls.ca_file.textEdited.emit(ca_file)
        _type(self.qtbot, _find(self.window, QLineEdit, "grpc.target"), target)
        with self.qtbot.waitSignal(tab.catalog_finished, timeout=TIMEOUT_MS):
            _click(self.qtbot, self.window, "grpc.reflect")
        return plain(_find(self.window, QLabel, "grpc.methods_status").text())

    def grpc_call(self, target: str, method: str, message: str) -> str:
        """Reflect ``target``, pick ``method`` in the tree, send ``message``."""
        self.reflect(target)
        tab = self.window.grpc
        tree = _find(self.window, QTreeWidget, "grpc.methods")
        (item,) = tree.findItems(method, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        tree.scrollToItem(item)
        self.qtbot.mouseClick(
            tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
        )
        self.qtbot.waitUntil(lambda: tab.current_request().method.endswith(method))
        _find(self.window, QPlainTextEdit, "grpc.message").setPlainText(message)
        return self._send(tab, "grpc.send", "grpc.response.status")

    def grpc_healthy(self) -> str:
        return self.grpc_call(
            self.mocks["grpc"].removeprefix("grpc://"), "GetTrack", '{"id": "t7"}'
        )

    # -- WebSocket ----------------------------------------------------------------------

    def connect(self, url: str, *, ca_file: str = "", until: str = "closed") -> str:
        """Connect to ``url`` and wait for the phase ``until``; the state line."""
        tab = self.window.websocket
        _front(self.qtbot, self.window, tab)
        tab.editor.connect_timeout.setValue(FAULT_TIMEOUT_S)
        tab.editor.tls.ca_file.setText(ca_file)
        tab.editor.tls.ca_file.textEdited.emit(ca_file)
        _type(self.qtbot, _find(self.window, QLineEdit, "websocket.url"), url)
        with self.qtbot.waitSignal(
            tab.phase_changed, timeout=TIMEOUT_MS, check_params_cb=lambda phase: phase == until
        ):
            _click(self.qtbot, self.window, "websocket.connect")
        return plain(_find(self.window, QLabel, "websocket.state").text())

    def websocket_healthy(self) -> str:
        state = self.connect(self.mocks["websocket"] + "/echo", until="open")
        tab = self.window.websocket
        with self.qtbot.waitSignal(
            tab.phase_changed, timeout=TIMEOUT_MS, check_params_cb=lambda phase: phase == "closed"
        ):
            _click(self.qtbot, self.window, "websocket.connect")  # Disconnect
        return state

    # -- Webhook ------------------------------------------------------------------------

    def webhook_start(self) -> str:
        """Open the sample receiver on a free port, start it; its URL."""
        tab = self.window.webhook
        relpath = "live-webhook/payments-receiver.yaml"
        _open_sample(self.qtbot, self.window, tab, relpath)
        _find(self.window, QSpinBox, "webhook.port").setValue(0)
        self.qtbot.waitUntil(lambda: tab.store is not None, timeout=TIMEOUT_MS)
        with self.qtbot.waitSignal(
            tab.receiver_changed,
            timeout=TIMEOUT_MS,
            check_params_cb=lambda state: state == "listening",
        ):
            _click(self.qtbot, self.window, "webhook.start")
        return _find(self.window, QLineEdit, "webhook.url").text()

    def webhook_state(self) -> str:
        return plain(_find(self.window, QLabel, "webhook.state").text())

    def webhook_events(self) -> int:
        return self.window.webhook.inbox.model.rowCount()
