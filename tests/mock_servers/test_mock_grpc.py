"""The gRPC mock, driven by real clients: grpc.aio channels with the generated stubs,
grpc's own reflection client (ProtoReflectionDescriptorDatabase), the health stub."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import trustme
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, timestamp_pb2
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from grpc_status import rpc_status

from mock_servers.errors import PortInUseError
from mock_servers.grpc_generate import GENERATED_FILES, OUT_DIR, generate
from mock_servers.grpc_generated import tracks_pb2, tracks_pb2_grpc
from mock_servers.grpc_server import (
    HEALTH_SERVICE,
    REFLECTION_V1,
    REFLECTION_V1ALPHA,
    SERVICE_NAME,
    start_grpc_mock,
)

Genre = tracks_pb2.Genre
REFLECTION_METHOD = "/{}/ServerReflectionInfo"


@pytest.fixture(scope="module")
def target(mock_urls: dict[str, str]) -> str:
    url = mock_urls["grpc"]
    assert url.startswith("grpc://127.0.0.1:")
    return url.removeprefix("grpc://")


@pytest.fixture
async def channel(target: str) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(target) as channel:
        yield channel


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> tracks_pb2_grpc.TrackServiceStub:
    return tracks_pb2_grpc.TrackServiceStub(channel)


async def _details(call: grpc.aio.Call) -> list[object]:
    """The google.rpc.Status details of a failed call, unpacked."""
    status = await rpc_status.aio.from_call(call)
    assert status is not None, "no grpc-status-details-bin trailer"
    unpacked = []
    for detail in status.details:
        for kind in (error_details_pb2.BadRequest, error_details_pb2.ErrorInfo):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                unpacked.append(message)
    return unpacked


# --- unary ------------------------------------------------------------------------------


async def test_get_track_with_every_kind_of_field(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    track = await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t1", include_credits=True))
    assert track.title == "Paper Lanterns"
    assert (track.artist.id, track.artist.name, track.artist.country) == (
        "a1",
        "The Night Orchard",
        "GB",
    )
    assert track.genre == Genre.ROCK
    assert list(track.tags) == ["indie", "guitar"]
    assert dict(track.credits) == {"producer": "Mara Quinn", "mixing": "Tom Ellis"}
    assert track.WhichOneof("source") == "stream_url"
    assert track.stream_url == "https://streams.example.com/t1.ogg"
    assert track.released_at.ToDatetime(datetime.UTC) == datetime.datetime(
        2019, 4, 12, tzinfo=datetime.UTC
    )
    assert track.length.ToTimedelta() == datetime.timedelta(minutes=3, seconds=47)
    assert track.HasField("rating")
    assert track.rating.value == pytest.approx(4.6)
    extra = json_format.MessageToDict(track.extra)
    assert extra["label"] == {"name": "Orchard Records", "country": "GB"}
    assert extra["awards"] == ["Indie Single of the Year"]

    plain = await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t2"))
    assert not plain.credits  # only with include_credits
    assert plain.WhichOneof("source") == "upload_id"
    assert plain.upload_id == 9007199254740993
    assert not plain.HasField("rating")
    as_json = json_format.MessageToDict(plain)
    assert as_json["uploadId"] == "9007199254740993"  # int64 is a string in JSON
    assert "rating" not in as_json

    zero = await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t8"))
    assert zero.HasField("rating")
    assert zero.rating.value == 0.0  # set to zero, unlike t2's absent rating
    no_source = await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t6"))
    assert no_source.WhichOneof("source") is None
    fractions = await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t4"))
    assert fractions.length.ToTimedelta() == datetime.timedelta(minutes=5, seconds=12.25)
    assert fractions.released_at.nanos == 500_000_000


async def test_unknown_track_is_not_found(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetTrack(tracks_pb2.GetTrackRequest(id="404"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details() == "No track with id '404'"


async def test_empty_id_has_a_bad_request_detail(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    call = stub.GetTrack(tracks_pb2.GetTrackRequest(id=""))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    (bad_request,) = await _details(call)
    assert isinstance(bad_request, error_details_pb2.BadRequest)
    (violation,) = bad_request.field_violations
    assert (violation.field, violation.description) == ("id", "must not be empty")


async def test_slow_track_exceeds_a_one_second_deadline(
    stub: tracks_pb2_grpc.TrackServiceStub,
) -> None:
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetTrack(tracks_pb2.GetTrackRequest(id="slow"), timeout=1.0)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.9 < time.monotonic() - started < 3.0


async def test_metadata_is_echoed_and_trailer_set(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    call = stub.GetTrack(
        tracks_pb2.GetTrackRequest(id="t3"), metadata=(("x-request-id", "req-42"),)
    )
    assert (await call).id == "t3"
    assert ("x-request-id", "req-42") in tuple(await call.initial_metadata())
    assert ("x-served-by", "apiclient-mock") in tuple(await call.trailing_metadata())

    failing = stub.GetTrack(tracks_pb2.GetTrackRequest(id="404"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await failing
    assert ("x-served-by", "apiclient-mock") in tuple(caught.value.trailing_metadata() or ())

    streaming = stub.ListTracks(
        tracks_pb2.ListTracksRequest(limit=1, interval_ms=1),
        metadata=(("x-request-id", "stream-1"),),
    )
    assert [track.id async for track in streaming] == ["t1"]
    assert ("x-request-id", "stream-1") in tuple(await streaming.initial_metadata())
    assert ("x-served-by", "apiclient-mock") in tuple(await streaming.trailing_metadata())


async def test_deny_token_is_unauthenticated(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetTrack(
            tracks_pb2.GetTrackRequest(id="t1"), metadata=(("authorization", "Bearer deny"),)
        )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    allowed = await stub.GetTrack(
        tracks_pb2.GetTrackRequest(id="t1"), metadata=(("authorization", "Bearer anything"),)
    )
    assert allowed.id == "t1"


# --- server streaming -------------------------------------------------------------------


async def test_list_tracks_by_genre_limit_and_interval(
    stub: tracks_pb2_grpc.TrackServiceStub,
) -> None:
    jazz = [t.id async for t in stub.ListTracks(tracks_pb2.ListTracksRequest(genre=Genre.JAZZ))]
    assert jazz == ["t3", "t4"]
    every = stub.ListTracks(tracks_pb2.ListTracksRequest(interval_ms=1))
    tracks = [track async for track in every]
    assert [t.id for t in tracks] == [f"t{n}" for n in range(1, 9)]
    assert all(not t.credits for t in tracks)

    started = time.monotonic()
    spaced = stub.ListTracks(tracks_pb2.ListTracksRequest(limit=3, interval_ms=200))
    assert [t.id async for t in spaced] == ["t1", "t2", "t3"]
    assert time.monotonic() - started >= 0.38  # two pauses between three tracks

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.ListTracks(tracks_pb2.ListTracksRequest(interval_ms=6000)):
            pass
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "interval_ms" in (caught.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.ListTracks(tracks_pb2.ListTracksRequest(genre=99, limit=-1)):  # type: ignore[arg-type]
            pass
    assert caught.value.details() == "limit must not be negative; genre unknown genre number 99"


async def test_list_tracks_abort_after(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    received = []
    call = stub.ListTracks(tracks_pb2.ListTracksRequest(interval_ms=1, abort_after=2))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for track in call:
            received.append(track.id)
    assert received == ["t1", "t2"]
    assert caught.value.code() == grpc.StatusCode.ABORTED
    assert caught.value.details() == "stream aborted by the server after 2 tracks"

    # A listing shorter than abort_after ends normally.
    short = stub.ListTracks(tracks_pb2.ListTracksRequest(genre=Genre.ROCK, abort_after=5))
    assert [t.id async for t in short] == ["t1", "t2"]
    assert await short.code() == grpc.StatusCode.OK


# --- client streaming -------------------------------------------------------------------


def _play(track_id: str, seconds: int) -> tracks_pb2.PlayEvent:
    at = timestamp_pb2.Timestamp()
    at.GetCurrentTime()
    return tracks_pb2.PlayEvent(track_id=track_id, at=at, seconds=seconds)


async def test_record_plays_summary(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    async def plays() -> AsyncIterator[tracks_pb2.PlayEvent]:
        for track_id, seconds in [
            ("t1", 200),
            ("zzz", 5),
            ("t1", 30),
            ("t3", 373),
            ("yyy", 1),
            ("zzz", 2),
        ]:
            yield _play(track_id, seconds)

    summary = await stub.RecordPlays(plays())
    assert summary.plays == 6
    assert summary.total_seconds == 611
    assert dict(summary.per_track) == {"t1": 2, "t3": 1}
    assert list(summary.unknown_tracks) == ["zzz", "yyy"]

    call = stub.RecordPlays()
    await call.write(_play("t1", 10))
    await call.write(_play("t2", -3))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "seconds must not be negative" in (caught.value.details() or "")
    (bad_request,) = await _details(call)
    assert isinstance(bad_request, error_details_pb2.BadRequest)
    assert bad_request.field_violations[0].field == "seconds"


# --- bidirectional ----------------------------------------------------------------------


def _say(text: str, bpm: int | None = None) -> tracks_pb2.JamMessage:
    message = tracks_pb2.JamMessage(text=text)
    setattr(message, "from", "tester")  # `from` is a Python keyword
    if bpm is not None:
        message.bpm = bpm
    return message


async def test_jam_echoes_until_bye(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    call = stub.Jam()
    await call.write(_say("hello", bpm=0))
    reply = await call.read()
    assert reply.text == "echo: hello"
    assert getattr(reply, "from") == "mock"
    assert reply.HasField("bpm")
    assert reply.bpm == 0
    assert reply.at.seconds > 0
    await call.write(_say("no tempo"))
    assert not (await call.read()).HasField("bpm")
    await call.write(_say("bye"))
    assert (await call.read()).text == "echo: bye"
    assert await call.read() is grpc.aio.EOF
    assert await call.code() == grpc.StatusCode.OK


async def test_jam_boom_is_internal_with_detail(stub: tracks_pb2_grpc.TrackServiceStub) -> None:
    call = stub.Jam()
    await call.write(_say("one"))
    assert (await call.read()).text == "echo: one"
    await call.write(_say("boom"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call.read()
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    (info,) = await _details(call)
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert info.reason == "JAM_BOOM"
    assert info.metadata["from"] == "tester"


# --- health and reflection --------------------------------------------------------------


async def test_health_is_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE_NAME):
        response = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    watch = health.Watch(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
    assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
    watch.cancel()


def _comments(file: descriptor_pb2.FileDescriptorProto) -> str:
    return "\n".join(loc.leading_comments for loc in file.source_code_info.location)


def test_generic_reflection_client(target: str) -> None:
    with grpc.insecure_channel(target) as sync_channel:
        database = ProtoReflectionDescriptorDatabase(sync_channel)
        services = set(database.get_services())
        assert services == {SERVICE_NAME, HEALTH_SERVICE, REFLECTION_V1ALPHA, REFLECTION_V1}
        pool = descriptor_pool.DescriptorPool(database)
        service = pool.FindServiceByName(SERVICE_NAME)
        kinds = {
            m.name: (m.client_streaming, m.server_streaming, m.input_type.name)
            for m in service.methods
        }
        assert kinds == {
            "GetTrack": (False, False, "GetTrackRequest"),
            "ListTracks": (False, True, "ListTracksRequest"),
            "RecordPlays": (True, False, "PlayEvent"),
            "Jam": (True, True, "JamMessage"),
        }
        track = pool.FindMessageTypeByName("mock.tracks.v1.Track")
        assert track.fields_by_name["artist"].message_type.full_name == "mock.tracks.v1.Artist"
        assert track.fields_by_name["released_at"].message_type.full_name == (
            "google.protobuf.Timestamp"
        )
        assert [f.name for f in track.oneofs_by_name["source"].fields] == [
            "stream_url",
            "upload_id",
        ]
        # Reflection hands out the .proto's comments too.
        file = database.FindFileContainingSymbol(SERVICE_NAME)
        assert "Look up, list, record and jam about tracks." in _comments(file)

        # The same over grpc.reflection.v1 (same messages, other package).
        v1 = sync_channel.stream_stream(
            REFLECTION_METHOD.format(REFLECTION_V1),
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol=REFLECTION_V1),
        ]
        listed, v1_file = list(v1(iter(requests), timeout=5))
        assert {s.name for s in listed.list_services_response.service} == services
        (serialized,) = v1_file.file_descriptor_response.file_descriptor_proto
        described = descriptor_pb2.FileDescriptorProto.FromString(serialized)
        assert described.package == "grpc.reflection.v1"
        assert described.service[0].method[0].input_type == (
            ".grpc.reflection.v1.ServerReflectionRequest"
        )


# --- variants: no reflection, TLS, port in use, generated code --------------------------


async def test_variant_without_reflection_refuses_it() -> None:
    server = await start_grpc_mock(reflection=False)
    try:
        target = f"127.0.0.1:{server.port}"

        def list_services() -> list[str]:
            with grpc.insecure_channel(target) as sync_channel:
                return list(ProtoReflectionDescriptorDatabase(sync_channel).get_services())

        with pytest.raises(grpc.RpcError) as caught:
            await asyncio.to_thread(list_services)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED  # type: ignore[attr-defined]
        async with grpc.aio.insecure_channel(target) as channel:
            stub = tracks_pb2_grpc.TrackServiceStub(channel)
            assert (await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t5"))).id == "t5"
    finally:
        await server.stop()


async def test_tls_variant_with_a_trustme_ca() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    credentials = grpc.ssl_server_credentials(
        [(cert.private_key_pem.bytes(), cert.cert_chain_pems[0].bytes())]
    )
    server = await start_grpc_mock(credentials=credentials)
    try:
        trusted = grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes())
        async with grpc.aio.secure_channel(f"localhost:{server.port}", trusted) as channel:
            stub = tracks_pb2_grpc.TrackServiceStub(channel)
            assert (await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t7"))).artist.country == (
                "SE"
            )
        untrusted = grpc.ssl_channel_credentials(root_certificates=trustme.CA().cert_pem.bytes())
        async with grpc.aio.secure_channel(f"localhost:{server.port}", untrusted) as channel:
            stub = tracks_pb2_grpc.TrackServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.GetTrack(tracks_pb2.GetTrackRequest(id="t7"), timeout=5)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop()


async def test_port_in_use(occupied_port: int) -> None:
    with pytest.raises(PortInUseError, match=f"Port {occupied_port} for the grpc mock"):
        await start_grpc_mock(port=occupied_port)


def test_generated_code_matches_the_proto(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in GENERATED_FILES:
        assert (tmp_path / name).read_bytes() == (OUT_DIR / name).read_bytes(), (
            f"mock_servers/grpc_generated/{name} is stale: run python -m mock_servers.grpc_generate"
        )
