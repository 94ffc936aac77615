"""The GraphQL mock's root types (queries, mutations, subscriptions) and its schemas.

`build_schema()` is the open schema; `build_schema(introspection=False)` refuses
introspection queries (`__schema`, `__type`) and is otherwise identical.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from itertools import count as counter
from pathlib import Path
from typing import Annotated, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry import UNSET
from strawberry.extensions import DisableIntrospection
from strawberry.types import ExecutionContext

from mock_servers.graphql_types import (
    Event,
    EventStatus,
    ExpectedError,
    NewSessionInput,
    SearchResult,
    Session,
    Speaker,
    Tick,
    Topic,
    store_of,
)

__all__ = ["SDL_FILE", "build_schema"]

# The committed copy of the SDL; a test keeps it equal to str(build_schema()).
SDL_FILE = Path(__file__).with_name("graphql_schema") / "events.graphql"

MAX_TICK_INTERVAL_MS = 60_000
MAX_DURATION_MINUTES = 480

_arg = strawberry.argument
_T = TypeVar("_T")


def _given(value: _T | None) -> _T | None:
    """An optional argument's value, None when omitted (UNSET keeps `= null` out of the SDL)."""
    return None if value is UNSET else value


@strawberry.type(description="Read events, speakers and sessions.")
class Query:
    @strawberry.field(
        description=(
            "Events in id order. `city` filters (case-insensitive); `after` is the id of the "
            "last event already seen; `first` caps the page (null: no cap, negative: error)."
        )
    )
    def events(
        self,
        info: strawberry.Info,
        city: Annotated[str | None, _arg("Only events in this city.")] = UNSET,
        first: Annotated[int | None, _arg("Page size; null for all.")] = 10,
        after: Annotated[str | None, _arg("Id of the last event of the previous page.")] = UNSET,
    ) -> list[Event]:
        city, after = _given(city), _given(after)
        events = list(store_of(info).events.values())
        if first is not None and first < 0:
            raise ExpectedError(f"first must be 0 or more, got {first}")
        if after is not None:
            ids = [event.id for event in events]
            if after not in ids:
                raise ExpectedError(f"No event with id '{after}' to page after")
            events = events[ids.index(after) + 1 :]
        if city is not None:
            events = [e for e in events if e.location.city.casefold() == city.casefold()]
        return events if first is None else events[:first]

    @strawberry.field(
        description=(
            "One event by id, or null with an error `No event with id '<id>'` when unknown "
            "(try id 404)."
        )
    )
    def event(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, _arg("Event id.")]
    ) -> Event | None:
        found = store_of(info).events.get(id)
        if found is None:
            raise ExpectedError(f"No event with id '{id}'")
        return found

    @strawberry.field(
        description=(
            "Always fails. The field is non-null, so the error nulls the whole `data` "
            "(the response is `data: null` with one error)."
        )
    )
    def failing_event(self) -> Event:
        raise ExpectedError("The failing event always fails (by design of the mock)")

    @strawberry.field(description="Speakers in id order, only those on `topic` if given.")
    def speakers(
        self,
        info: strawberry.Info,
        topic: Annotated[Topic | None, _arg("Only speakers on this topic.")] = UNSET,
    ) -> list[Speaker]:
        topic = _given(topic)
        speakers = store_of(info).speakers.values()
        return [s for s in speakers if topic is None or topic in s.topics]

    @strawberry.field(
        description=(
            "Events whose name or city, and speakers whose name or bio, contain `text` "
            "(case-insensitive); events first. Blank text is an error."
        )
    )
    def search(
        self, info: strawberry.Info, text: Annotated[str, _arg("What to look for.")]
    ) -> list[SearchResult]:
        needle = text.strip().casefold()
        if not needle:
            raise ExpectedError("search text must not be blank")
        store = store_of(info)
        results: list[Event | Speaker] = [
            e
            for e in store.events.values()
            if needle in e.name.casefold() or needle in e.location.city.casefold()
        ]
        results += [
            s
            for s in store.speakers.values()
            if needle in s.name.casefold() or needle in (s.bio or "").casefold()
        ]
        return results


@strawberry.type(description="Change the data; changes last until the mock stops.")
class Mutation:
    @strawberry.mutation(
        description=(
            "Add a session to an event; `sessionAdded` subscribers receive it. Unknown ids, a "
            "blank title, a startsAt that is not ISO 8601 or a duration outside 1..480 are "
            "errors (and `data` is null, the field being non-null)."
        )
    )
    def add_session(
        self, info: strawberry.Info, input: Annotated[NewSessionInput, _arg("The session.")]
    ) -> Session:
        store = store_of(info)
        if input.event_id not in store.events:
            raise ExpectedError(f"No event with id '{input.event_id}'")
        if input.speaker_id not in store.speakers:
            raise ExpectedError(f"No speaker with id '{input.speaker_id}'")
        if not input.title.strip():
            raise ExpectedError("title must not be blank")
        try:
            datetime.fromisoformat(input.starts_at)
        except ValueError:
            raise ExpectedError(
                f"startsAt must be an ISO 8601 datetime, got '{input.starts_at}'"
            ) from None
        minutes = 30 if input.duration_minutes is None else input.duration_minutes
        if not 1 <= minutes <= MAX_DURATION_MINUTES:
            raise ExpectedError(
                f"durationMinutes must be between 1 and {MAX_DURATION_MINUTES}, got {minutes}"
            )
        session = Session(
            id=store.next_session_id(),
            title=input.title.strip(),
            starts_at=input.starts_at,
            duration_minutes=minutes,
            event_id=input.event_id,
            speaker_id=input.speaker_id,
        )
        store.add_session(session)
        return session

    @strawberry.mutation(
        description=(
            "Say `name` comes to the event: attendeeCount goes up by one. Unknown or cancelled "
            "events and a blank name are errors."
        )
    )
    def rsvp(
        self,
        info: strawberry.Info,
        event_id: Annotated[strawberry.ID, _arg("The event.")],
        name: Annotated[str, _arg("Who comes.")],
    ) -> Event:
        event = store_of(info).events.get(event_id)
        if event is None:
            raise ExpectedError(f"No event with id '{event_id}'")
        if not name.strip():
            raise ExpectedError("name must not be blank")
        if event.status is EventStatus.CANCELLED:
            raise ExpectedError(f"Event '{event_id}' is cancelled")
        event.attendee_count += 1
        return event


@strawberry.type(description="Streams over WebSocket (graphql-transport-ws or graphql-ws).")
class Subscription:
    @strawberry.subscription(
        description=(
            "`count` ticks (null: until the client stops), one every `intervalMs` "
            f"milliseconds (1 to {MAX_TICK_INTERVAL_MS}; null: 200), then completes."
        )
    )
    async def ticks(
        self,
        count: Annotated[int | None, _arg("How many ticks; null for no end.")] = 5,
        interval_ms: Annotated[int | None, _arg("Milliseconds between ticks.")] = 200,
    ) -> AsyncGenerator[Tick, None]:
        interval = 200 if interval_ms is None else interval_ms
        if not 1 <= interval <= MAX_TICK_INTERVAL_MS:
            raise ExpectedError(
                f"intervalMs must be between 1 and {MAX_TICK_INTERVAL_MS}, got {interval}"
            )
        if count is not None and count < 0:
            raise ExpectedError(f"count must be 0 or more, got {count}")
        numbers = counter(1) if count is None else range(1, count + 1)
        for n in numbers:
            if n > 1:
                await asyncio.sleep(interval / 1000)
            yield Tick(n=n, at=datetime.now(UTC).isoformat(timespec="milliseconds"))

    @strawberry.subscription(
        description=(
            "Each session added by `addSession` from now on, only for `eventId` if given. "
            "Never completes by itself."
        )
    )
    async def session_added(
        self,
        info: strawberry.Info,
        event_id: Annotated[
            strawberry.ID | None, _arg("Only sessions of this event; any event if omitted.")
        ] = UNSET,
    ) -> AsyncGenerator[Session, None]:
        event_id = _given(event_id)
        async with store_of(info).listen() as queue:
            while True:
                session = await queue.get()
                if event_id is None or session.event_id == event_id:
                    yield session


class _Schema(strawberry.Schema):
    """Logs only errors that are bugs, not the ones the mock answers on purpose."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [
            e
            for e in errors
            if e.original_error is not None and not isinstance(e.original_error, ExpectedError)
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The event-management schema; without introspection if asked."""
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[] if introspection else [DisableIntrospection],
    )
