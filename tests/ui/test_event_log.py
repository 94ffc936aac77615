"""The event log keeps up with fast streams: batched inserts and a memory cap."""

from __future__ import annotations

from apiclient.ui.widgets.event_log import EventLogModel, EventLogView, LoggedEvent


def _event(n: int) -> LoggedEvent:
    return LoggedEvent(1_700_000_000.0 + n, "event", f'{{"n": {n}}}', f'{{"n": {n}}}')


def test_appends_are_batched_and_capped(qtbot):
    model = EventLogModel(capacity=100)
    inserts: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
    for n in range(250):
        model.append(_event(n))
    assert model.rowCount() == 0  # nothing shown before the next flush
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    assert inserts == [250]  # one insert for the whole burst
    assert model.dropped == 150 and model.total() == 250
    assert model.event_at(0).summary == '{"n": 150}'  # the newest are kept
    assert model.index(0, 0).data() == 151  # numbering counts every event received


def test_the_view_tells_when_events_were_let_go_and_shows_the_selected_one(qtbot):
    view = EventLogView("log")
    qtbot.addWidget(view)
    view.model.capacity = 10
    for n in range(15):
        view.model.append(_event(n))
    view.model.flush()
    assert not view.status.isHidden() and "5 older" in view.status.text()
    view.table.selectRow(2)
    assert view.detail.toPlainText() == '{\n  "n": 7\n}'
    view.model.clear()
    assert view.status.isHidden()
