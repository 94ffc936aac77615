"""The webhook inbox model: a virtual list over the store (every id, a cache of rows read
a page at a time as seen), bursts going in newest first as one insertion per batch."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_store import WebhookStore
from apiclient.ui.tabs.webhook_inbox import CACHE_ROWS, InboxSnapshot, WebhookInboxModel
from apiclient.ui.tabs.webhook_inbox_view import WebhookInboxView

_SELECT = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


def _summary(event_id: int, *, status: int = 200) -> EventSummary:
    return EventSummary(
        id=event_id,
        received_at=1_700_000_000.0 + event_id,
        method="POST",
        path=f"/hooks/{event_id}",
        query="",
        source="127.0.0.1:50000",
        content_type="application/json",
        size=2,
        verdict="valid",
        verdict_reason="GitHub signature matches.",
        response_status=status,
        note="",
    )


def _column(model: WebhookInboxModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _snapshot(newest: int, listed: int = 500) -> InboxSnapshot:
    """The store holding events 1..``newest``, the newest ``listed`` read in full."""
    rows = [_summary(n) for n in range(newest, max(0, newest - listed), -1)]
    return InboxSnapshot(array("q", range(1, newest + 1)), rows, upto=newest)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[WebhookStore]:
    with WebhookStore(tmp_path / "inbox.sqlite3") as opened:
        yield opened


def _fill(store: WebhookStore, count: int) -> None:
    events = [WebhookEvent(_summary(0), (("x-n", str(n)),), b"{}") for n in range(count)]
    store.add_many(events)


def test_a_burst_goes_in_newest_first_as_one_insertion() -> None:
    model = WebhookInboxModel()
    insertions: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: insertions.append((first, last)))
    for event_id in range(1, 31):
        model.add(_summary(event_id, status=500 if event_id == 7 else 200))

    model.flush()

    assert insertions == [(0, 29)]
    assert _column(model, 0) == [str(n) for n in range(30, 0, -1)]
    assert _column(model, 3)[0] == "/hooks/30"
    assert [model.summary(row).id for row in (0, 29)] == [30, 1]  # type: ignore[union-attr]
    answered = model.index(23, 7).data(Qt.ItemDataRole.ForegroundRole)
    assert answered.color().name() == "#c62828"  # event 7 answered 500
    assert model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole) == "GitHub signature matches."
    assert model.newest_id() == 30 and model.row_of(6) == 24 and model.row_of(99) == -1
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table


def test_a_reload_lists_every_id_and_keeps_the_events_that_came_after_it() -> None:
    model = WebhookInboxModel()
    for event_id in range(1, 6):
        model.add(_summary(event_id))
    model.flush()
    model.add(_summary(1_006))  # arrived after the snapshot below was read

    arrived = model.set_rows(_snapshot(1_000, listed=100))

    assert arrived == 1 and model.rowCount() == 1_001
    assert [model.id_at(row) for row in (0, 1, 1_000)] == [1_006, 1_000, 1]
    assert model.index(1, 3).data() == "/hooks/1000"
    model.remove_ids({1_000, 3})
    assert model.rowCount() == 999 and model.id_at(1) == 999 and model.row_of(3) == -1


def test_rows_outside_the_cache_are_read_a_page_at_a_time(qtbot, store) -> None:
    count = CACHE_ROWS + 1_000
    _fill(store, count)
    model = WebhookInboxModel()
    model.set_source(store.summaries_by_ids)
    ids = store.ids()
    model.set_rows(InboxSnapshot(ids, store.summaries(limit=50), upto=ids[-1]))
    assert model.rowCount() == count

    assert model.index(count - 1, 3).data() == "…"  # the oldest: not read yet
    qtbot.waitUntil(lambda: model.summary(count - 1) is not None, timeout=5_000)
    assert model.summary(count - 1).id == ids[0]  # type: ignore[union-attr]
    assert model.index(count - 1, 0).data() == str(ids[0])
    for row in range(0, count, 200):  # a scroll through all: the cache stays capped
        model.summary(row)
    qtbot.waitUntil(lambda: model.summary(count // 2) is not None, timeout=10_000)
    assert len(model._cache) <= CACHE_ROWS
    model.set_source(None)


def test_a_filter_lists_the_matching_ids_from_sql(store) -> None:
    _fill(store, 300)
    assert len(store.ids("x-n: 1")) == 111  # 1, 10-19, 100-199
    assert list(store.ids(upto=5)) == [1, 2, 3, 4, 5]
    assert [s.id for s in store.summaries_by_ids([7, 3, 999])] == [3, 7]


def test_a_reload_keeps_the_selection_and_the_exact_count(qtbot) -> None:
    view = WebhookInboxView()
    qtbot.addWidget(view)
    count = 3_000
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load(_snapshot(count))
    view.select_id(5)  # near the bottom, not in the snapshot's rows
    assert view.current_id() == 5
    shown: list[int] = []
    view.current_changed.connect(shown.append)

    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load(_snapshot(count))

    assert view.current_id() == 5 and view.selected_ids() == [5]
    assert shown == []  # the same event stays shown, never cleared meanwhile
    assert view.count.text() == "3,000 events"


def _ranges(view: WebhookInboxView) -> int:
    return len(view.table.selectionModel().selection())


def test_a_select_all_is_read_and_kept_across_a_reload_as_one_range(qtbot) -> None:
    view = WebhookInboxView()
    qtbot.addWidget(view)
    count = 20_000
    view.load(_snapshot(count, listed=50))
    view.table.selectAll()
    assert view.delete.isEnabled() and not view.replay.isEnabled() and view.current_id() == 0
    view.add(_summary(count + 1))  # on top, not selected
    view.model.flush()

    view.load(_snapshot(count, listed=50))

    assert _ranges(view) == 1  # one range for 20,000 rows, not one per row
    # The header never asks, row by row, whether a whole column is selected.
    assert not view.table.horizontalHeader().selectionModel().hasSelection()
    ids = view.selected_ids()
    assert len(ids) == count and ids[0] == count and ids[-1] == 1
    assert view.model.id_at(0) == count + 1 and view.count.text() == "20,001 events"


def test_scattered_selections_are_kept_by_id_when_the_list_changes(qtbot) -> None:
    view = WebhookInboxView()
    qtbot.addWidget(view)
    view.load(_snapshot(100))
    select = view.table.selectionModel().select
    for row in (0, 2, 3, 50):
        select(view.model.index(row, 0), _SELECT)
    assert view.selected_ids() == [100, 98, 97, 50] and view.current_id() == 0

    without_98 = array("q", (n for n in range(1, 101) if n != 98))
    view.load(InboxSnapshot(without_98, [], upto=100))

    assert view.selected_ids() == [100, 97, 50] and _ranges(view) == 3
    view.table.selectRow(7)
    assert view.current_id() == view.model.id_at(7) and view.replay.isEnabled()


def test_an_event_delivered_after_the_reload_that_read_it_is_counted_once(qtbot) -> None:
    view = WebhookInboxView()
    qtbot.addWidget(view)
    view.load(_snapshot(10))
    view.add(_summary(10))  # stored before the reload read the store, delivered after
    view.add(_summary(11))
    view.model.flush()

    assert view.model.rowCount() == 11 and view.count.text() == "11 events"


def test_an_id_no_longer_stored_shows_deleted_and_is_not_read_again(qtbot, store) -> None:
    _fill(store, 300)
    reads: list[int] = []

    def fetch(ids):
        reads.append(len(ids))
        return store.summaries_by_ids(ids)

    model = WebhookInboxModel()
    model.set_source(fetch)
    model.set_rows(InboxSnapshot(array("q", range(1, 302)), [], upto=301))  # 301: gone
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))

    assert model.index(0, 3).data() == "…"
    qtbot.waitUntil(lambda: model.index(0, 3).data() != "…", timeout=5_000)

    assert model.index(0, 3).data() == "(deleted)" and model.index(1, 3).data() == "/hooks/0"
    assert changed == [(0, 199)]  # that page's rows only
    qtbot.wait(50)
    assert reads == [200] and not model._asked  # asked once, never again
    model.set_source(None)


def test_a_page_that_cannot_be_read_is_told_in_the_status_line(qtbot, tmp_path: Path) -> None:
    store = WebhookStore(tmp_path / "inbox.sqlite3")
    _fill(store, 10)
    view = WebhookInboxView()
    qtbot.addWidget(view)
    view.model.set_source(store.summaries_by_ids)
    view.load(InboxSnapshot(store.ids(), [], upto=10))
    store.close()

    with qtbot.waitSignal(view.model.read_failed, timeout=5_000):
        view.model.index(0, 3).data()

    assert "cannot be read" in view.status.text() and "closed" in view.status.text()
    assert view.model.index(0, 3).data() == "…"  # asked again when seen
    view.model.set_source(None)


def test_a_model_dropped_without_closing_its_source_ends_its_thread(qtbot, store) -> None:
    import gc
    import threading

    def inbox_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("webhook-inbox")]

    before = len(inbox_threads())
    _fill(store, 10)
    model = WebhookInboxModel()
    model.set_source(store.summaries_by_ids)
    model.set_rows(InboxSnapshot(store.ids(), [], upto=10))
    with qtbot.waitSignal(model.page_loaded, timeout=5_000):
        model.summary(0)
    assert len(inbox_threads()) == before + 1

    del model
    gc.collect()

    qtbot.waitUntil(lambda: len(inbox_threads()) == before, timeout=5_000)
