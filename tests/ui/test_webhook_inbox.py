"""The webhook inbox model: a virtual list over the store (every id, a cache of rows read
a page at a time as seen), bursts going in newest first as one insertion per batch."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_store import WebhookStore
from apiclient.ui.tabs.webhook_inbox import CACHE_ROWS, InboxSnapshot, WebhookInboxModel
from apiclient.ui.tabs.webhook_inbox_view import WebhookInboxView


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
