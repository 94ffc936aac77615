"""The SOAP tab loads a WSDL with the request's auth: its own, or the one it inherits."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidget
from pytestqt.qtbot import QtBot

from apiclient.core.models import Auth, SoapRequest, inherit_auth
from apiclient.ui.main_window import MainWindow

FILES = Path(__file__).parents[1] / "protocols" / "wsdl_files"
BASIC = Auth(kind="basic", username="demo", password="demo-password")
_GOOD = "Basic " + base64.b64encode(b"demo:demo-password").decode("ascii")


@pytest.fixture
def guarded() -> Iterator[str]:
    """A server on 127.0.0.1 that serves the hospital WSDL and its schema only to demo."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.lstrip("/").split("?")[0]
            allowed = self.headers.get("Authorization") == _GOOD
            if allowed and name in ("hospital.wsdl", "hospital_types.xsd"):
                status, body = 200, (FILES / name).read_bytes()
            else:
                status, body = (404, b"no") if allowed else (401, b"credentials needed")
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="wsdl"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hospital.wsdl"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _load(qtbot: QtBot, window: MainWindow, request: SoapRequest) -> str:
    """Open ``request`` in the SOAP tab, press Load; the panel's status text."""
    window.soap.open_request(request, None)
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        button = window.findChild(QPushButton, "soap.load")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return window.findChild(QLabel, "soap.wsdl_status").text()


def _operations(window: MainWindow) -> list[str]:
    tree = window.findChild(QTreeWidget, "soap.operations")
    return [
        item.text(0)
        for item in tree.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive)
        if item.childCount() == 0
    ]


def test_the_wsdl_loads_with_the_requests_own_auth(qtbot, window, guarded):
    _load(qtbot, window, SoapRequest(wsdl=guarded, auth=BASIC))
    assert "GetPatient" in _operations(window)

    status = _load(qtbot, window, SoapRequest(wsdl=guarded, auth=Auth(kind="none")))
    assert "401" in status
    assert "Auth tab" in status
    assert _operations(window) == []


def test_the_wsdl_loads_with_the_auth_the_request_inherits(qtbot, window, run, guarded):
    run(window.workspace.save_folder_auth("", BASIC))  # the collection's auth
    _load(qtbot, window, SoapRequest(wsdl=guarded, auth=inherit_auth()))
    assert "GetPatient" in _operations(window)
