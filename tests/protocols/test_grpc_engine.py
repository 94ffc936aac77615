"""The gRPC engine against the gRPC mock: every call kind, metadata, deadlines, statuses
with rich details, streams the server aborts, cancelling, and bad input."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest

from apiclient.core.models import GrpcRequest, KeyValue
from apiclient.core.paths import resources_dir
from apiclient.protocols.errors import GrpcError, GrpcMessageError, RequestBuildError
from apiclient.protocols.grpc import GrpcEngine, GrpcMessageEvent, GrpcResult
from apiclient.protocols.grpc_catalog import GrpcCatalog, load_proto_files, reflect

SERVICE = "/mock.tracks.v1.TrackService/"
PROTO = resources_dir() / "proto"


@pytest.fixture(scope="module")
def grpc_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["grpc"]


@pytest.fixture
async def grpc_engine() -> AsyncIterator[GrpcEngine]:
    """A fresh engine per test: its channels belong to the test's event loop."""
    engine = GrpcEngine()
    try:
        yield engine
    finally:
        await engine.aclose()


@pytest.fixture
async def catalog(grpc_url: str) -> GrpcCatalog:
    return await reflect(GrpcRequest(target=grpc_url))


def _request(grpc_url: str, method: str, message: str = "", **update: object) -> GrpcRequest:
    return GrpcRequest(target=grpc_url, method=SERVICE + method, message=message, **update)


# --- unary ------------------------------------------------------------------------------


async def test_a_unary_call_returns_the_message_status_and_metadata(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    request = _request(
        grpc_url,
        "GetTrack",
        '{"id": "t1", "include_credits": true}',
        metadata=[KeyValue(name="X-Request-Id", value="req-42")],
    )
    result = await grpc_engine.call(request, catalog)
    assert (result.code, result.details, result.rich_details) == ("OK", "", ())
    assert ("x-request-id", "req-42") in result.initial_metadata
    assert ("x-served-by", "apiclient-mock") in result.trailing_metadata
    assert 0 < result.elapsed_s < 5
    (text,) = result.messages
    assert text.startswith('{\n  "id": "t1",\n  "title": "Paper Lanterns"')  # 2-space JSON
    track = json.loads(text)
    assert track["artist"] == {"id": "a1", "name": "The Night Orchard", "country": "GB"}
    assert track["genre"] == "ROCK"
    assert track["credits"] == {"producer": "Mara Quinn", "mixing": "Tom Ellis"}
    assert track["released_at"] == "2019-04-12T00:00:00Z"  # proto field names, not releasedAt
    assert track["length"] == "227s"
    assert track["rating"] == 4.6
    assert track["extra"]["label"] == {"name": "Orchard Records", "country": "GB"}


async def test_large_ids_keep_every_digit_and_defaults_are_shown(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    t2 = json.loads(
        (await grpc_engine.call(_request(grpc_url, "GetTrack", '{"id": "t2"}'), catalog)).messages[
            0
        ]
    )
    assert t2["upload_id"] == "9007199254740993"  # int64 above 2^53: a string, as proto3 JSON says
    assert t2["credits"] == {}  # not asked for: shown empty rather than left out
    assert "rating" not in t2  # a wrapper that is not set has no value to show
    t8 = json.loads(
        (await grpc_engine.call(_request(grpc_url, "GetTrack", '{"id": "t8"}'), catalog)).messages[
            0
        ]
    )
    assert t8["rating"] == 0.0 and t8["tags"] == []


async def test_a_blank_message_is_an_empty_request(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(_request(grpc_url, "GetTrack", "  "), catalog)
    assert result.code == "INVALID_ARGUMENT"


async def test_the_health_service_is_callable(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    request = GrpcRequest(target=grpc_url, method="/grpc.health.v1.Health/Check", message="{}")
    result = await grpc_engine.call(request, catalog)
    assert json.loads(result.messages[0]) == {"status": "SERVING"}


async def test_not_found_is_returned_not_raised(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(_request(grpc_url, "GetTrack", '{"id": "404"}'), catalog)
    assert (result.code, result.details) == ("NOT_FOUND", "No track with id '404'")
    assert result.messages == ()
    assert ("x-served-by", "apiclient-mock") in result.trailing_metadata  # on errors too
    assert not result.ok


async def test_a_bad_request_detail_is_decoded(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(_request(grpc_url, "GetTrack", '{"id": ""}'), catalog)
    assert (result.code, result.details) == ("INVALID_ARGUMENT", "The track id must not be empty.")
    ((name, text),) = result.rich_details
    assert name == "google.rpc.BadRequest"
    assert json.loads(text) == {
        "field_violations": [{"field": "id", "description": "must not be empty"}]
    }
    with pytest.raises(GrpcError) as caught:
        result.raise_for_status()
    assert str(caught.value) == (
        "INVALID_ARGUMENT: The track id must not be empty. (details: BadRequest)"
    )


async def test_metadata_reaches_the_server(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    deny = [KeyValue(name="Authorization", value="Bearer deny")]
    result = await grpc_engine.call(
        _request(grpc_url, "GetTrack", '{"id": "t1"}', metadata=deny), catalog
    )
    assert result.code == "UNAUTHENTICATED"
    assert "refused" in result.details


async def test_the_deadline_ends_a_slow_call(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    started = time.perf_counter()
    result = await grpc_engine.call(
        _request(grpc_url, "GetTrack", '{"id": "slow"}', deadline_s=1.0), catalog
    )
    assert time.perf_counter() - started < 3
    assert result.code == "DEADLINE_EXCEEDED"
    assert result.details.startswith("The call did not finish within the request's deadline of 1 s")
    assert "Raise the deadline" in result.details
    assert 0.9 < result.elapsed_s < 3


async def test_one_channel_serves_concurrent_calls(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    requests = [_request(grpc_url, "GetTrack", json.dumps({"id": f"t{n}"})) for n in range(1, 9)]
    results = await asyncio.gather(*(grpc_engine.call(request, catalog) for request in requests))
    ids = [json.loads(result.messages[0])["id"] for result in results]
    assert ids == [f"t{n}" for n in range(1, 9)]
    assert len(grpc_engine._channels) == 1


async def test_a_catalog_from_files_calls_the_same_server(
    grpc_engine: GrpcEngine, grpc_url: str
) -> None:
    files = await asyncio.to_thread(
        load_proto_files, [str(PROTO / "tracks" / "v1" / "tracks.proto")], [str(PROTO)]
    )
    result = await grpc_engine.call(_request(grpc_url, "GetTrack", '{"id": "t7"}'), files)
    assert json.loads(result.messages[0])["title"] == "Études in Blue — No. 3"


# --- bad input, before any traffic ----------------------------------------------------


@pytest.mark.parametrize(
    ("message", "field", "expected"),
    [
        ('{"id": "t1",}', "", "The message is not valid JSON: Expecting property name"),
        ('{"id": "t1", "credits": true}', "credits", "credits: unknown field"),
        ('{"id": 1}', "id", "id: expected a string, got a number (1)"),
        ('{"include_credits": "yes"}', "include_credits", "expected true or false"),
    ],
)
async def test_a_message_that_does_not_fit_is_refused_naming_the_field(
    grpc_engine: GrpcEngine,
    catalog: GrpcCatalog,
    grpc_url: str,
    message: str,
    field: str,
    expected: str,
) -> None:
    with pytest.raises(GrpcMessageError) as caught:
        await grpc_engine.call(_request(grpc_url, "GetTrack", message), catalog)
    assert caught.value.field == field
    assert expected in str(caught.value)
    assert grpc_engine._channels == {}  # refused before a channel was even opened


async def test_an_enum_value_that_does_not_exist_lists_the_values(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    with pytest.raises(GrpcMessageError) as caught:
        await grpc_engine.call(_request(grpc_url, "ListTracks", '{"genre": "POP"}'), catalog)
    assert str(caught.value) == (
        "genre: 'POP' is not one of GENRE_UNSPECIFIED, ROCK, JAZZ, ELECTRONIC, CLASSICAL"
    )


async def test_an_unknown_method_is_refused(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    with pytest.raises(RequestBuildError) as caught:
        await grpc_engine.call(_request(grpc_url, "Delete", "{}"), catalog)
    assert str(caught.value).startswith(
        "The method /mock.tracks.v1.TrackService/Delete is not among the methods of"
        " reflection (v1) of 127.0.0.1:"
    )
    with pytest.raises(RequestBuildError, match="No method was chosen"):
        await grpc_engine.call(GrpcRequest(target=grpc_url), catalog)


# --- server streaming -----------------------------------------------------------------


async def test_a_server_stream_yields_each_message_then_the_status(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    request = _request(grpc_url, "ListTracks", '{"genre": "JAZZ", "interval_ms": 10}')
    stream = grpc_engine.stream(request, catalog)
    events = [event async for event in stream]
    assert all(isinstance(event, GrpcMessageEvent) and event.kind == "response" for event in events)
    assert [json.loads(event.json)["id"] for event in events] == ["t3", "t4"]
    assert events[0].received_at <= events[1].received_at
    assert stream.result is not None
    assert stream.result.code == "OK"
    assert stream.result.messages == tuple(event.json for event in events)
    assert ("x-served-by", "apiclient-mock") in stream.result.trailing_metadata


async def test_call_collects_a_server_stream(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(
        _request(grpc_url, "ListTracks", '{"limit": 3, "interval_ms": 1}'), catalog
    )
    assert [json.loads(text)["id"] for text in result.messages] == ["t1", "t2", "t3"]


async def test_a_stream_the_server_aborts_keeps_what_came(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(
        _request(grpc_url, "ListTracks", '{"abort_after": 2, "interval_ms": 1}'), catalog
    )
    events = [event async for event in stream]
    assert len(events) == 2
    result = stream.result
    assert result is not None
    assert (result.code, result.details) == (
        "ABORTED",
        "stream aborted by the server after 2 tracks",
    )
    assert len(result.messages) == 2


async def test_invalid_listing_arguments_come_back_with_one_violation_each(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(
        _request(grpc_url, "ListTracks", '{"limit": -1, "interval_ms": 9000}'), catalog
    )
    assert result.code == "INVALID_ARGUMENT"
    ((name, text),) = result.rich_details
    fields = [violation["field"] for violation in json.loads(text)["field_violations"]]
    assert name == "google.rpc.BadRequest" and set(fields) == {"limit", "interval_ms"}


async def test_cancelling_midway_ends_the_stream(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "ListTracks", '{"interval_ms": 300}'), catalog)
    received = 0
    started = time.perf_counter()
    async for _ in stream:
        received += 1
        if received == 2:
            await stream.cancel()
            await stream.cancel()  # idempotent
    assert received == 2
    assert time.perf_counter() - started < 2  # not the eight tracks' 2.4 s
    assert stream.result is not None
    assert (stream.result.code, stream.result.details) == ("CANCELLED", "Cancelled by you.")
    assert len(stream.result.messages) == 2
    await stream.cancel()  # harmless once over


async def test_cancelling_from_another_task_while_waiting(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "GetTrack", '{"id": "slow"}'), catalog)
    iterate = asyncio.ensure_future(_collect(stream))
    await asyncio.sleep(0.3)
    await stream.cancel()
    events = await asyncio.wait_for(iterate, 2)
    assert events == []
    assert stream.result is not None and stream.result.code == "CANCELLED"


async def test_cancelling_before_the_start(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "ListTracks", "{}"), catalog)
    await stream.cancel()
    assert [event async for event in stream] == []
    assert stream.result == GrpcResult((), "CANCELLED", "Cancelled by you.", (), (), (), 0.0)


async def test_cancelling_the_task_itself_still_cancels_it(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "GetTrack", '{"id": "slow"}'), catalog)
    task = asyncio.ensure_future(_collect(stream))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _collect(stream: AsyncIterator[GrpcMessageEvent]) -> list[GrpcMessageEvent]:
    return [event async for event in stream]


# --- client streaming -----------------------------------------------------------------


async def test_a_client_stream_sends_the_array_then_half_closes(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    plays = json.dumps(
        [
            {"track_id": "t1", "at": "2026-01-31T12:00:00Z", "seconds": 30},
            {"track_id": "t1", "seconds": 12},
            {"track_id": "zz", "seconds": 5},
        ]
    )
    result = await grpc_engine.call(_request(grpc_url, "RecordPlays", plays), catalog)
    assert result.code == "OK"
    assert json.loads(result.messages[0]) == {
        "plays": 3,
        "total_seconds": 47,
        "per_track": {"t1": 2},
        "unknown_tracks": ["zz"],
    }


async def test_a_client_stream_of_one_object_or_none(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    one = await grpc_engine.call(
        _request(grpc_url, "RecordPlays", '{"track_id": "t2", "seconds": 1}'), catalog
    )
    assert json.loads(one.messages[0])["plays"] == 1
    none = await grpc_engine.call(_request(grpc_url, "RecordPlays", ""), catalog)
    assert json.loads(none.messages[0])["plays"] == 0


async def test_a_client_stream_sent_piece_by_piece(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(
        _request(grpc_url, "RecordPlays", '{"track_id": "t1", "seconds": 1}'), catalog
    )
    await stream.send('{"track_id": "t3", "seconds": 2}')
    await stream.send('[{"track_id": "t3", "seconds": 3}, {"track_id": "t4", "seconds": 4}]')
    await stream.close_send()
    await stream.close_send()  # idempotent
    (event,) = [event async for event in stream]
    assert json.loads(event.json)["per_track"] == {"t1": 1, "t3": 2, "t4": 1}
    with pytest.raises(GrpcError, match="The call has ended"):
        await stream.send("{}")


async def test_a_negative_play_fails_with_a_bad_request(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(
        _request(grpc_url, "RecordPlays", '[{"track_id": "t1", "seconds": -3}]'), catalog
    )
    assert result.code == "INVALID_ARGUMENT"
    assert result.details.startswith("seconds must not be negative")
    assert json.loads(result.rich_details[0][1])["field_violations"][0]["field"] == "seconds"


# --- bidi -----------------------------------------------------------------------------


async def test_a_bidi_jam_sends_and_receives_interleaved(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(
        _request(grpc_url, "Jam", '{"from": "me", "text": "hello"}'), catalog
    )
    texts = []
    async for event in stream:
        reply = json.loads(event.json)
        texts.append(reply["text"])
        if len(texts) == 1:
            with pytest.raises(GrpcMessageError, match="txt: unknown field"):
                await stream.send('{"txt": "typo"}')  # refused, and the jam goes on
            await stream.send('{"text": "tempo", "bpm": 0}')
        elif len(texts) == 2:
            assert reply["bpm"] == 0  # explicit presence: 0 is shown
            await stream.send('{"text": "bye"}')
    assert texts == ["echo: hello", "echo: tempo", "echo: bye"]
    assert stream.result is not None and stream.result.code == "OK"


async def test_a_bidi_stream_closed_by_the_client(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "Jam"), catalog)
    reader = asyncio.ensure_future(_collect(stream))
    await stream.send('{"text": "one"}')
    await stream.send('{"text": "two"}')
    await stream.close_send()
    events = await asyncio.wait_for(reader, 5)
    assert [json.loads(event.json)["text"] for event in events] == ["echo: one", "echo: two"]
    with pytest.raises(GrpcError, match="The call has ended"):
        await stream.send('{"text": "three"}')


async def test_a_bidi_failure_ends_with_the_servers_error_info(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    result = await grpc_engine.call(
        _request(
            grpc_url, "Jam", '[{"from": "me", "text": "first"}, {"from": "me", "text": "boom"}]'
        ),
        catalog,
    )
    assert result.code == "INTERNAL"
    assert result.details.startswith("The jam went boom")
    ((name, text),) = result.rich_details
    assert name == "google.rpc.ErrorInfo"
    info = json.loads(text)
    assert (info["reason"], info["domain"]) == ("JAM_BOOM", "mock.apiclient")
    assert [json.loads(message)["text"] for message in result.messages] == ["echo: first"]


async def test_sending_more_on_a_unary_call_is_refused(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, grpc_url: str
) -> None:
    stream = grpc_engine.stream(_request(grpc_url, "GetTrack", '{"id": "t1"}'), catalog)
    with pytest.raises(RequestBuildError, match="GetTrack takes a single request message"):
        await stream.send('{"id": "t2"}')
    await stream.close_send()  # nothing to close: harmless
    assert len([event async for event in stream]) == 1


async def test_closing_the_engine_ends_its_streams(catalog: GrpcCatalog, grpc_url: str) -> None:
    engine = GrpcEngine()
    stream = engine.stream(_request(grpc_url, "ListTracks", '{"interval_ms": 300}'), catalog)
    received = 0
    async for _ in stream:
        received += 1
        if received == 1:
            await engine.aclose()
    assert received == 1
    assert stream.result is not None
    assert stream.result.code == "CANCELLED"
    assert stream.result.details == "Cancelled: the engine was closed while the call was running."
