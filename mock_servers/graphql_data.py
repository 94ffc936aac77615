"""The GraphQL mock's in-memory data: 3 events, 4 speakers, 6 sessions, and the
queues that carry new sessions to `sessionAdded` subscribers.

Each `EventStore()` starts from the same seed, so a restart resets everything.
Everything runs on the mock host's one event loop, so no locking is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from mock_servers.graphql_types import Event, EventStatus, Location, Session, Speaker, Topic

__all__ = ["EventStore"]


def _events() -> dict[str, Event]:
    events = [
        Event(
            id="1",
            name="PyCon Berlin",
            starts_at="2026-10-14T09:00:00+02:00",
            location=Location(
                venue="Berlin Congress Center", city="Berlin", country="Germany", capacity=1200
            ),
            status=EventStatus.SCHEDULED,
            attendee_count=842,
            ticket_price=349.0,
        ),
        Event(
            id="2",
            name="GraphQL Lisbon Summit",
            starts_at="2026-06-03T09:30:00+01:00",
            location=Location(
                venue="Lisbon Congress Centre", city="Lisbon", country="Portugal", capacity=600
            ),
            status=EventStatus.LIVE,
            attendee_count=512,
            ticket_price=199.5,
        ),
        Event(
            id="3",
            name="Austin Data & Security Meetup",
            starts_at="2026-03-20T18:00:00-05:00",
            location=Location(
                venue="Capital Factory", city="Austin", country="United States", capacity=150
            ),
            status=EventStatus.CANCELLED,
            attendee_count=37,
            ticket_price=None,
        ),
    ]
    return {event.id: event for event in events}


def _speakers() -> dict[str, Speaker]:
    speakers = [
        Speaker(
            id="1",
            name="Ada Okafor",
            bio="Maintains an async HTTP library and teaches data pipelines.",
            topics=[Topic.PYTHON, Topic.DATA],
        ),
        Speaker(
            id="2",
            name="Bruno Costa",
            bio="Designs public GraphQL APIs for a payments company.",
            topics=[Topic.GRAPHQL],
        ),
        Speaker(id="3", name="Chen Wei", bio=None, topics=[Topic.SECURITY, Topic.PYTHON]),
        Speaker(
            id="4",
            name="Dana Müller",
            bio="Builds analytics platforms; writes about schema federation.",
            topics=[Topic.DATA, Topic.GRAPHQL],
        ),
    ]
    return {speaker.id: speaker for speaker in speakers}


def _sessions() -> dict[str, Session]:
    rows = [
        ("Async Python in Practice", "1", "1", "2026-10-14T10:00:00+02:00", 45),
        ("Typing at Scale", "1", "3", "2026-10-14T11:00:00+02:00", 30),
        ("Schema Design Patterns", "2", "2", "2026-06-03T10:00:00+01:00", 40),
        ("Federation Without Tears", "2", "4", "2026-06-03T11:00:00+01:00", 60),
        ("Threat Modelling APIs", "3", "3", "2026-03-20T18:30:00-05:00", 45),
        ("From Pandas to Polars", "3", "1", "2026-03-20T19:30:00-05:00", 30),
    ]
    sessions = [
        Session(
            id=str(number),
            title=title,
            event_id=event_id,
            speaker_id=speaker_id,
            starts_at=starts_at,
            duration_minutes=minutes,
        )
        for number, (title, event_id, speaker_id, starts_at, minutes) in enumerate(rows, 1)
    ]
    return {session.id: session for session in sessions}


@dataclass
class EventStore:
    """All data of one GraphQL mock app; each instance starts from the seed."""

    events: dict[str, Event] = field(default_factory=_events)
    speakers: dict[str, Speaker] = field(default_factory=_speakers)
    sessions: dict[str, Session] = field(default_factory=_sessions)
    _listeners: set[asyncio.Queue[Session]] = field(default_factory=set)

    def sessions_of_event(self, event_id: str) -> list[Session]:
        found = [s for s in self.sessions.values() if s.event_id == event_id]
        return sorted(found, key=lambda s: (s.starts_at, int(s.id)))

    def sessions_of_speaker(self, speaker_id: str) -> list[Session]:
        return [s for s in self.sessions.values() if s.speaker_id == speaker_id]

    def speakers_of_event(self, event_id: str) -> list[Speaker]:
        ids = {s.speaker_id for s in self.sessions.values() if s.event_id == event_id}
        return [self.speakers[i] for i in sorted(ids, key=int)]

    def add_session(self, session: Session) -> None:
        """Store a session and hand it to every `sessionAdded` subscriber."""
        self.sessions[session.id] = session
        for queue in self._listeners:
            queue.put_nowait(session)

    def next_session_id(self) -> str:
        return str(max(map(int, self.sessions), default=0) + 1)

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[Session]]:
        """A queue receiving each session added while the context is open."""
        queue: asyncio.Queue[Session] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)
