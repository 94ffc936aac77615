"""The Webhook tab as a user drives it: start the receiver, send it events (signed by the
test, or by the webhook sender mock), read the inbox, and act on events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
)
from pytestqt.qtbot import QtBot

from apiclient.core.models import WebhookRequest
from apiclient.core.store import RequestNode
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.ui.main_window import MainWindow
from apiclient.ui.tabs.webhook import WebhookTab

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
RECEIVER = "live-webhook/payments-receiver.yaml"


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def standard_headers(body: bytes, secret: str = SECRET, *, age_s: int = 0) -> dict[str, str]:
    """Standard Webhooks headers for ``body``, computed here independently."""
    msg_id = f"msg_{time.time_ns()}"
    stamp = str(int(time.time()) - age_s)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        "content-type": "application/json",
    }


def open_receiver(qtbot: QtBot, window: MainWindow, port: int = 0) -> WebhookTab:
    """Open the sample receiver, on ``port`` (0: any free one) so tests never collide."""
    tab = window.webhook
    window.sidebar.request_activated.emit(RECEIVER)
    qtbot.waitUntil(lambda: tab.relpath == RECEIVER)
    assert window.tabs.currentWidget() is tab
    _find(window, QSpinBox, "webhook.port").setValue(port)
    return tab


def start(qtbot: QtBot, window: MainWindow, expect: str = "listening") -> str:
    """Click Start and wait for ``expect``; returns the state line."""
    tab = window.webhook
    qtbot.waitUntil(lambda: tab.store is not None, timeout=10_000)
    with qtbot.waitSignal(
        tab.receiver_changed, timeout=15_000, check_params_cb=lambda state: state == expect
    ):
        _click(qtbot, _find(window, QPushButton, "webhook.start"))
    return _find(window, QLabel, "webhook.state").text()


def receiver_url(window: MainWindow) -> str:
    return _find(window, QLineEdit, "webhook.url").text()


def rows(tab: WebhookTab) -> list[list[str]]:
    model = tab.inbox.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def wait_rows(qtbot: QtBot, tab: WebhookTab, count: int) -> list[list[str]]:
    qtbot.waitUntil(lambda: tab.inbox.model.rowCount() >= count, timeout=10_000)
    return rows(tab)


@pytest.fixture
def listening(qtbot: QtBot, window: MainWindow) -> tuple[WebhookTab, str]:
    tab = open_receiver(qtbot, window)
    state = start(qtbot, window)
    url = receiver_url(window)
    assert url.startswith("http://127.0.0.1:") and url in state
    return tab, url


def test_an_event_arrives_with_its_verdict_newest_first(qtbot, window, listening) -> None:
    tab, url = listening
    good = json.dumps({"event_type": "payment.completed", "amount": 1250}).encode()
    answer = httpx.post(
        f"{url}/webhooks/payments?try=1", content=good, headers=standard_headers(good)
    )
    assert answer.status_code == 200 and answer.json() == {"received": True}
    bad = b'{"event_type": "payment.failed"}'
    headers = standard_headers(bad, "whsec_" + base64.b64encode(b"another secret").decode())
    httpx.put(f"{url}/webhooks/other", content=bad, headers=headers)
    httpx.get(f"{url}/ping")

    shown = wait_rows(qtbot, tab, 3)
    assert [row[2] for row in shown] == ["GET", "PUT", "POST"]  # newest first
    assert [row[6] for row in shown] == ["unsigned", "✗ invalid", "✓ valid"]
    assert shown[2][3] == "/webhooks/payments?try=1" and shown[2][5].startswith("127.0.0.1:")
    state = _find(window, QLabel, "webhook.state")
    qtbot.waitUntil(lambda: "3 events since start" in state.text())  # labels follow in batches

    tab.inbox.table.selectRow(2)
    qtbot.waitUntil(lambda: '"amount": 1250' in _body(window), timeout=10_000)
    assert "Signature: ✓ valid" in _find(window, QLabel, "webhook.detail.verdict").text()
    headers_model = tab.inbox.headers_model
    names = [headers_model.index(r, 0).data() for r in range(headers_model.rowCount())]
    assert "webhook-signature" in names
    assert tab.inbox.query_model.index(0, 0).data() == "try"

    tab.inbox.table.selectRow(1)
    qtbot.waitUntil(
        lambda: "does not match" in _find(window, QLabel, "webhook.detail.verdict").text(),
        timeout=10_000,
    )


def _body(window: MainWindow) -> str:
    return window.findChild(object, "webhook.detail.body").toPlainText()


def test_the_sender_mock_delivers_signed_events(qtbot, window, listening, rest_url) -> None:
    tab, url = listening
    registered = httpx.post(
        f"{rest_url}/api/webhooks/register",
        json={"url": f"{url}/webhooks/payments", "secret": SECRET, "signature": "standard"},
    )
    assert registered.status_code == 201, registered.text
    try:
        triggered = httpx.post(
            f"{rest_url}/api/webhooks/trigger?wait=true",
            json={"event_type": "payment.disputed", "registration_id": registered.json()["id"]},
            timeout=30,
        )
        assert triggered.status_code == 200, triggered.text
        shown = wait_rows(qtbot, tab, 1)
        assert shown[0][2:4] == ["POST", "/webhooks/payments"]
        assert shown[0][6] == "✓ valid"
        tab.inbox.table.selectRow(0)
        qtbot.waitUntil(lambda: '"event_type": "payment.disputed"' in _body(window), timeout=10_000)
    finally:
        httpx.delete(f"{rest_url}/api/webhooks/registrations/{registered.json()['id']}")


def test_events_are_kept_across_a_restart(qtbot, make_window, sample) -> None:
    first = make_window(sample)
    tab = open_receiver(qtbot, first)
    start(qtbot, first)
    httpx.post(f"{receiver_url(first)}/kept", content=b"{}", headers=standard_headers(b"{}"))
    wait_rows(qtbot, tab, 1)
    _click(qtbot, _find(first, QPushButton, "webhook.start"))  # stop
    qtbot.waitUntil(lambda: tab.receiver is None)

    second = make_window(sample)
    again = second.webhook
    qtbot.waitUntil(lambda: again.inbox.model.rowCount() == 1, timeout=10_000)
    assert rows(again)[0][3] == "/kept" and rows(again)[0][6] == "✓ valid"
    assert "1 event" in _find(second, QLabel, "webhook.count").text()


def _stored(path: str) -> WebhookEvent:
    summary = EventSummary(
        id=0,
        received_at=time.time(),
        method="POST",
        path=path,
        query="",
        source="127.0.0.1:50000",
        content_type="application/json",
        size=2,
        verdict="unchecked",
        verdict_reason="No signature scheme set.",
        response_status=200,
        note="",
    )
    return WebhookEvent(summary, (("content-type", "application/json"),), b"{}")


def test_a_large_inbox_shows_its_exact_count_and_pages_rows_in_as_scrolled(qtbot, window) -> None:
    tab = window.webhook
    qtbot.waitUntil(lambda: tab.store is not None, timeout=10_000)
    count = 5_000
    assert tab.store is not None
    tab.store.add_many([_stored(f"/bulk/{n}") for n in range(1, count + 1)])

    _find(window, QLineEdit, "webhook.filter").setText("/bulk/")
    # The listing of the inbox as first opened (empty) may still end after this; the
    # filtered one replaces it.
    counter = _find(window, QLabel, "webhook.count")
    qtbot.waitUntil(lambda: counter.text() == "5,000 matching events", timeout=10_000)
    model = tab.inbox.model
    assert model.rowCount() == count  # every event is a row: a virtual model
    assert model.index(0, 3).data() == f"/bulk/{count}"  # the newest, read with the ids

    table = _find(window, QTableView, "webhook.log")
    table.scrollToBottom()  # the oldest: read from the store as they come into view
    qtbot.waitUntil(lambda: model.index(count - 1, 3).data() == "/bulk/1", timeout=10_000)
    assert model.index(count - 2, 0).data() == str(model.id_at(count - 2))
    table.selectRow(count - 1)
    assert tab.inbox.current_id() == model.id_at(count - 1)
    detail = _find(window, QLabel, "webhook.detail.info")
    qtbot.waitUntil(lambda: "/bulk/1<" in detail.text() or "/bulk/1 " in detail.text())


def test_port_in_use_is_told_and_nothing_starts(qtbot, window) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        open_receiver(qtbot, window, port)
        state = start(qtbot, window, expect="failed")
    assert f"Port {port}" in state and "already in use" in state
    assert _find(window, QPushButton, "webhook.start").text() == "Start"
    assert receiver_url(window) == ""


def test_a_privileged_port_is_refused_before_binding(qtbot, window) -> None:
    open_receiver(qtbot, window, 80)
    state = start(qtbot, window, expect="failed")
    assert "1024" in state


def test_all_interfaces_only_by_choice_with_a_warning(qtbot, window) -> None:
    open_receiver(qtbot, window)
    warning = _find(window, QLabel, "webhook.warning")
    assert warning.isHidden()
    host = _find(window, QComboBox, "webhook.host")
    assert host.currentData() == "127.0.0.1"
    host.setCurrentIndex(host.findData("0.0.0.0"))
    host.activated.emit(host.currentIndex())  # as when a person picks it
    assert not warning.isHidden() and "all network interfaces" in warning.text()
    assert window.webhook.dirty


def test_response_presets_apply_while_listening(qtbot, window, listening) -> None:
    tab, url = listening
    preset = _find(window, QComboBox, "webhook.response.preset")
    assert preset.currentText() == "200 OK"
    preset.setCurrentIndex(preset.findText("410 Gone (unsubscribe)"))
    preset.activated.emit(preset.currentIndex())
    assert _find(window, QSpinBox, "webhook.response.status").value() == 410
    qtbot.waitUntil(lambda: "next request" in _find(window, QLabel, "webhook.state").text())
    assert httpx.post(f"{url}/x", content=b"{}").status_code == 410
    shown = wait_rows(qtbot, tab, 1)
    assert shown[0][7] == "410"


def test_an_oversized_body_is_answered_413_and_still_listed(qtbot, window) -> None:
    tab = open_receiver(qtbot, window)
    _find(window, QDoubleSpinBox, "webhook.max_body").setValue(0.01)  # about 10 KB
    start(qtbot, window)
    answer = httpx.post(f"{receiver_url(window)}/big", content=b"x" * 50_000)
    assert answer.status_code == 413
    shown = wait_rows(qtbot, tab, 1)
    assert shown[0][7] == "413" and shown[0][4] == "48.8 KB"


def test_malformed_json_is_kept_raw_and_said_so(qtbot, window, listening) -> None:
    tab, url = listening
    httpx.post(
        f"{url}/broken", content=b'{"amount": 12,}', headers={"content-type": "application/json"}
    )
    wait_rows(qtbot, tab, 1)
    tab.inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: _body(window) == '{"amount": 12,}', timeout=10_000)
    note = _find(window, QLabel, "webhook.detail.body_note").text()
    assert "JSON" in note and "line 1" in note


def test_filter_delete_clear(qtbot, window, listening, dialogs) -> None:
    tab, url = listening
    for path in ("/orders/1", "/orders/2", "/refunds/1"):
        httpx.post(f"{url}{path}", json={"path": path})
    wait_rows(qtbot, tab, 3)
    with qtbot.waitSignal(tab.inbox_loaded, timeout=10_000):
        _find(window, QLineEdit, "webhook.filter").setText('"/refunds/1"')
    assert [row[3] for row in rows(tab)] == ["/refunds/1"]  # found in the body text
    assert _find(window, QLabel, "webhook.count").text() == "1 matching event"
    with qtbot.waitSignal(tab.inbox_loaded, timeout=10_000):
        _find(window, QLineEdit, "webhook.filter").setText("")
    tab.inbox.table.selectRow(0)
    with qtbot.waitSignal(tab.action_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.delete"))
    assert [row[3] for row in rows(tab)] == ["/orders/2", "/orders/1"]
    assert tab.store.count() == 2

    dialogs.answers.append(QMessageBox.StandardButton.No)
    _click(qtbot, _find(window, QPushButton, "webhook.clear"))
    qtbot.waitUntil(lambda: len(dialogs.asked) == 1)
    qtbot.wait(100)
    assert tab.store.count() == 2 and len(rows(tab)) == 2  # No keeps everything

    _find(window, QLineEdit, "webhook.filter").setText("orders/2")
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.action_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.clear"))
    assert "Delete all 2 stored events (the filter does not apply" in dialogs.asked[-1]
    assert rows(tab) == [] and tab.store.count() == 0


def test_export_json_and_har(qtbot, window, listening, dialogs, tmp_path: Path) -> None:
    tab, url = listening
    httpx.post(f"{url}/a", json={"n": 1})
    httpx.post(
        f"{url}/b", content=b"\x00\xff", headers={"content-type": "application/octet-stream"}
    )
    wait_rows(qtbot, tab, 2)
    for kind in ("json", "har"):
        target = tmp_path / f"inbox.{kind}"
        dialogs.paths.append(str(target))
        with qtbot.waitSignal(tab.action_finished, timeout=10_000):
            tab.export_inbox(kind)
        assert "Exported 2 events" in _find(window, QLabel, "webhook.inbox.status").text()
        text = target.read_text()
        assert "/a" in text and "/b" in text
    har = json.loads((tmp_path / "inbox.har").read_text())
    assert len(har["log"]["entries"]) == 2


def test_replay_and_copy_as_curl(qtbot, window, listening, rest_url) -> None:
    tab, url = listening
    httpx.post(f"{url}/anything", json={"replayed": True})
    wait_rows(qtbot, tab, 1)
    tab.inbox.table.selectRow(0)
    status = _find(window, QLabel, "webhook.inbox.status")

    replay_url = _find(window, QLineEdit, "webhook.replay_url")
    replay_url.setText(url)  # the receiver itself: the replay becomes a new event
    with qtbot.waitSignal(tab.action_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.replay"))
    assert "Replayed #" in status.text() and ": 200 in" in status.text()
    qtbot.waitUntil(lambda: tab.inbox.model.rowCount() == 2)

    tab.inbox.table.selectRow(0)
    with qtbot.waitSignal(tab.action_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.copy_curl"))
    command = QGuiApplication.clipboard().text()
    assert command.startswith("curl") and f"{url}/anything" in command

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    replay_url.setText(f"http://127.0.0.1:{port}")
    with qtbot.waitSignal(tab.action_finished, timeout=15_000):
        _click(qtbot, _find(window, QPushButton, "webhook.replay"))
    assert "Replay of #" in status.text() and f"127.0.0.1:{port}" in status.text()


def test_the_secret_is_not_saved_in_clear_text(qtbot, window, run, sample: Path) -> None:
    open_receiver(qtbot, window)
    secret = _find(window, QLineEdit, "webhook.signature.secret")
    secret.setText("whsec_" + base64.b64encode(b"typed in by hand").decode())
    assert secret.echoMode() == QLineEdit.EchoMode.Password
    secret.textEdited.emit(secret.text())
    qtbot.waitUntil(lambda: window.webhook.dirty)
    run(window.save())
    assert not window.webhook.dirty
    on_disk = (sample / "items" / RECEIVER).read_text()
    assert base64.b64encode(b"typed in by hand").decode() not in on_disk
    assert "{{webhook_secret}}" not in on_disk  # the typed secret replaced the reference
    node = window.workspace.store.find(RECEIVER)
    assert isinstance(node, RequestNode) and isinstance(node.request, WebhookRequest)
    assert node.request.signature.secret == secret.text()


def test_stop_keeps_the_inbox(qtbot, window, listening) -> None:
    tab, url = listening
    httpx.post(f"{url}/one", content=b"1")
    wait_rows(qtbot, tab, 1)
    with qtbot.waitSignal(tab.receiver_changed, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.start"))
    assert "Stopped" in _find(window, QLabel, "webhook.state").text()
    assert rows(tab)[0][3] == "/one"
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{url}/two", content=b"2")


def test_copy_url_and_forward_every_new_event(qtbot, window, rest_url) -> None:
    tab = open_receiver(qtbot, window)
    _find(window, QCheckBox, "webhook.forward").setChecked(True)
    forward_url = _find(window, QLineEdit, "webhook.forward_url")
    forward_url.setText(f"{rest_url}/echo")
    forward_url.textEdited.emit(forward_url.text())
    state = start(qtbot, window)
    assert f"forwarding to {rest_url}/echo" in state
    url = receiver_url(window)
    _click(qtbot, _find(window, QPushButton, "webhook.copy_url"))
    assert QGuiApplication.clipboard().text() == url

    httpx.post(f"{url}/orders/7", json={"order": 7})
    wait_rows(qtbot, tab, 1)
    status = _find(window, QLabel, "webhook.inbox.status")
    qtbot.waitUntil(lambda: "Forwarded #" in status.text(), timeout=10_000)
    assert f"to {rest_url}/echo/orders/7: 200" in status.text()


def test_one_action_at_a_time_and_none_lost(qtbot, window, listening) -> None:
    tab, url = listening
    for n in range(3):
        httpx.post(f"{url}/n/{n}", content=b"x")
    wait_rows(qtbot, tab, 3)
    tab.inbox.table.selectRow(0)
    with qtbot.waitSignal(tab.action_finished, timeout=10_000):
        _click(qtbot, _find(window, QPushButton, "webhook.delete"))
        tab.copy_curl()  # a second action while the first runs: refused, not a cancel
        assert "Wait for the action" in _find(window, QLabel, "webhook.inbox.status").text()
    assert tab.store.count() == 2 and [row[3] for row in rows(tab)] == ["/n/1", "/n/0"]


def test_a_reload_during_a_burst_loses_nothing(qtbot, window, listening) -> None:
    tab, url = listening
    search = _find(window, QLineEdit, "webhook.filter")
    with httpx.Client() as client:
        for n in range(40):
            client.post(f"{url}/burst/{n}", content=b"{}")
            if n == 10:
                search.setText("burst")
            if n == 25:
                search.setText("")
    qtbot.waitUntil(lambda: tab.inbox.model.rowCount() == 40, timeout=10_000)
    qtbot.wait(400)
    assert sorted(int(row[0]) for row in rows(tab)) == sorted(s.id for s in tab.store.summaries())
    assert _find(window, QLabel, "webhook.count").text() == "40 events"


def test_opening_another_receiver_while_starting_stops_it(qtbot, window) -> None:
    tab = open_receiver(qtbot, window)
    qtbot.waitUntil(lambda: tab.store is not None, timeout=10_000)
    _click(qtbot, _find(window, QPushButton, "webhook.start"))
    tab.open_request(WebhookRequest(name="Other", port=0), None)
    qtbot.wait(500)
    assert tab.receiver is None
    assert "another receiver setup" in _find(window, QLabel, "webhook.state").text()
    assert _find(window, QPushButton, "webhook.start").text() == "Start"


def test_stop_then_start_again_on_the_same_port(qtbot, window) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    open_receiver(qtbot, window, port)
    start(qtbot, window)
    _click(qtbot, _find(window, QPushButton, "webhook.start"))  # stop
    state = start(qtbot, window)
    assert f"127.0.0.1:{port}" in state
