"""Connection settings of the REST engines against the mock: redirects that keep the
method, the timeouts (connect, read, total), and the cookie jar (given, switched,
turned off for one send)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from http.cookiejar import CookieJar
from typing import Any

import pytest

from apiclient.core.models import Auth, Body, KeyValue, RequestSettings, RestRequest
from apiclient.protocols.errors import RequestTimeoutError, TooManyRedirectsError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine


@pytest.fixture(params=["async", "threaded"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[RestEngine]:
    made = RestEngine() if request.param == "async" else ThreadedRestEngine(workers=2)
    try:
        yield made
    finally:
        await made.aclose()


def _post(url: str, **settings: object) -> RestRequest:
    return RestRequest(
        method="POST",
        url=url,
        headers=[KeyValue(name="Content-Type", value="application/json")],
        body=Body(mode="raw", raw='{"keep": "me"}'),
        settings=RequestSettings(**settings),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("status", [301, 302])
async def test_keep_method_resends_the_method_and_body_on_301_and_302(
    engine: RestEngine, rest_url: str, status: int
) -> None:
    url = f"{rest_url}/redirect-to?url=/echo&status_code={status}"
    changed = await engine.send(_post(url))
    kept = await engine.send(_post(url, keep_method=True))

    assert json.loads(changed.body)["method"] == "GET"  # httpx's (and browsers') way
    echoed = json.loads(kept.body)
    assert (kept.method, echoed["method"], echoed["json"]) == ("POST", "POST", {"keep": "me"})
    assert echoed["headers"]["content-type"] == "application/json"
    assert kept.redirects == ((status, url),)
    assert kept.url == f"{rest_url}/echo"


async def test_keep_method_sends_credentials_on_to_the_same_origin_only(
    engine: RestEngine, rest_url: str
) -> None:
    port = rest_url.rsplit(":", 1)[1]
    auth = Auth(kind="basic", username="demo", password="demo-password")
    seen: dict[str, Any] = {}
    for name, target in (("same", "/echo"), ("other", f"http://localhost:{port}/echo")):
        request = _post(f"{rest_url}/redirect-to?url={target}", keep_method=True)
        response = await engine.send(request.model_copy(update={"auth": auth}))
        seen[name] = json.loads(response.body)
    assert seen["same"]["headers"]["authorization"].startswith("Basic ")
    assert "authorization" not in seen["other"]["headers"]
    assert seen["other"]["method"] == "POST"


async def test_keep_method_still_turns_a_303_into_a_get(engine: RestEngine, rest_url: str) -> None:
    url = f"{rest_url}/redirect-to?url=/echo&status_code=303"
    response = await engine.send(_post(url, keep_method=True))
    assert json.loads(response.body)["method"] == "GET"


async def test_keep_method_follows_chains_up_to_the_limit(
    engine: RestEngine, rest_url: str
) -> None:
    chain = await engine.send(_post(f"{rest_url}/redirect/3", keep_method=True, max_redirects=3))
    assert len(chain.redirects) == 3
    assert json.loads(chain.body)["json"] == {"keep": "me"}
    with pytest.raises(TooManyRedirectsError, match=r"limit \(2\)"):
        await engine.send(_post(f"{rest_url}/redirect/3", keep_method=True, max_redirects=2))
    unfollowed = await engine.send(
        _post(f"{rest_url}/redirect/3", keep_method=True, follow_redirects=False)
    )
    assert unfollowed.status_code == 302


async def test_the_total_timeout_bounds_the_whole_exchange(
    engine: RestEngine, rest_url: str
) -> None:
    settings = RequestSettings(total_timeout_s=0.3, timeout_s=10)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as caught:
        await engine.send(RestRequest(url=f"{rest_url}/delay/5", settings=settings))
    assert time.monotonic() - started < 3
    assert caught.value.phase == "total"
    assert caught.value.timeout_s == 0.3
    assert "total timeout of 0.3 s" in str(caught.value)
    # The engine is still usable after.
    assert (await engine.send(RestRequest(url=f"{rest_url}/echo"))).status_code == 200


async def test_the_read_timeout_is_its_own(engine: RestEngine, rest_url: str) -> None:
    settings = RequestSettings(timeout_s=0.3, connect_timeout_s=5)
    with pytest.raises(RequestTimeoutError) as caught:
        await engine.send(RestRequest(url=f"{rest_url}/delay/5", settings=settings))
    assert (caught.value.phase, caught.value.timeout_s) == ("read", 0.3)


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose listen queue is full, so a new connection waits for ever (SYNs
    dropped): where only the connect timeout can end it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for each in [*fillers, server]:
            each.close()


async def test_the_connect_timeout_is_its_own(engine: RestEngine, full_backlog: int) -> None:
    settings = RequestSettings(connect_timeout_s=0.3, timeout_s=10)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as caught:
        await engine.send(RestRequest(url=f"http://127.0.0.1:{full_backlog}/", settings=settings))
    assert time.monotonic() - started < 5
    assert (caught.value.phase, caught.value.timeout_s) == ("connect", 0.3)
    assert "timed out after 0.3 s (connect timeout)" in str(caught.value)


async def test_cookies_persist_in_the_jar_given_and_follow_a_switch(
    rest_url: str,
) -> None:
    first, second = CookieJar(), CookieJar()
    engine = RestEngine(cookie_jar=first)
    try:
        await engine.send(RestRequest(url=f"{rest_url}/cookies/set?flavour=oat"))
        assert [cookie.name for cookie in first] == ["flavour"]
        engine.set_cookie_jar(second)
        empty = await engine.send(RestRequest(url=f"{rest_url}/cookies"))
        engine.set_cookie_jar(first)
        again = await engine.send(RestRequest(url=f"{rest_url}/cookies"))
    finally:
        await engine.aclose()
    assert json.loads(empty.body) == {"cookies": {}}
    assert json.loads(again.body) == {"cookies": {"flavour": "oat"}}
    assert list(second) == []


async def test_a_send_without_cookies_sends_and_stores_none(
    engine: RestEngine, rest_url: str
) -> None:
    await engine.send(RestRequest(url=f"{rest_url}/cookies/set?kept=1"))
    off = RequestSettings(send_cookies=False)
    sent = await engine.send(RestRequest(url=f"{rest_url}/cookies", settings=off))
    await engine.send(RestRequest(url=f"{rest_url}/cookies/set?dropped=1", settings=off))
    after = await engine.send(RestRequest(url=f"{rest_url}/cookies"))

    assert json.loads(sent.body) == {"cookies": {}}
    assert json.loads(after.body) == {"cookies": {"kept": "1"}}
    assert [cookie.name for cookie in engine.cookies] == ["kept"]
