"""The OAuth 2.0 redirect listener on its own: where it listens, what it answers, and the
redirect URIs it refuses."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.oauth2_errors import RedirectListenerError
from apiclient.protocols.oauth2_listener import RedirectListener


async def test_takes_one_callback_and_keeps_the_host_as_typed() -> None:
    async with RedirectListener("http://localhost:0/oauth/callback") as listener:
        uri = listener.redirect_uri
        assert uri == f"http://localhost:{listener.port}/oauth/callback"
        async with httpx.AsyncClient(trust_env=False) as client:
            other = await client.get(f"http://127.0.0.1:{listener.port}/favicon.ico")
            assert other.status_code == 404
            page = await client.get(
                f"http://127.0.0.1:{listener.port}/oauth/callback?code=a%2Bb&state=s"
            )
        assert page.status_code == 200
        assert "You can close this tab and return to apiclient" in page.text
        assert await listener.wait(5) == {"code": "a+b", "state": "s"}
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", listener.port)) != 0


async def test_no_answer_in_time() -> None:
    async with RedirectListener("http://127.0.0.1:0/cb") as listener:
        with pytest.raises(RedirectListenerError, match=r"No answer reached http://127\.0\.0\.1:"):
            await listener.wait(0.05)


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("https://127.0.0.1:8791/cb", "must be an http:// address on this computer"),
        ("http://192.0.2.1:8791/cb", "must be an http:// address on this computer"),
        ("http://127.0.0.1/cb", "needs a port"),
        ("http://127.0.0.1:99999/cb", "needs a port"),
    ],
)
def test_refused_redirect_uris(uri: str, why: str) -> None:
    with pytest.raises(RequestBuildError, match=why):
        RedirectListener(uri)


async def test_stopping_twice_is_harmless() -> None:
    listener = RedirectListener("http://127.0.0.1:0/cb")
    await listener.start()
    await listener.stop()
    await listener.stop()
    await asyncio.sleep(0)


async def test_a_stray_callback_is_refused_and_the_real_one_still_taken() -> None:
    async with RedirectListener("http://127.0.0.1:0/cb", state="expected") as listener:
        waiting = asyncio.ensure_future(listener.wait(5))
        async with httpx.AsyncClient(trust_env=False) as client:
            base = f"http://127.0.0.1:{listener.port}/cb"
            stray = await client.get(f"{base}?code=evil&state=other")
            no_state = await client.get(f"{base}?error=access_denied")
            await asyncio.sleep(0.05)
            assert not waiting.done()
            real = await client.get(f"{base}?code=good&state=expected")
        assert (stray.status_code, no_state.status_code, real.status_code) == (400, 400, 200)
        assert "Not accepted" in stray.text
        assert await waiting == {"code": "good", "state": "expected"}
