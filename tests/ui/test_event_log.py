"""The event log keeps up with fast, long streams: batched inserts, the newest events in
memory, every event on disk and read back as scrolled, an in-memory fallback."""

from __future__ import annotations

from pathlib import Path

from apiclient.ui.widgets.event_log import EventLogModel, EventLogView, LoggedEvent


def _event(n: int) -> LoggedEvent:
    return LoggedEvent(1_700_000_000.0 + n, "event", f'{{"n": {n}}}', f'{{"n": {n}}}')


def _spool_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("events-*.sqlite3")) if folder.exists() else []


def test_appends_are_batched_and_older_events_come_back_from_disk(qtbot, tmp_path: Path):
    model = EventLogModel(capacity=100, folder=tmp_path)
    inserts: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
    for n in range(250):
        model.append(_event(n))
    assert model.rowCount() == 0  # nothing shown before the next flush
    qtbot.waitUntil(lambda: model.rowCount() == 250)
    assert inserts == [250]  # one insert for the whole burst
    assert model.dropped == 0 and model.total() == 250
    assert model.event_at(249).summary == '{"n": 249}'  # the newest: in memory
    assert model.index(0, 0).data() == 1  # numbering counts every event received
    assert model.index(0, 3).data() == "…"  # the oldest: on disk, its page asked for
    qtbot.waitUntil(lambda: model.index(0, 3).data() == '{"n": 0}', timeout=5_000)
    assert len(_spool_files(tmp_path)) == 1
    model.clear()
    assert model.rowCount() == 0 and model.total() == 0
    qtbot.waitUntil(lambda: not _spool_files(tmp_path), timeout=5_000)
    model.close()


def test_the_view_shows_an_event_read_from_disk_in_full(qtbot, tmp_path: Path):
    view = EventLogView("log", folder=tmp_path)
    qtbot.addWidget(view)
    model = view.model
    model.capacity = 10
    for n in range(50):
        model.append(_event(n))
    model.flush()
    qtbot.waitUntil(lambda: model.index(2, 3).data() == '{"n": 2}', timeout=5_000)
    view.table.selectRow(2)
    qtbot.waitUntil(lambda: view.detail.toPlainText() == '{\n  "n": 2\n}', timeout=5_000)
    model.close()


def test_an_unwritable_spool_goes_on_in_memory_and_says_so(qtbot, tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the spool folder should be")
    view = EventLogView("log", folder=blocker / "spool")
    qtbot.addWidget(view)
    model = view.model
    model.capacity = 10
    with qtbot.waitSignal(model.spool_failed, timeout=5_000):
        for n in range(15):
            model.append(_event(n))
        model.flush()
    assert model.rowCount() == 10 and model.dropped == 5 and model.total() == 15
    assert not view.status.isHidden()
    assert "Cannot keep the events on disk" in view.status.text()
    assert "5 older" in view.status.text()
    view.table.selectRow(2)
    assert view.detail.toPlainText() == '{\n  "n": 7\n}'
    model.clear()
    assert model.spool_problem == "" and model.rowCount() == 0
    model.close()


def _on_spool_thread(qtbot, model: EventLogModel, sql: str) -> None:
    done = model._worker.submit(lambda: model._holder.spool._conn.execute(sql))
    qtbot.waitUntil(done.done, timeout=5_000)


def _view_with_events(qtbot, tmp_path: Path, count: int, capacity: int) -> EventLogView:
    view = EventLogView("log", folder=tmp_path)
    qtbot.addWidget(view)
    view.model.capacity = capacity
    for n in range(count):
        view.model.append(_event(n))
    view.model.flush()
    return view


def test_an_event_no_longer_on_disk_shows_as_such_and_is_not_read_again(qtbot, tmp_path):
    view = _view_with_events(qtbot, tmp_path, 300, capacity=10)
    model = view.model
    _on_spool_thread(qtbot, model, "DELETE FROM events WHERE n = 3")
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))

    assert model.index(2, 3).data() == "…"
    qtbot.waitUntil(lambda: model.index(2, 3).data() == "(not on disk)", timeout=5_000)

    assert model.index(3, 3).data() == '{"n": 3}' and changed == [(0, 199)]
    qtbot.wait(30)
    assert not model._asked and changed == [(0, 199)]  # not asked again
    view.table.selectRow(2)
    qtbot.waitUntil(lambda: "not on disk" in view.detail.toPlainText(), timeout=5_000)
    assert "Event #3 is not on disk (the log was cleared)" in view.detail.toPlainText()
    model.close()


def test_read_failures_are_told_and_the_rows_stay(qtbot, tmp_path: Path):
    view = _view_with_events(qtbot, tmp_path, 300, capacity=10)
    model = view.model
    _on_spool_thread(qtbot, model, "DROP TABLE events")

    with qtbot.waitSignal(model.read_failed, timeout=5_000):
        model.index(0, 3).data()
    assert "Cannot read older events" in view.status.text() and not view.status.isHidden()
    assert "no such table" in view.status.text()
    assert model.rowCount() == 300 and model.index(0, 3).data() == "…"  # asked again
    view.table.selectRow(5)
    qtbot.waitUntil(lambda: "cannot be read" in view.detail.toPlainText(), timeout=5_000)
    assert view.detail.toPlainText().startswith("Event #6 cannot be read from disk:")
    model.close()


def test_a_full_disk_keeps_the_events_written_and_later_ones_in_memory(qtbot, tmp_path):
    view = _view_with_events(qtbot, tmp_path, 100, capacity=20)
    model = view.model
    _on_spool_thread(qtbot, model, "PRAGMA max_page_count = 1")
    with qtbot.waitSignal(model.spool_failed, timeout=5_000) as failed:
        for n in range(100, 3_000):
            model.append(_event(n))
            if n % 50 == 0:
                model.flush()
        model.flush()
    written = model.total() - model.dropped - 20
    assert written >= 100 and f"The {written:,} events before it stay on disk" in failed.args[0]
    assert "the disk is full" in failed.args[0]
    assert model.rowCount() == written + 20 and model.total() == 3_000
    assert model.event_at(written).summary == '{"n": 2980}'  # memory: the newest 20
    qtbot.waitUntil(lambda: model.index(0, 3).data() == '{"n": 0}', timeout=5_000)
    assert "stay on disk" in view.status.text() and len(_spool_files(tmp_path)) == 1
    model.close()


def test_a_log_never_written_starts_no_thread(qtbot, tmp_path: Path):
    model = EventLogModel(folder=tmp_path)
    model.clear()  # what an idle tab does when it is shown
    assert model._worker._executor is None
    model.close()
