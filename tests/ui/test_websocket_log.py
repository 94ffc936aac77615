"""The WebSocket log model: batches, caps by count and bytes, exact totals, filters."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from apiclient.protocols.websocket import WsFrame, WsStatus
from apiclient.protocols.websocket_export import write_session
from apiclient.ui.tabs import websocket_log
from apiclient.ui.tabs.websocket_log import LogFilter, MessageLogModel
from apiclient.ui.tabs.websocket_log_view import MessageLogView, detail_text


def _text(n: int, direction: str = "in") -> WsFrame:
    body = json.dumps({"seq": n})
    return WsFrame(direction, "text", time.time(), body, len(body))


def _shown(model: MessageLogModel) -> list[str]:
    return [model.data(model.index(row, 5)) for row in range(model.rowCount())]


def test_appends_are_batched_until_flush() -> None:
    model = MessageLogModel()
    for n in range(5):
        model.append(_text(n))
    assert model.rowCount() == 0 and model.total == 5
    model.flush()
    assert model.rowCount() == 5
    assert [model.number_at(row) for row in range(5)] == [1, 2, 3, 4, 5]


def test_capacity_keeps_the_newest_and_counts_stay_exact() -> None:
    model = MessageLogModel(capacity=100)
    for batch in range(7):
        for n in range(40):
            model.append(_text(batch * 40 + n))
        model.flush()
    assert model.total == 280
    assert model.kept == model.rowCount() == 100
    assert model.dropped == 180
    assert model.number_at(0) == 181 and model.number_at(99) == 280
    assert model.entry_at(99).data == '{"seq": 279}'


def test_a_burst_larger_than_the_capacity_keeps_the_newest_of_it() -> None:
    model = MessageLogModel(capacity=10)
    for n in range(5):
        model.append(_text(n))
    model.flush()
    for n in range(5, 50):
        model.append(_text(n))
    model.flush()
    assert model.total == 50 and model.dropped == 40 and model.kept == 10
    assert [model.number_at(row) for row in range(10)] == list(range(41, 51))
    assert model.entry_at(0).data == '{"seq": 40}'


def test_byte_cap_lets_big_messages_go_but_keeps_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(websocket_log, "MAX_KEPT_BYTES", 1000)
    model = MessageLogModel(capacity=1000)
    for _ in range(3):
        model.append(WsFrame("in", "binary", time.time(), bytes(400), 400))
        model.flush()
    assert model.kept == 2 and model.dropped == 1
    model.append(WsFrame("in", "binary", time.time(), bytes(5000), 5000))
    model.flush()
    assert model.kept == 1  # over the cap alone, but the newest always stays
    assert model.entry_at(0).size == 5000


def test_filters_by_direction_text_and_control_frames() -> None:
    model = MessageLogModel()
    model.append(WsStatus("open", time.time(), "ws://x"))
    model.append(_text(1, "out"))
    model.append(_text(2, "in"))
    model.append(WsFrame("in", "ping", time.time(), b"ping-1", 6))
    model.append(WsFrame("in", "binary", time.time(), b"\xde\xad", 2))
    model.set_filter(LogFilter(control=False))
    assert model.rowCount() == 4  # the ping is hidden, the status shows
    model.set_filter(LogFilter(direction="out", control=False))
    assert _shown(model)[1:] == ['{"seq": 1}']
    model.set_filter(LogFilter(text='"SEQ": 2', control=True))
    assert _shown(model) == ['{"seq": 2}']
    model.set_filter(LogFilter(text="de ad", control=True))  # binary matches as hex
    assert _shown(model) == ["de ad"]
    model.set_filter(LogFilter(control=True))
    assert model.rowCount() == 5


def test_a_filter_follows_new_entries_and_the_cap() -> None:
    model = MessageLogModel(capacity=10)
    model.set_filter(LogFilter(direction="out", control=True))
    for n in range(30):
        model.append(_text(n, "out" if n % 3 == 0 else "in"))
    model.flush()
    shown = [model.entry_at(row).data for row in range(model.rowCount())]
    assert shown == ['{"seq": 21}', '{"seq": 24}', '{"seq": 27}']  # within the newest 10
    assert model.total == 30


def test_clear_starts_over() -> None:
    model = MessageLogModel()
    model.append(_text(1))
    model.flush()
    model.clear()
    assert model.rowCount() == 0 and model.total == 0 and model.dropped == 0
    model.append(_text(2))
    model.flush()
    assert model.number_at(0) == 1


def test_detail_shows_pretty_json_hex_and_close_frames() -> None:
    text, language = detail_text(_text(7), "auto")
    assert (text, language) == ('{\n  "seq": 7\n}', "json")
    text, language = detail_text(WsFrame("in", "binary", 0.0, b"Hi\x00", 3), "auto")
    assert text.startswith("00000000  48 69 00") and text.endswith("Hi.")
    text, _ = detail_text(_text(7), "hex")
    assert text.startswith("00000000  7b 22 73 65 71 22")
    text, _ = detail_text(WsFrame("in", "close", 0.0, "bye", 5, close_code=4001), "auto")
    assert text == "Close code: 4001\nReason: bye"
    assert detail_text(WsFrame("in", "text", 0.0, "plain", 5), "auto") == ("plain", "text")


def test_view_shows_the_selected_entry_and_pings_only_on_request(qtbot) -> None:
    view = MessageLogView()
    qtbot.addWidget(view)
    view.model.append(_text(1))
    view.model.append(WsFrame("in", "ping", time.time(), b"ping-1", 6))
    view.model.flush()
    assert view.model.rowCount() == 1  # pings hidden by default
    view.control.setChecked(True)
    assert view.model.rowCount() == 2
    view.table.setCurrentIndex(view.model.index(0, 0))
    assert view.detail.toPlainText() == '{\n  "seq": 1\n}'
    assert "Received text frame" in view.detail_info.text()
    assert view.model.data(view.model.index(1, 2)) == "↓"
    assert view.model.data(view.model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "Received"


def test_export_writes_entries_text_and_base64(tmp_path: Path) -> None:
    entries = [
        (1, WsStatus("open", 0.0, "ws://x", subprotocol="chat.v1")),
        (2, _text(1, "out")),
        (3, WsFrame("in", "binary", 0.0, b"\x00\xff", 2)),
    ]
    path = tmp_path / "session.json"
    assert write_session(path, entries, {"url": "ws://x", "dropped": 0}) == 3
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format"] == "apiclient-websocket-session" and saved["url"] == "ws://x"
    assert [entry["n"] for entry in saved["entries"]] == [1, 2, 3]
    assert saved["entries"][0]["detail"] == "Open (subprotocol chat.v1)"
    assert saved["entries"][1]["text"] == '{"seq": 1}'
    assert saved["entries"][2]["base64"] == "AP8="
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind
