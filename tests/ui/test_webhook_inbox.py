"""The webhook inbox model: bursts go in newest first as one insertion per batch, with
every cell filled, and the newest ``capacity`` events are kept; many rows at once (the
stored inbox listed in a new window, a large backlog) go in a slice per event-loop turn."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from apiclient.protocols.webhook_events import EventSummary
from apiclient.ui.tabs.webhook_inbox import SLICE_ROWS, InboxSnapshot, WebhookInboxModel
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
    return [model.item(row, column).text() for row in range(model.rowCount())]


def test_a_burst_goes_in_newest_first_as_one_insertion() -> None:
    model = WebhookInboxModel()
    insertions: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: insertions.append((first, last)))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))
    for event_id in range(1, 31):
        model.add(_summary(event_id, status=500 if event_id == 7 else 200))

    model.flush()

    assert insertions == [(0, 29)]
    assert changed == [(0, 29)]
    assert _column(model, 0) == [str(n) for n in range(30, 0, -1)]
    assert _column(model, 3)[0] == "/hooks/30"
    assert [model.summary(row).id for row in (0, 29)] == [30, 1]  # type: ignore[union-attr]
    assert model.item(23, 7).foreground().color().name() == "#c62828"  # event 7 answered 500
    assert model.item(0, 6).toolTip() == "GitHub signature matches."


def test_later_batches_go_on_top_and_the_oldest_are_let_go() -> None:
    model = WebhookInboxModel(capacity=25)
    for batch in range(3):
        for n in range(1, 11):
            model.add(_summary(batch * 10 + n))
        model.flush()

    assert model.rowCount() == 25
    assert _column(model, 0) == [str(n) for n in range(30, 5, -1)]
    assert model.newest_id() == 30
    assert model.row_of(6) == 24 and model.row_of(5) == -1
    assert not model.hasChildren(model.index(0, 0, QModelIndex()))


def _snapshot(newest: int) -> InboxSnapshot:
    """The store holding events 1..``newest``, read newest first."""
    rows = [_summary(n) for n in range(newest, 0, -1)]
    return InboxSnapshot(rows, total=newest, upto=newest, searching=False)


def _insertions(model: WebhookInboxModel) -> list[tuple[int, int]]:
    insertions: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: insertions.append((first, last)))
    return insertions


def test_a_large_load_goes_in_a_slice_per_turn_complete_and_in_order(qtbot) -> None:
    model = WebhookInboxModel()
    insertions = _insertions(model)
    count = 4 * SLICE_ROWS + 17

    model.set_rows(_snapshot(count))

    assert model.rowCount() == SLICE_ROWS and model.filling()  # the rest on later turns
    with qtbot.waitSignal(model.filled, timeout=10_000):
        pass
    assert not model.filling()
    assert len(insertions) == 4
    assert all(last - first < SLICE_ROWS for first, last in insertions)
    assert [first for first, _last in insertions] == [SLICE_ROWS * n for n in range(1, 5)]
    assert _column(model, 0) == [str(n) for n in range(count, 0, -1)]
    assert _column(model, 3)[-1] == "/hooks/1"
    assert [model.summary(row).id for row in (0, count - 1)] == [count, 1]  # type: ignore[union-attr]


def test_new_events_during_a_load_go_on_top_and_the_oldest_still_coming_are_let_go(
    qtbot,
) -> None:
    model = WebhookInboxModel(capacity=3 * SLICE_ROWS)
    model.set_rows(_snapshot(3 * SLICE_ROWS))
    for event_id in range(3 * SLICE_ROWS + 1, 3 * SLICE_ROWS + 6):
        model.add(_summary(event_id))
    model.flush()
    model.remove_ids({3 * SLICE_ROWS - 1, 10})  # one listed, one still to come

    with qtbot.waitSignal(model.filled, timeout=10_000):
        pass
    kept = range(3 * SLICE_ROWS + 5, 5, -1)  # the 5 oldest made room for the new ones
    expected = [str(n) for n in kept if n not in (3 * SLICE_ROWS - 1, 10)]
    assert _column(model, 0) == expected
    assert model.newest_id() == 3 * SLICE_ROWS + 5


def test_a_large_backlog_of_new_events_goes_in_a_slice_at_a_time(qtbot) -> None:
    model = WebhookInboxModel()
    insertions = _insertions(model)
    for event_id in range(1, 2 * SLICE_ROWS + 11):
        model.add(_summary(event_id))

    model.flush()

    assert insertions == [(0, SLICE_ROWS - 1)]  # the oldest first: the newer go on top
    qtbot.waitUntil(lambda: model.rowCount() == 2 * SLICE_ROWS + 10, timeout=10_000)
    assert insertions == [(0, SLICE_ROWS - 1), (0, SLICE_ROWS - 1), (0, 9)]
    assert _column(model, 0) == [str(n) for n in range(2 * SLICE_ROWS + 10, 0, -1)]


def test_a_large_reload_keeps_the_selection_and_says_when_it_is_listed(qtbot) -> None:
    view = WebhookInboxView()
    qtbot.addWidget(view)
    count = 3 * SLICE_ROWS
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load(_snapshot(count))
    view.select_id(5)  # near the bottom: listed again only on a later turn
    assert view.current_id() == 5
    shown: list[int] = []
    view.current_changed.connect(shown.append)

    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load(_snapshot(count))
        assert view.model.filling()

    assert view.current_id() == 5 and view.selected_ids() == [5]
    assert shown == []  # the same event stays shown, never cleared meanwhile
    assert view.count.text() == f"{count} events"
