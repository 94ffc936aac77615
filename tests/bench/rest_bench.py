"""The REST engine's own cost: sequential GETs of one small JSON item on the REST mock,
sent the way the REST tab sends (a resolved :class:`RestRequest` through
:class:`RestEngine`), against raw httpx on the same mock in the same run.

The raw baseline is the client style the engine uses, an ``httpx.AsyncClient`` on the
same loop. Measured alongside, for reference: a raw sync ``httpx.Client``, and the
runner's engine (:class:`ThreadedRestEngine`, exchanges on a worker thread with a sync
client) against it. All are warmed up, then run in interleaved rounds (the order
alternating) so the machine's load falls on each alike; each figure sums its rounds.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from bench_common import start_mocks, stop_mocks

from apiclient.core.models import RestRequest
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine

WARM_UP = 50
ROUNDS = 10

Send = Callable[[], Awaitable[object]]


async def _timed(send: Send, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        await send()
    return time.perf_counter() - started


def _checked(engine: RestEngine, request: RestRequest) -> Send:
    async def send() -> object:
        response = await engine.send(request)
        if response.status_code != 200:
            raise RuntimeError(f"rest bench: the mock answered {response.status_code}")
        return response

    return send


async def measure(url: str, count: int) -> dict[str, float]:
    """Seconds per request of each way of sending, keyed by name."""
    request = RestRequest(name="item", url=url)
    engine = RestEngine()
    threaded = ThreadedRestEngine(workers=1)
    raw = httpx.AsyncClient()
    sync = httpx.Client()

    async def raw_send() -> object:
        return (await raw.get(url)).content

    async def sync_send() -> object:  # blocks the loop: a reference, never an engine
        return sync.get(url).content

    sends = {
        "engine": _checked(engine, request),
        "raw": raw_send,
        "sync": sync_send,
        "threaded": _checked(threaded, request),
    }
    totals = dict.fromkeys(sends, 0.0)
    per_round = max(count // ROUNDS, 1)
    try:
        for send in sends.values():
            await _timed(send, WARM_UP)
        for round_number in range(ROUNDS):
            names = list(sends) if round_number % 2 == 0 else list(reversed(sends))
            for name in names:
                totals[name] += await _timed(sends[name], per_round)
    finally:
        await engine.aclose()
        await threaded.aclose()
        await raw.aclose()
        sync.close()
    return {name: total / (per_round * ROUNDS) for name, total in totals.items()}


def bench_rest(rest_url: str, count: int) -> None:
    per_req = asyncio.run(measure(f"{rest_url}/api/items/1", count))
    engine, raw, sync, threaded = (per_req[k] * 1000 for k in ("engine", "raw", "sync", "threaded"))
    print(f"rest_engine_ms_per_req: {engine:.3f} ms ({count:,} sequential GETs, REST tab's engine)")
    print(f"rest_raw_httpx_ms_per_req: {raw:.3f} ms (httpx.AsyncClient)")
    print(f"rest_overhead_ratio: {engine / raw:.2f} x (engine / raw httpx.AsyncClient)")
    print(f"rest_raw_httpx_sync_ms_per_req: {sync:.3f} ms (httpx.Client, reference)")
    print(
        f"rest_runner_engine_ms_per_req: {threaded:.3f} ms (the runner's: sync client on a thread)"
    )
    print(
        f"rest_runner_engine_vs_sync: {threaded / sync:.2f} x (runner's engine / raw httpx.Client)"
    )


def run(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server, urls = start_mocks(Path(tmp))
        try:
            bench_rest(urls["rest"], 200 if quick else 1_000)
        finally:
            stop_mocks(server)
