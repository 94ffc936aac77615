"""The GraphQL mock's object types: events, their locations, speakers and sessions.

The stored records are these objects themselves; fields that point at other records
resolve through the `EventStore` in the request context, so one schema serves every
app instance and each instance keeps its own data.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from mock_servers.graphql_data import EventStore

__all__ = [
    "Event",
    "EventStatus",
    "ExpectedError",
    "Location",
    "NewSessionInput",
    "SearchResult",
    "Session",
    "Speaker",
    "Tick",
    "Topic",
    "store_of",
]


class ExpectedError(Exception):
    """An error the mock raises on purpose (unknown id, bad input); never logged."""


def store_of(info: strawberry.Info) -> EventStore:
    """The in-memory data of the app instance serving this request."""
    return info.context["store"]


@strawberry.enum(description="What a speaker talks about.")
class Topic(Enum):
    PYTHON = strawberry.enum_value("PYTHON", description="The Python language and ecosystem.")
    GRAPHQL = strawberry.enum_value("GRAPHQL", description="GraphQL APIs and tooling.")
    SECURITY = strawberry.enum_value("SECURITY", description="Application and API security.")
    DATA = strawberry.enum_value("DATA", description="Data engineering and analysis.")


@strawberry.enum(description="Where an event stands.")
class EventStatus(Enum):
    SCHEDULED = strawberry.enum_value("SCHEDULED", description="Planned and open for RSVPs.")
    LIVE = strawberry.enum_value("LIVE", description="Happening right now.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Called off; RSVPs are refused.")


@strawberry.type(description="The place an event is held.")
class Location:
    venue: str = strawberry.field(description="Name of the venue.")
    city: str = strawberry.field(description="City, as used by the `events(city:)` filter.")
    country: str = strawberry.field(description="Country name in English.")
    capacity: int = strawberry.field(description="How many people the venue holds.")


@strawberry.type(description="A conference or meetup with sessions given by speakers.")
class Event:
    id: strawberry.ID = strawberry.field(description="Stable identifier: '1', '2', ...")
    name: str = strawberry.field(description="Title of the event.")
    starts_at: str = strawberry.field(
        description="When the event opens, as an ISO 8601 datetime with UTC offset."
    )
    location: Location = strawberry.field(description="Where the event is held.")
    status: EventStatus = strawberry.field(description="Scheduled, live or cancelled.")
    attendee_count: int = strawberry.field(
        description="People who said they come; `rsvp` adds one."
    )
    ticket_price: float | None = strawberry.field(
        description="Price of a ticket in euros; null when entry is free."
    )

    @strawberry.field(description="People speaking at this event, by id.")
    def speakers(self, info: strawberry.Info) -> list[Speaker]:
        return store_of(info).speakers_of_event(self.id)

    @strawberry.field(description="Sessions of this event, in start order.")
    def sessions(self, info: strawberry.Info) -> list[Session]:
        return store_of(info).sessions_of_event(self.id)

    @strawberry.field(
        description="How many people the venue holds.",
        deprecation_reason="Use location.capacity instead.",
    )
    def capacity(self) -> int | None:
        return self.location.capacity


@strawberry.type(description="Someone who gives sessions.")
class Speaker:
    id: strawberry.ID = strawberry.field(description="Stable identifier: '1', '2', ...")
    name: str = strawberry.field(description="Full name.")
    bio: str | None = strawberry.field(description="A short biography; null if none was given.")
    topics: list[Topic] = strawberry.field(description="What the speaker talks about.")

    @strawberry.field(description="Sessions this speaker gives, at any event.")
    def sessions(self, info: strawberry.Info) -> list[Session]:
        return store_of(info).sessions_of_speaker(self.id)


@strawberry.type(description="One talk at an event, given by one speaker.")
class Session:
    id: strawberry.ID = strawberry.field(description="Stable identifier: '1', '2', ...")
    title: str = strawberry.field(description="Title of the talk.")
    starts_at: str = strawberry.field(
        description="When the talk starts, as an ISO 8601 datetime with UTC offset."
    )
    duration_minutes: int = strawberry.field(description="Length of the talk in minutes.")
    event_id: strawberry.Private[str]
    speaker_id: strawberry.Private[str]

    @strawberry.field(description="Who gives the talk.")
    def speaker(self, info: strawberry.Info) -> Speaker:
        return store_of(info).speakers[self.speaker_id]

    @strawberry.field(description="The event the talk belongs to.")
    def event(self, info: strawberry.Info) -> Event:
        return store_of(info).events[self.event_id]


SearchResult = Annotated[
    Event | Speaker,
    strawberry.union("SearchResult", description="An event or a speaker found by `search`."),
]


@strawberry.input(description="A new session for `addSession`.")
class NewSessionInput:
    event_id: strawberry.ID = strawberry.field(description="The event the session belongs to.")
    title: str = strawberry.field(description="Title of the talk; must not be blank.")
    speaker_id: strawberry.ID = strawberry.field(description="Who gives the talk.")
    starts_at: str = strawberry.field(
        description="ISO 8601 datetime, e.g. 2026-10-14T15:00:00+02:00; anything else is an error."
    )
    duration_minutes: int | None = strawberry.field(
        default=30, description="Length in minutes, 1 to 480; null means 30."
    )


@strawberry.type(description="One beat of the `ticks` subscription.")
class Tick:
    n: int = strawberry.field(description="1 for the first tick, then 2, 3, ...")
    at: str = strawberry.field(description="When the tick was sent, ISO 8601 in UTC.")
