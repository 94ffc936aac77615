"""The gRPC mock's TrackService (apiclient/resources/proto/tracks/v1/tracks.proto): a small
music catalogue behind the four call kinds, with errors on purpose.

Failures carry a google.rpc.Status in the `grpc-status-details-bin` trailer when there
is something structured to say (a BadRequest field violation, an ErrorInfo), the way
Google APIs report them, so clients can show rich error details.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import NoReturn

import grpc
from google.protobuf import any_pb2, duration_pb2, struct_pb2, timestamp_pb2, wrappers_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from mock_servers.grpc_generated import tracks_pb2, tracks_pb2_grpc

__all__ = [
    "DEFAULT_INTERVAL_MS",
    "MAX_INTERVAL_MS",
    "SERVED_BY",
    "SERVICE_NAME",
    "SLOW_SECONDS",
    "TrackService",
    "catalogue",
]

SERVICE_NAME = tracks_pb2.DESCRIPTOR.services_by_name["TrackService"].full_name
SERVED_BY = "apiclient-mock"
SLOW_SECONDS = 5.0
DEFAULT_INTERVAL_MS = 50
MAX_INTERVAL_MS = 5000
ERROR_DOMAIN = "mock.apiclient"

Genre = tracks_pb2.Genre


def _at(text: str) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.datetime.fromisoformat(text))
    return stamp


def _length(minutes: int, seconds: float) -> duration_pb2.Duration:
    length = duration_pb2.Duration()
    length.FromTimedelta(datetime.timedelta(minutes=minutes, seconds=seconds))
    return length


def _struct(values: dict[str, object]) -> struct_pb2.Struct:
    extra = struct_pb2.Struct()
    extra.update(values)
    return extra


def _track(
    id: str,
    title: str,
    artist: tuple[str, str, str],
    genre: int,
    tags: Sequence[str],
    credits: dict[str, str],
    source: tuple[str, str | int] | None,
    released_at: str,
    length: duration_pb2.Duration,
    rating: float | None,
    extra: dict[str, object],
) -> tracks_pb2.Track:
    track = tracks_pb2.Track(
        id=id,
        title=title,
        artist=tracks_pb2.Artist(id=artist[0], name=artist[1], country=artist[2]),
        genre=genre,  # type: ignore[arg-type]
        tags=tags,
        credits=credits,
        released_at=_at(released_at),
        length=length,
        extra=_struct(extra),
    )
    if source is not None:
        setattr(track, source[0], source[1])
    if rating is not None:
        track.rating.CopyFrom(wrappers_pb2.DoubleValue(value=rating))
    return track


def catalogue() -> dict[str, tracks_pb2.Track]:
    """The seed tracks t1..t8, two per genre, with credits filled.

    They vary on purpose: a stream URL, an upload id above 2**53 (JSON clients must keep
    it a string), no source at all; a rating of 0.0 (set) beside none (null); lengths
    and release times with fractions of a second; non-ASCII text; nested JSON in extra.
    """
    tracks = [
        _track(
            "t1",
            "Paper Lanterns",
            ("a1", "The Night Orchard", "GB"),
            Genre.ROCK,
            ["indie", "guitar"],
            {"producer": "Mara Quinn", "mixing": "Tom Ellis"},
            ("stream_url", "https://streams.example.com/t1.ogg"),
            "2019-04-12T00:00:00+00:00",
            _length(3, 47),
            4.6,
            {
                "bpm": 128,
                "explicit": False,
                "awards": ["Indie Single of the Year"],
                "label": {"name": "Orchard Records", "country": "GB"},
            },
        ),
        _track(
            "t2",
            "Static Coast",
            ("a2", "Harbour Lights", "IE"),
            Genre.ROCK,
            ["demo"],
            {"producer": "Niamh Byrne"},
            ("upload_id", 9007199254740993),
            "2021-09-30T18:45:00+00:00",
            _length(4, 2),
            None,
            {"explicit": True, "remaster_of": None},
        ),
        _track(
            "t3",
            "Blue Hour Walk",
            ("a3", "Ines Moreau Trio", "FR"),
            Genre.JAZZ,
            ["piano", "trio", "late night"],
            {"piano": "Ines Moreau", "bass": "Karim Haddad", "drums": "Leo Varga"},
            ("stream_url", "https://streams.example.com/t3.ogg"),
            "2017-02-01T09:00:00+00:00",
            _length(6, 13),
            4.9,
            {"recorded_live": True, "venue": "Le Petit Caveau"},
        ),
        _track(
            "t4",
            "Quiet Hands",
            ("a4", "Samuel Adeyemi", "NG"),
            Genre.JAZZ,
            ["saxophone"],
            {"saxophone": "Samuel Adeyemi"},
            ("upload_id", 4711),
            "2022-11-05T20:30:00.500+00:00",
            _length(5, 12.25),
            3.75,
            {},
        ),
        _track(
            "t5",
            "Neon Tide",
            ("a5", "Kairo Loop", "JP"),
            Genre.ELECTRONIC,
            ["techno", "club"],
            {"producer": "Kairo Loop", "mastering": "Aiko Tanaka"},
            ("stream_url", "https://streams.example.com/t5.ogg"),
            "2023-06-21T23:59:59.123456+00:00",
            _length(7, 30),
            4.2,
            {"bpm": 132, "key": "A minor", "stems": [1, 2, 3.5]},
        ),
        _track(
            "t6",
            "Drift Signal",
            ("a6", "Vela Systems", "DE"),
            Genre.ELECTRONIC,
            ["ambient"],
            {},
            None,
            "2020-01-01T00:00:00+00:00",
            _length(11, 4),
            2.5,
            {"unreleased_mix": None, "notes": ""},
        ),
        _track(
            "t7",
            "Études in Blue — No. 3",
            ("a7", "Zoë Ångström", "SE"),
            Genre.CLASSICAL,
            ["piano", "étude"],
            {"composer": "Zoë Ångström", "piano": "Zoë Ångström"},
            ("stream_url", "https://streams.example.com/t7.flac"),
            "1998-03-15T12:00:00+00:00",
            _length(2, 58),
            4.8,
            {"opus": "Op. 12", "movements": 1},
        ),
        _track(
            "t8",
            "Winter Sketches: I. Frost",
            ("a8", "Prague Chamber Strings", "CZ"),
            Genre.CLASSICAL,
            [],
            {"conductor": "Tomáš Novák"},
            ("upload_id", 1),
            "2024-12-24T17:00:00+01:00",
            _length(9, 41),
            0.0,
            {"movements": 4, "ensemble": {"size": 14, "strings_only": True}},
        ),
    ]
    return {track.id: track for track in tracks}


def _slow_track() -> tracks_pb2.Track:
    return _track(
        "slow",
        "Adagio for Patience",
        ("a9", "The Long Wait Ensemble", "AT"),
        Genre.CLASSICAL,
        ["slow"],
        {"composer": "Nobody in a Hurry"},
        None,
        "2000-01-01T00:00:00+00:00",
        _length(15, 0),
        None,
        {"answered_after_seconds": SLOW_SECONDS},
    )


async def _fail(
    context: grpc.aio.ServicerContext,
    code: grpc.StatusCode,
    message: str,
    details: Iterable[object] = (),
) -> NoReturn:
    """End the call with `code`; with details, also send them as a google.rpc.Status.

    The trailers already set on the call (x-served-by) are kept: abort() replaces them
    when it is given trailers of its own.
    """
    trailers = tuple(context.trailing_metadata() or ())
    packed = []
    for detail in details:
        any_detail = any_pb2.Any()
        any_detail.Pack(detail)  # type: ignore[arg-type]
        packed.append(any_detail)
    if packed:
        status = status_pb2.Status(code=code.value[0], message=message, details=packed)
        trailers += tuple(rpc_status.to_status(status).trailing_metadata)
    await context.abort(code, message, trailers)
    raise AssertionError("abort() returned")  # pragma: no cover - abort always raises


def _bad_request(field: str, description: str) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
        ]
    )


def _bearer_token(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return None


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


class TrackService(tracks_pb2_grpc.TrackServiceServicer):
    """The servicer; each instance has its own copy of the catalogue."""

    def __init__(self, slow_seconds: float = SLOW_SECONDS) -> None:
        self._tracks = catalogue()
        self._slow_seconds = slow_seconds

    async def GetTrack(
        self, request: tracks_pb2.GetTrackRequest, context: grpc.aio.ServicerContext
    ) -> tracks_pb2.Track:
        if _bearer_token(context) == "deny":
            await _fail(
                context,
                grpc.StatusCode.UNAUTHENTICATED,
                "The bearer token 'deny' is refused by the mock; send any other token or none.",
            )
        if not request.id:
            await _fail(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "The track id must not be empty.",
                [_bad_request("id", "must not be empty")],
            )
        if request.id == "slow":
            await asyncio.sleep(self._slow_seconds)
            track = _slow_track()
        elif request.id in self._tracks:
            track = tracks_pb2.Track()
            track.CopyFrom(self._tracks[request.id])
        else:
            await _fail(context, grpc.StatusCode.NOT_FOUND, f"No track with id '{request.id}'")
        if not request.include_credits:
            track.ClearField("credits")
        return track

    async def ListTracks(
        self, request: tracks_pb2.ListTracksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[tracks_pb2.Track]:
        violations = []
        if request.limit < 0:
            violations.append(("limit", "must not be negative"))
        if not 0 <= request.interval_ms <= MAX_INTERVAL_MS:
            violations.append(("interval_ms", f"must be between 0 and {MAX_INTERVAL_MS}"))
        if request.abort_after < 0:
            violations.append(("abort_after", "must not be negative"))
        if request.genre not in tracks_pb2.Genre.values():
            violations.append(("genre", f"unknown genre number {request.genre}"))
        if violations:
            await _fail(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "; ".join(f"{field} {text}" for field, text in violations),
                [
                    error_details_pb2.BadRequest(
                        field_violations=[
                            error_details_pb2.BadRequest.FieldViolation(
                                field=field, description=text
                            )
                            for field, text in violations
                        ]
                    )
                ],
            )
        selected = [
            track
            for track in self._tracks.values()
            if request.genre in (Genre.GENRE_UNSPECIFIED, track.genre)
        ]
        if request.limit:
            selected = selected[: request.limit]
        interval = (request.interval_ms or DEFAULT_INTERVAL_MS) / 1000
        for sent, stored in enumerate(selected):
            if sent:
                await asyncio.sleep(interval)
            track = tracks_pb2.Track()
            track.CopyFrom(stored)
            track.ClearField("credits")
            yield track
            if sent + 1 == request.abort_after:
                await _fail(
                    context,
                    grpc.StatusCode.ABORTED,
                    f"stream aborted by the server after {request.abort_after} tracks",
                )

    async def RecordPlays(
        self,
        request_iterator: AsyncIterator[tracks_pb2.PlayEvent],
        context: grpc.aio.ServicerContext,
    ) -> tracks_pb2.PlaySummary:
        summary = tracks_pb2.PlaySummary()
        unknown: dict[str, None] = {}
        async for event in request_iterator:
            if event.seconds < 0:
                await _fail(
                    context,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"seconds must not be negative (play event {summary.plays + 1} "
                    f"of track '{event.track_id}' has {event.seconds})",
                    [_bad_request("seconds", "must not be negative")],
                )
            summary.plays += 1
            summary.total_seconds += event.seconds
            if event.track_id in self._tracks:
                summary.per_track[event.track_id] += 1
            else:
                unknown.setdefault(event.track_id)
        summary.unknown_tracks.extend(unknown)
        return summary

    async def Jam(
        self,
        request_iterator: AsyncIterator[tracks_pb2.JamMessage],
        context: grpc.aio.ServicerContext,
    ) -> AsyncIterator[tracks_pb2.JamMessage]:
        async for message in request_iterator:
            if message.text == "boom":
                await _fail(
                    context,
                    grpc.StatusCode.INTERNAL,
                    "The jam went boom (the mock fails on 'boom' by design).",
                    [
                        error_details_pb2.ErrorInfo(
                            reason="JAM_BOOM",
                            domain=ERROR_DOMAIN,
                            metadata={"from": getattr(message, "from"), "text": message.text},
                        )
                    ],
                )
            reply = tracks_pb2.JamMessage(text=f"echo: {message.text}", at=_now())
            setattr(reply, "from", "mock")
            if message.HasField("bpm"):
                reply.bpm = message.bpm
            yield reply
            if message.text == "bye":
                return
