"""Unary gRPC calls through the engine after reflection, against a stub generated from
the mock's .proto, on the same mock in the same run: milliseconds per call and their
ratio (the engine's overhead)."""

from __future__ import annotations

import asyncio
import importlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from bench_common import start_mocks, stop_mocks

from apiclient.core.paths import resources_dir

PROTO_ROOT = resources_dir() / "proto"
PROTO = "tracks/v1/tracks.proto"
METHOD = "/mock.tracks.v1.TrackService/GetTrack"
MESSAGE = '{"id": "t1", "include_credits": true}'
# Engine and stub take turns, so a slow moment of the machine hits both; the ratio is
# the median of the rounds' ratios, which a burst of load elsewhere barely moves.
ROUNDS = 10


def _generate_stub(out: Path) -> tuple[Any, Any]:
    """The mock's .proto compiled by grpcio-tools into ``out``: (messages, stubs) modules."""
    from grpc_tools import protoc

    well_known = resources.files("grpc_tools") / "_proto"
    status = protoc.main(
        [
            "protoc",
            f"-I{PROTO_ROOT}",
            f"-I{well_known}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            PROTO,
        ]
    )
    if status != 0:
        raise RuntimeError(f"protoc failed on {PROTO} ({status})")
    sys.path.insert(0, str(out))
    return importlib.import_module("tracks.v1.tracks_pb2"), importlib.import_module(
        "tracks.v1.tracks_pb2_grpc"
    )


async def _timed(calls: int, one_call: Callable[[], Awaitable[str]]) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await one_call()
    return time.perf_counter() - start


async def _measure(target: str, calls: int, stub_dir: Path) -> tuple[float, float, float]:
    import grpc
    from google.protobuf import json_format

    from apiclient.core.models import GrpcRequest
    from apiclient.protocols.grpc import GrpcEngine
    from apiclient.protocols.grpc_catalog import reflect
    from apiclient.protocols.grpc_channel import CHANNEL_OPTIONS

    messages, stubs = _generate_stub(stub_dir)
    engine = GrpcEngine()
    catalog = await reflect(GrpcRequest(target=target))  # once, as the tab does
    request = GrpcRequest(target=target, method=METHOD, message=MESSAGE)

    async def engine_call() -> str:
        """As the gRPC tab calls: a resolved request with JSON in, JSON texts out."""
        stream = engine.stream(request, catalog)
        texts = [event.json async for event in stream]
        assert stream.result is not None and stream.result.ok, stream.result
        return texts[0]

    host = target.removeprefix("grpc://")
    channel = grpc.aio.insecure_channel(host, options=CHANNEL_OPTIONS)
    stub = stubs.TrackServiceStub(channel)

    async def stub_call() -> str:
        """The generated stub does the same JSON work as the engine, with json_format
        both ways (same printing options), so only the engine's own overhead differs."""
        message = json_format.Parse(MESSAGE, messages.GetTrackRequest())
        reply = await stub.GetTrack(message, timeout=request.deadline_s)
        return json_format.MessageToJson(
            reply,
            preserving_proto_field_name=True,
            indent=2,
            ensure_ascii=False,
            always_print_fields_with_no_presence=True,
        )

    try:
        same = json.loads(await engine_call()) == json.loads(await stub_call())
        assert same, "the engine and the stub disagree on the answer"
        await _timed(max(calls // 10, 20), engine_call)  # warm-up: channel, caches
        await _timed(max(calls // 10, 20), stub_call)
        engine_times: list[float] = []
        stub_times: list[float] = []
        per_round = max(calls // ROUNDS, 1)
        for turn in range(ROUNDS):
            if turn % 2:
                stub_times.append(await _timed(per_round, stub_call))
                engine_times.append(await _timed(per_round, engine_call))
            else:
                engine_times.append(await _timed(per_round, engine_call))
                stub_times.append(await _timed(per_round, stub_call))
        done = per_round * ROUNDS
        ratios = [engine / stub for engine, stub in zip(engine_times, stub_times, strict=True)]
        return (
            sum(engine_times) / done * 1000,
            sum(stub_times) / done * 1000,
            statistics.median(ratios),
        )
    finally:
        await channel.close()
        await engine.aclose()


def bench_grpc_unary(calls: int) -> None:
    """``calls`` sequential unary calls each way against the gRPC mock (in its own process)."""
    tmp = Path(tempfile.mkdtemp())
    server, urls = start_mocks(tmp)
    try:
        (tmp / "stub").mkdir()
        engine_ms, stub_ms, ratio = asyncio.run(_measure(urls["grpc"], calls, tmp / "stub"))
    finally:
        stop_mocks(server)
    print(f"grpc_engine_ms_per_call: {engine_ms:.3f} ms")
    print(f"grpc_stub_ms_per_call: {stub_ms:.3f} ms")
    print(f"grpc_overhead_ratio: {ratio:.2f} x (target 1.3; median of {ROUNDS} rounds)")


def run(quick: bool) -> None:
    bench_grpc_unary(calls=300 if quick else 2_000)
