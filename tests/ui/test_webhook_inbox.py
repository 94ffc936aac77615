"""The webhook inbox model: bursts go in newest first as one insertion per batch, with
every cell filled, and the newest ``capacity`` events are kept."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from apiclient.protocols.webhook_events import EventSummary
from apiclient.ui.tabs.webhook_inbox import WebhookInboxModel


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
