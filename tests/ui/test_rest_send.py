"""Sending from the REST tab as a user would: type, press Send, read the response panel."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
)
from ui_helpers import body_text, send, status_text, type_url

from apiclient.core.body_spool import spool_folder
from apiclient.core.models import RestRequest, Variable
from apiclient.ui.tabs import rest as rest_tab
from apiclient.ui.widgets.body_view import PAGE_CHARS


def test_type_url_send_and_see_status_and_body(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/api/items?page=1&per_page=2")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: '"items"' in body_text(window))
    body = json.loads(body_text(window))
    assert body["per_page"] == 2
    assert len(body["items"]) == 2
    assert "ms" in window.findChild(QLabel, "rest.response.time").text()
    headers = window.findChild(QTableWidget, "rest.response.headers")
    names = [headers.item(r, 0).text().lower() for r in range(headers.rowCount())]
    assert "content-type" in names


def test_pretty_body_is_indented_and_raw_is_as_received(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/api/items/1")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: body_text(window).startswith("{\n  "))
    qtbot.mouseClick(window.findChild(QRadioButton, "rest.response.raw"), Qt.MouseButton.LeftButton)
    assert "\n  " not in body_text(window)


def test_ctrl_enter_sends(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/status/418")
    qtbot.keyClick(
        window.findChild(QLineEdit, "rest.url"),
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier,
    )
    qtbot.waitUntil(lambda: "418" in status_text(window), timeout=10_000)
    qtbot.waitUntil(lambda: not window.rest.is_sending())


def test_connection_refused_is_told_in_place(qtbot, window):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    type_url(qtbot, window, f"http://127.0.0.1:{port}/x")
    send(qtbot, window, "Could not connect")
    assert "127.0.0.1" in status_text(window)
    assert window.findChild(QLineEdit, "rest.url").text().endswith("/x")


def test_unknown_variable_is_named_and_nothing_is_sent(qtbot, window):
    type_url(qtbot, window, "{{nope_host}}/api/items")
    send(qtbot, window, "variable")
    assert "nope_host" in status_text(window)


def test_malformed_url_is_refused_with_a_reason(qtbot, window):
    type_url(qtbot, window, "http://exa mple.com/")
    send(qtbot, window, "not valid")


def test_timeout_names_the_limit(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/delay/3")
    window.rest.editor.settings.timeout.setValue(0.3)
    send(qtbot, window, "Timed out")
    assert "0.3" in status_text(window)


def test_cancel_stops_a_slow_request(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/delay/10")
    qtbot.mouseClick(window.findChild(QPushButton, "rest.send"), Qt.MouseButton.LeftButton)
    cancel = window.findChild(QPushButton, "rest.cancel")
    qtbot.waitUntil(cancel.isVisible)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cancelled" in status_text(window), timeout=3000)
    assert window.findChild(QPushButton, "rest.send").isVisible()


def test_server_closing_mid_body_is_reported(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/broken/mid-body")
    send(qtbot, window, "closed")


def test_invalid_json_body_gets_a_hint_and_is_still_sent(qtbot, window, rest_url):
    editor = window.rest.editor
    editor.method.setCurrentText("POST")
    type_url(qtbot, window, f"{rest_url}/echo")
    editor.body.mode.setCurrentIndex(editor.body.mode.findData("raw"))
    qtbot.keyClicks(editor.body.raw, '{"name": ')
    hint = window.findChild(QLabel, "rest.body.hint")
    qtbot.waitUntil(lambda: "Invalid JSON" in hint.text())
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "body_text" in body_text(window))
    assert json.loads(body_text(window))["body_text"] == '{"name": '


def test_binary_body_shows_size_and_hex(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/bytes/3000")
    send(qtbot, window, "200")
    info = window.findChild(QLabel, "rest.response.info")
    qtbot.waitUntil(lambda: "Binary body" in info.text())
    assert "2.9 KB" in info.text()
    assert body_text(window).startswith("00000000  ")
    assert window.findChild(QPushButton, "rest.response.save").isEnabled()


def test_latin1_body_is_decoded_with_its_charset(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/encoding/latin1")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "café" in body_text(window))


def test_large_body_is_shown_in_parts(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/json/large?mb=20")
    send(qtbot, window, "200", timeout=60_000)
    banner = window.findChild(QLabel, "rest.response.truncated")
    qtbot.waitUntil(banner.isVisible, timeout=60_000)
    first = body_text(window)
    assert PAGE_CHARS // 2 < len(first) < PAGE_CHARS * 3 // 2
    assert first.startswith("{") or first.startswith("[")
    assert "part 1 of" in banner.text()
    following = window.findChild(QPushButton, "rest.response.next")
    qtbot.mouseClick(following, Qt.MouseButton.LeftButton)
    assert "part 2 of" in banner.text()
    assert body_text(window) != first
    previous = window.findChild(QPushButton, "rest.response.previous")
    qtbot.mouseClick(previous, Qt.MouseButton.LeftButton)
    assert body_text(window) == first
    assert not previous.isEnabled()


def test_params_table_follows_the_url_and_back(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/echo?a=1&b=two")
    params = window.rest.editor.params
    assert [(r.name, r.value) for r in params.rows()] == [("a", "1"), ("b", "two")]
    params.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert window.findChild(QLineEdit, "rest.url").text() == f"{rest_url}/echo?b=two"
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "query" in body_text(window))
    assert json.loads(body_text(window))["query"] == {"b": ["two"]} or json.loads(
        body_text(window)
    )["query"] == {"b": "two"}


def test_search_in_the_body_finds_and_reports_misses(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/api/items")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "kettle" in body_text(window))
    search = window.findChild(QLineEdit, "rest.response.find")
    qtbot.keyClicks(search, "kettle")
    view = window.findChild(QPlainTextEdit, "rest.response.body")
    assert view.textCursor().selectedText() == "kettle"
    qtbot.keyClicks(search, "-nowhere")
    assert window.findChild(QLabel, "rest.response.find.result").text() == "No match"


def test_ctrl_l_focuses_the_url(qtbot, window):
    window.rest.editor.headers.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "rest.url").hasFocus())


# --- large bodies spooled to a file ------------------------------------------------------


@pytest.fixture
def spool_small(monkeypatch: pytest.MonkeyPatch, window) -> None:
    """Bodies over 256 KB go to a file (the engine is made on the first send), and the
    progress figure is refreshed at every turn of the loop, so it shows on a fast
    loopback."""
    monkeypatch.setattr(rest_tab, "SPOOL_THRESHOLD_BYTES", 256 * 1024)
    window.rest._progress_timer.setInterval(0)


def test_a_large_body_shows_receiving_progress_then_pages_from_its_file(
    qtbot, window, rest_url, spool_small
):
    status = window.findChild(QLabel, "rest.response.status")
    seen: list[str] = []
    probe = QTimer(interval=1, timeout=lambda: seen.append(status.text()))
    probe.start()
    type_url(qtbot, window, f"{rest_url}/text/large?mb=6")
    send(qtbot, window, "200", timeout=30_000)
    probe.stop()
    receiving = [text for text in seen if "Receiving" in text]
    assert receiving and "of 6.0 MB" in receiving[-1]
    body_file = window.rest._body_file
    assert body_file is not None and Path(body_file.path).stat().st_size == 6 << 20
    view = window.rest.response.body
    qtbot.waitUntil(lambda: body_text(window).startswith("line 00000000"))
    assert window.findChild(QLabel, "rest.response.size").text() == "6.0 MB"
    assert window.findChild(QPushButton, "rest.response.open_external").isEnabled()
    view.find.query.setText("END-OF-BODY")
    qtbot.waitUntil(lambda: view.text.textCursor().selectedText() == "END-OF-BODY", timeout=15_000)

    # A new response deletes the file of the one it replaces.
    type_url(qtbot, window, f"{rest_url}/status/204")
    send(qtbot, window, "204")
    qtbot.waitUntil(lambda: not Path(body_file.path).exists())


def test_a_spooled_body_that_ends_early_is_shown_as_partial(qtbot, window, rest_url, monkeypatch):
    monkeypatch.setattr(rest_tab, "SPOOL_THRESHOLD_BYTES", 100)
    type_url(qtbot, window, f"{rest_url}/broken/mid-body")
    send(qtbot, window, "Connection closed mid-response")
    text = status_text(window)
    assert "The 1000 B of 97.7 KB that arrived are kept in" in text
    qtbot.waitUntil(lambda: body_text(window).startswith("x" * 100))
    info = window.findChild(QLabel, "rest.response.info").text()
    assert "Partial body: only 1000 B of 97.7 KB arrived" in info
    assert "(partial)" in window.findChild(QLabel, "rest.response.size").text()


def test_cancel_while_a_large_body_arrives_stops_it_and_deletes_its_file(
    qtbot, window, rest_url, spool_small
):
    type_url(qtbot, window, f"{rest_url}/text/large?mb=1024")
    qtbot.mouseClick(window.findChild(QPushButton, "rest.send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Receiving" in status_text(window), timeout=10_000)
    folder = spool_folder()
    qtbot.waitUntil(lambda: bool(list(folder.glob("body-*"))), timeout=10_000)
    with qtbot.waitSignal(window.rest.send_finished, timeout=10_000):
        qtbot.mouseClick(window.findChild(QPushButton, "rest.cancel"), Qt.MouseButton.LeftButton)
    assert "Cancelled" in status_text(window)
    qtbot.waitUntil(lambda: not list(folder.glob("body-*")), timeout=5_000)


def test_the_history_preview_has_secret_values_masked(qtbot, window, rest_url, run):
    """The echo endpoint sends the secret back: the entry the tab hands to the history
    holds a mask in its place, and says so."""
    entries = []
    window.rest.request_sent.connect(entries.append)
    request = RestRequest(
        url=f"{rest_url}/echo?k={{{{key}}}}&note=kept",
        variables=[Variable(name="key", value="s3cr3t-value", secret=True)],
    )
    run(window.rest._send(request))
    qtbot.waitUntil(lambda: bool(entries))
    preview = entries[-1].preview
    assert b"s3cr3t-value" not in preview and b"[redacted]" in preview and b"kept" in preview
    assert "response preview: secret variable values" in entries[-1].redacted
