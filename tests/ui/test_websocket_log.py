"""The WebSocket log model: batches, caps by count and bytes, exact totals, filters."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from apiclient.protocols.websocket import WsFrame, WsStatus
from apiclient.protocols.websocket_export import write_session
from apiclient.ui import spool_holder
from apiclient.ui.tabs import websocket_log
from apiclient.ui.tabs.websocket_log import LogEntry, LogFilter, MessageLogModel
from apiclient.ui.tabs.websocket_log_view import MessageLogView, detail_text


def _text(n: int, direction: str = "in") -> WsFrame:
    body = json.dumps({"seq": n})
    return WsFrame(direction, "text", time.time(), body, len(body))


def _shown(model: MessageLogModel) -> list[str]:
    return [model.data(model.index(row, 5)) for row in range(model.rowCount())]


def _fill(model: MessageLogModel, count: int, batch: int = 40) -> None:
    for first in range(0, count, batch):
        for n in range(first, min(first + batch, count)):
            model.append(_text(n, "out" if n % 3 == 0 else "in"))
        model.flush()


def _read_row(qtbot, model: MessageLogModel, row: int) -> LogEntry:
    """The entry at ``row``, waiting for its page to come back from the spool."""
    model.entry_at(row)
    qtbot.waitUntil(lambda: model.entry_at(row) is not None, timeout=5_000)
    entry = model.entry_at(row)
    assert entry is not None
    return entry


def _spool_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("ws-*.sqlite3")) if folder.exists() else []


def test_appends_are_batched_until_flush(tmp_path: Path) -> None:
    model = MessageLogModel(folder=tmp_path)
    for n in range(5):
        model.append(_text(n))
    assert model.rowCount() == 0 and model.total == 5
    model.flush()
    assert model.rowCount() == 5
    assert [model.number_at(row) for row in range(5)] == [1, 2, 3, 4, 5]
    model.close()


def test_memory_keeps_the_newest_but_scrolling_up_reads_the_oldest_from_disk(
    qtbot, tmp_path: Path
) -> None:
    model = MessageLogModel(capacity=100, folder=tmp_path)
    _fill(model, 1_000)
    assert model.total == model.kept == model.rowCount() == 1_000  # counters exact
    assert model.in_memory == 100 and model.dropped == 0
    assert model.entry_at(999).data == '{"seq": 999}'  # the newest: from memory
    with qtbot.waitSignal(model.page_loaded, timeout=5_000):
        assert model.entry_at(0) is None  # on disk only: its page is read
    assert model.entry_at(0).data == '{"seq": 0}'
    assert model.data(model.index(0, 5)) == '{"seq": 0}'
    assert _read_row(qtbot, model, 450).data == '{"seq": 450}'
    model.close()


def test_a_row_not_read_yet_shows_a_placeholder(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(capacity=10, folder=tmp_path)
    _fill(model, 500)
    assert model.data(model.index(3, 0)) == 4  # the number is known at once
    assert model.data(model.index(3, 5)) == "…"
    qtbot.waitUntil(lambda: model.data(model.index(3, 5)) == '{"seq": 3}', timeout=5_000)
    model.close()


def test_a_filter_searches_the_whole_spool_with_an_exact_count(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(capacity=50, folder=tmp_path)
    model.append(WsStatus("open", time.time(), "ws://x"))
    _fill(model, 3_000)
    with qtbot.waitSignal(model.filtered, timeout=10_000):
        model.set_filter(LogFilter(direction="out", control=True))
    assert model.rowCount() == 1 + 1_000  # the connection change and every third message
    assert isinstance(_read_row(qtbot, model, 0), WsStatus)
    assert _read_row(qtbot, model, 1).data == '{"seq": 0}'
    with qtbot.waitSignal(model.filtered, timeout=10_000):
        model.set_filter(LogFilter(text='"SEQ": 12', control=True))
    assert model.rowCount() == 1 + 10 + 100  # 12, 120-129, 1200-1299
    assert _read_row(qtbot, model, 0).data == '{"seq": 12}'
    _fill(model, 130)  # new entries are matched as they come
    assert model.rowCount() == 1 + 10 + 100 + 1 + 10
    model.close()


def test_filters_by_direction_text_and_control_frames(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(folder=tmp_path)
    model.append(WsStatus("open", time.time(), "ws://x"))
    model.append(_text(1, "out"))
    model.append(_text(2, "in"))
    model.append(WsFrame("in", "ping", time.time(), b"ping-1", 6))
    model.append(WsFrame("in", "binary", time.time(), b"\xde\xad", 2))

    def shown(log_filter: LogFilter) -> list[str]:
        with qtbot.waitSignal(model.filtered, timeout=5_000):
            model.set_filter(log_filter)
        return _shown(model)

    assert len(shown(LogFilter(control=False))) == 4  # the ping is hidden, the status shows
    assert shown(LogFilter(direction="out", control=False))[1:] == ['{"seq": 1}']
    assert shown(LogFilter(text='"SEQ": 2', control=True)) == ['{"seq": 2}']
    assert shown(LogFilter(text="de ad", control=True)) == ["de ad"]  # binary as hex
    assert len(shown(LogFilter(control=True))) == 5
    model.close()


def test_clear_starts_over_and_removes_the_spool_file(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(folder=tmp_path)
    _fill(model, 10)
    qtbot.waitUntil(lambda: len(_spool_files(tmp_path)) == 1, timeout=5_000)
    model.clear()
    assert model.rowCount() == 0 and model.total == 0 and model.dropped == 0
    qtbot.waitUntil(lambda: not _spool_files(tmp_path), timeout=5_000)
    model.append(_text(2))
    model.flush()
    assert model.number_at(0) == 1
    qtbot.waitUntil(lambda: len(_spool_files(tmp_path)) == 1, timeout=5_000)
    model.close()
    qtbot.waitUntil(lambda: not _spool_files(tmp_path), timeout=5_000)


def test_export_covers_the_whole_session_from_the_spool(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(capacity=20, folder=tmp_path / "spool")
    _fill(model, 500)
    target = tmp_path / "session.json"
    future = model.export(lambda entries: write_session(target, entries, {"url": "ws://x"}))
    qtbot.waitUntil(future.done, timeout=10_000)
    assert future.result() == 500
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert [entry["n"] for entry in saved["entries"]] == list(range(1, 501))
    assert json.loads(saved["entries"][0]["text"]) == {"seq": 0}
    model.close()


def test_stale_spool_files_of_ended_processes_are_swept(qtbot, tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    stale = tmp_path / "ws-999999999-dead.sqlite3"
    stale.write_bytes(b"")
    spool_holder._swept.discard(tmp_path)
    model = MessageLogModel(folder=tmp_path)
    _fill(model, 3)
    qtbot.waitUntil(lambda: not stale.exists(), timeout=5_000)
    qtbot.waitUntil(lambda: len(_spool_files(tmp_path)) == 1, timeout=5_000)  # its own
    model.close()


def test_an_unwritable_spool_goes_on_in_memory_and_says_so(qtbot, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the spool folder should be")
    model = MessageLogModel(capacity=100, folder=blocker / "spool")
    with qtbot.waitSignal(model.spool_failed, timeout=5_000) as failed:
        _fill(model, 1_000)
    assert "Cannot keep the session's log on disk" in failed.args[0]
    assert "in memory" in failed.args[0]
    _fill(model, 40)
    assert model.total == 1_040  # counted exactly all the same
    assert model.kept == model.rowCount() == 100 and model.dropped == 940
    assert model.entry_at(0).data == '{"seq": 940}'
    model.set_filter(LogFilter(direction="out", control=True))  # in memory: at once
    assert model.rowCount() == 34
    model.close()


def test_memory_also_has_a_byte_cap_but_keeps_the_newest(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket_log, "MAX_KEPT_BYTES", 1000)
    model = MessageLogModel(capacity=1000, folder=tmp_path)
    for _ in range(3):
        model.append(WsFrame("in", "binary", time.time(), bytes(400), 400))
        model.flush()
    assert model.in_memory == 2 and model.rowCount() == 3
    model.append(WsFrame("in", "binary", time.time(), bytes(5000), 5000))
    model.flush()
    assert model.in_memory == 1  # over the cap alone, but the newest always stays
    assert model.entry_at(3).size == 5000
    assert _read_row(qtbot, model, 0).size == 400
    model.close()


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
    view.control.setChecked(True)  # all in memory: filtered at once
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


def test_a_full_disk_mid_session_keeps_what_was_written_and_goes_on_in_memory(
    qtbot, tmp_path: Path
) -> None:
    model = MessageLogModel(capacity=50, folder=tmp_path)
    _fill(model, 100)
    # SQLite's own "disk is full" (SQLITE_FULL): the file may grow no further.
    full = model._worker.submit(
        lambda: model._holder.spool._conn.execute("PRAGMA max_page_count = 1")
    )
    qtbot.waitUntil(full.done, timeout=5_000)
    with qtbot.waitSignal(model.spool_failed, timeout=5_000) as failed:
        _fill(model, 2_000)
    assert "the disk is full" in failed.args[0] and "stay on disk" in failed.args[0]
    assert model.total == 2_100  # still counted exactly
    written = model.total - model.dropped - 50  # on disk: every entry before the failure
    assert written >= 100 and f"The {written:,} entries before it" in failed.args[0]
    assert model.kept == model.rowCount() == written + 50
    assert model.entry_at(written).data == '{"seq": 1950}'  # the newest 50, in memory
    assert _read_row(qtbot, model, 0).data == '{"seq": 0}'  # the oldest, read from disk
    assert _read_row(qtbot, model, written - 1).data == json.dumps({"seq": written - 101})
    assert len(_spool_files(tmp_path)) == 1  # the file stays, for reading

    model.set_filter(LogFilter(direction="out", control=True))  # disk and memory
    qtbot.waitUntil(lambda: not model.searching, timeout=5_000)
    seqs = [*range(100), *range(written - 100), *range(1_950, 2_000)]
    numbers = [*range(1, written + 1), *range(2_051, 2_101)]
    outs = [number for number, seq in zip(numbers, seqs, strict=True) if seq % 3 == 0]
    assert [model.number_at(row) for row in range(model.rowCount())] == outs
    target = tmp_path / "session.json"
    future = model.export(lambda entries: write_session(target, entries, {}))
    qtbot.waitUntil(future.done, timeout=10_000)
    assert future.result() == written + 50
    model.close()


def test_entries_arriving_during_a_search_are_counted_exactly(qtbot, tmp_path: Path) -> None:
    model = MessageLogModel(capacity=50, folder=tmp_path)
    model.append(WsStatus("open", time.time(), "ws://x"))
    _fill(model, 3_000)
    with qtbot.waitSignal(model.filtered, timeout=10_000):
        model.set_filter(LogFilter(direction="out", control=True))
        assert model.searching
        _fill(model, 300)  # while the spool is searched
    assert model.rowCount() == 1 + 1_000 + 100
    assert [model.number_at(row) for row in (0, 1, 1_000, 1_001)] == [1, 2, 2_999, 3_002]
    model.close()


def _on_spool_thread(qtbot, model: MessageLogModel, sql: str) -> None:
    done = model._worker.submit(lambda: model._holder.spool._conn.execute(sql))
    qtbot.waitUntil(done.done, timeout=5_000)


def _view(qtbot, count: int) -> MessageLogView:
    view = MessageLogView()
    qtbot.addWidget(view)
    view.control.setChecked(True)  # every entry shows
    view.model.set_capacity(10)
    _fill(view.model, count)
    return view


def test_an_entry_no_longer_on_disk_shows_as_such_and_is_not_read_again(qtbot) -> None:
    view = _view(qtbot, 300)
    model = view.model
    _on_spool_thread(qtbot, model, "DELETE FROM entries WHERE n = 3")
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))

    assert model.index(2, 5).data() == "…"
    qtbot.waitUntil(lambda: model.index(2, 5).data() == "(not on disk)", timeout=5_000)

    assert model.index(3, 5).data() == '{"seq": 3}' and changed == [(0, 199)]
    qtbot.wait(30)
    assert not model._asked and changed == [(0, 199)]  # not asked again
    view.table.setCurrentIndex(model.index(2, 0))
    qtbot.waitUntil(lambda: "not on disk" in view.detail_info.text(), timeout=5_000)
    assert view.detail_info.text() == "#3 · not on disk (the log was cleared)."
    model.close()


def test_read_failures_are_told_and_the_rows_stay(qtbot) -> None:
    view = _view(qtbot, 300)
    model = view.model
    _on_spool_thread(qtbot, model, "DROP TABLE entries")

    with qtbot.waitSignal(model.read_failed, timeout=5_000):
        model.index(0, 5).data()
    assert "Cannot read older entries" in view.summary.text()
    assert "no such table" in view.summary.text()
    assert model.rowCount() == model.kept == 300 and model.index(0, 5).data() == "…"
    view.table.setCurrentIndex(model.index(5, 0))
    qtbot.waitUntil(lambda: "cannot be read" in view.detail_info.text(), timeout=5_000)
    assert view.detail_info.text().startswith("#6 · cannot be read from disk:")

    with qtbot.waitSignal(model.filtered, timeout=5_000):
        view.search.setText("seq")
        view._apply_filter()
    assert "Cannot read the search" in view.summary.text()
    assert model.rowCount() == 10 and model.total == 300  # what memory holds; none lost
    view.search.setText("")
    view._apply_filter()
    assert model.rowCount() == 300
    model.close()
