"""The runner's REST engine (exchanges on worker threads): what the shared REST tests
(run on both engines through the ``engine`` fixture) cannot see."""

from __future__ import annotations

import asyncio
import ssl
import threading

import pytest

from apiclient.core.models import RequestSettings, RestRequest
from apiclient.protocols.connection_tls import TlsKey
from apiclient.protocols.http import HttpClientPool
from apiclient.protocols.rest_threaded import ThreadedRestEngine

_HANG_GUARD_S = 10.0  # only so a broken abort fails the test instead of hanging it


def _send_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("rest-send")]


async def test_a_cancelled_send_frees_its_thread(rest_url: str) -> None:
    engine = ThreadedRestEngine(workers=2)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):  # cancels the send while the server waits
            await engine.send(RestRequest(url=f"{rest_url}/delay/60"))
    await engine.aclose()

    for thread in _send_threads():
        await asyncio.to_thread(thread.join, _HANG_GUARD_S)
    assert _send_threads() == []  # the blocked read was aborted, not left for 60 s


async def test_concurrent_sends_each_get_a_connection_then_reuse_them(rest_url: str) -> None:
    engine = ThreadedRestEngine(workers=8)
    request = RestRequest(url=f"{rest_url}/api/items/1")
    try:
        first = await asyncio.gather(*(engine.send(request) for _ in range(8)))
        again = await asyncio.gather(*(engine.send(request) for _ in range(8)))
    finally:
        await engine.aclose()

    assert {response.status_code for response in [*first, *again]} == {200}
    assert all(response.timings.reused_connection for response in again)


async def test_cookies_are_shared_by_every_thread(rest_url: str) -> None:
    engine = ThreadedRestEngine(workers=4)
    try:
        await engine.send(RestRequest(url=f"{rest_url}/cookies/set?session=abc"))
        seen = await asyncio.gather(
            *(engine.send(RestRequest(url=f"{rest_url}/cookies")) for _ in range(4))
        )
    finally:
        await engine.aclose()

    assert all(b'"session":"abc"' in response.body.replace(b" ", b"") for response in seen)
    assert [cookie.name for cookie in engine.cookies] == ["session"]


async def test_tls_connections_on_many_threads_never_rewrite_the_shared_context(
    tls_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpcore sets the ALPN list before each TLS connection. On the SSL context every
    # client shares, that write would race, inside OpenSSL, with the connections other
    # send threads are creating from it; count the writes that reach OpenSSL.
    writes: list[bytes] = []
    write = ssl.SSLContext._set_alpn_protocols

    def counted(context: ssl.SSLContext, protocols: bytes) -> None:
        writes.append(protocols)
        write(context, protocols)

    engine = ThreadedRestEngine(workers=8)
    request = RestRequest(url=f"{tls_url}/", settings=RequestSettings(verify_tls=False))
    # The process-wide context is built (its ALPN list set once) before the count starts.
    await HttpClientPool().ssl_context(TlsKey(verify=False))
    monkeypatch.setattr(ssl.SSLContext, "_set_alpn_protocols", counted)
    try:
        responses = await asyncio.gather(*(engine.send(request) for _ in range(8)))
    finally:
        await engine.aclose()
    assert [r.text() for r in responses] == ["hello over tls"] * 8
    assert all(r.timings.tls_s is not None for r in responses)  # 8 new TLS connections
    assert writes == []
