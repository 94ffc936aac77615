"""Group commit of webhook events: what arrives together is written in one transaction,
every event gets its own id in order, and an event that cannot be stored fails alone."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apiclient.protocols.webhook_batch import BatchedStore
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_store import WebhookStore


class _CountingPool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that counts the jobs it is given (one per batch written)."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.jobs = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.jobs += 1
        return super().submit(fn, *args, **kwargs)


def _event(path: str) -> WebhookEvent:
    summary = EventSummary(
        id=0,
        received_at=1_700_000_000.0,
        method="POST",
        path=path,
        query="",
        source="127.0.0.1:50000",
        content_type="application/json",
        size=2,
        verdict="none",
        verdict_reason="",
        response_status=200,
        note="",
    )
    return WebhookEvent(
        summary=summary, headers=(("content-type", "application/json"),), body=b"{}"
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[WebhookStore]:
    opened = WebhookStore(tmp_path / "inbox.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def pool() -> Iterator[_CountingPool]:
    with _CountingPool() as counting:
        yield counting


async def test_events_arriving_together_are_written_in_one_batch(
    store: WebhookStore, pool: _CountingPool
) -> None:
    batched = BatchedStore(store, pool)

    stored = await asyncio.gather(*(batched.add(_event(f"/hooks/{n}")) for n in range(50)))

    assert [event.summary.path for event in stored] == [f"/hooks/{n}" for n in range(50)]
    ids = [event.summary.id for event in stored]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert pool.jobs < 5  # not one transaction per event
    assert store.count() == 50
    assert store.get(ids[7]) == stored[7]


async def test_an_event_alone_is_written_at_once(store: WebhookStore, pool: _CountingPool) -> None:
    batched = BatchedStore(store, pool)

    first = await batched.add(_event("/one"))
    second = await batched.add(_event("/two"))

    assert (pool.jobs, store.count()) == (2, 2)
    assert second.summary.id > first.summary.id


async def test_an_event_that_cannot_be_stored_fails_alone(
    store: WebhookStore, pool: _CountingPool
) -> None:
    """A lone surrogate cannot be written as UTF-8: its batch is rolled back and written
    again event by event, so the others are kept."""
    batched = BatchedStore(store, pool)
    paths = ["/a", "/bad\udcff", "/c"]

    outcomes = await asyncio.gather(
        *(batched.add(_event(path)) for path in paths), return_exceptions=True
    )

    assert isinstance(outcomes[1], UnicodeEncodeError)
    kept = [outcome for outcome in outcomes if isinstance(outcome, WebhookEvent)]
    assert [event.summary.path for event in kept] == ["/a", "/c"]
    assert sorted(s.path for s in store.summaries()) == ["/a", "/c"]


async def test_a_closed_store_fails_every_event_with_its_error(
    store: WebhookStore, pool: _CountingPool
) -> None:
    batched = BatchedStore(store, pool)
    store.close()

    outcomes = await asyncio.gather(
        *(batched.add(_event(f"/{n}")) for n in range(3)), return_exceptions=True
    )

    assert all("is closed" in str(outcome) for outcome in outcomes)
