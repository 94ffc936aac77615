"""The webhook receiver against real senders: a real uvicorn server on 127.0.0.1 on its
own thread, real httpx clients, a real SQLite inbox."""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import math
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from webhook_helpers import RECEIVER_THREADS, Receivers, github_signature
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from apiclient.protocols.webhook import (
    WebhookBindError,
    WebhookConfigError,
    WebhookError,
    WebhookReceiver,
    check_receiver_config,
    is_all_interfaces,
)
from apiclient.protocols.webhook_app import bind_listener
from apiclient.protocols.webhook_events import (
    EventSummary,
    ReceiverConfig,
    ResponseConfig,
    SignatureConfig,
)
from apiclient.protocols.webhook_store import WebhookStore

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, trust_env=False) as sender:
        yield sender


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


# -- starting and stopping ---------------------------------------------------------------


async def test_start_returns_the_url_and_stop_frees_everything(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    receiver, store, _probe = receivers.make()
    assert not receiver.running and receiver.url is None

    url = await receiver.start(ReceiverConfig(port=0))

    assert url.startswith("http://127.0.0.1:") and _port(url) > 0
    assert receiver.running and receiver.url == url and receiver.port == _port(url)
    assert (await client.get(f"{url}/ping")).status_code == 200
    await receiver.stop()
    assert not receiver.running and receiver.url is None and receiver.port is None
    assert not [t for t in threading.enumerate() if t.name.startswith(RECEIVER_THREADS)]
    with pytest.raises(httpx.ConnectError):
        await client.get(f"{url}/ping")
    await receiver.stop()  # a second stop does nothing
    assert store.count() == 1


async def test_restart_after_stop_on_the_same_port(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    receiver, store, _probe = receivers.make()
    url = await receiver.start(ReceiverConfig())
    assert (await client.post(f"{url}/one", content=b"1")).status_code == 200
    await receiver.stop()

    again = await receiver.start(ReceiverConfig(port=_port(url)))

    assert again == url
    assert (await client.post(f"{url}/two", content=b"2")).status_code == 200
    assert [s.path for s in store.summaries()] == ["/two", "/one"]


async def test_starting_twice_is_refused(receivers: Receivers) -> None:
    running = await receivers.start()
    with pytest.raises(WebhookError, match="already running"):
        await running.receiver.start(ReceiverConfig())
    assert running.receiver.running


async def test_start_and_stop_do_not_hold_the_callers_loop(receivers: Receivers) -> None:
    receiver, _store, _probe = receivers.make()
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await receiver.start(ReceiverConfig(response=ResponseConfig(delay_s=30)))
    await receiver.stop()
    done.set()
    await ticker
    assert gaps and max(gaps) < 0.1, max(gaps)


async def test_stop_answers_delayed_requests_at_once(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(response=ResponseConfig(delay_s=60)))
    pending = asyncio.create_task(client.post(f"{running.url}/slow", content=b"x"))
    await running.probe.until(lambda: len(running.probe.events) == 1, "the event")

    started = time.perf_counter()
    await running.receiver.stop()

    assert time.perf_counter() - started < 3
    assert (await pending).status_code == 200


# -- what is captured --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])
async def test_any_method_path_and_query_is_captured_exactly(
    receivers: Receivers, client: httpx.AsyncClient, method: str
) -> None:
    running = await receivers.start()
    body = b"" if method == "GET" else b"\x00\xffbinary \xe2\x82\xac"
    headers = [
        ("X-Event", "push"),
        ("X-Repeat", "one"),
        ("X-Repeat", "two"),
        ("Content-Type", "application/octet-stream"),
    ]

    response = await client.request(
        method,
        f"{running.url}/hooks/a%2Fb/%C3%A9t%C3%A9?x=1&x=2&q=a%20b&flag",
        content=body,
        headers=headers,
    )

    assert response.status_code == 200
    (event,) = running.events()
    summary = event.summary
    assert summary.method == method
    assert summary.path == "/hooks/a%2Fb/%C3%A9t%C3%A9"
    assert summary.query == "x=1&x=2&q=a%20b&flag"
    assert summary.content_type == "application/octet-stream"
    assert summary.size == len(body) and event.body == body
    host, _, port = summary.source.rpartition(":")
    assert host == "127.0.0.1" and int(port) > 0
    assert summary.response_status == 200 and summary.note == ""
    sent = [(k.lower(), v) for k, v in headers]
    assert [h for h in event.headers if h[0] in ("x-event", "x-repeat", "content-type")] == sent
    assert ("host", running.url.removeprefix("http://")) in event.headers
    assert running.probe.events == [summary]


async def test_head_is_captured_and_answered_without_a_body(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    config = ReceiverConfig(response=ResponseConfig(status=200, body="not for HEAD"))
    running = await receivers.start(config)
    response = await client.head(f"{running.url}/probe")
    assert response.status_code == 200 and response.content == b""
    assert [s.method for s in running.store.summaries()] == ["HEAD"]


async def test_malformed_json_is_kept_raw(receivers: Receivers, client: httpx.AsyncClient) -> None:
    running = await receivers.start()
    body = b'{"action": "opened", "number": 12,, ]'
    response = await client.post(
        f"{running.url}/gh", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    (event,) = running.events()
    assert event.body == body and event.summary.content_type == "application/json"


async def test_the_event_is_stored_before_the_answer(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(response=ResponseConfig(delay_s=2)))
    started = time.perf_counter()
    pending = asyncio.create_task(client.post(f"{running.url}/stored-first", content=b"{}"))

    await running.probe.until(lambda: len(running.probe.events) == 1, "on_event")

    assert not pending.done()
    assert running.store.count() == 1
    assert running.store.get(running.probe.events[0].id) is not None
    response = await pending
    assert response.status_code == 200
    assert time.perf_counter() - started >= 1.9


async def test_a_listener_that_raises_does_not_stop_the_receiver(
    tmp_path: Path, client: httpx.AsyncClient
) -> None:
    def explode(_summary: EventSummary) -> None:
        raise RuntimeError("listener bug")

    store = WebhookStore(tmp_path / "inbox.sqlite3")
    receiver = WebhookReceiver(store, on_event=explode)
    try:
        url = await receiver.start(ReceiverConfig())
        for _ in range(3):
            assert (await client.post(f"{url}/x", content=b"x")).status_code == 200
        assert store.count() == 3
    finally:
        await receiver.stop()
        store.close()


async def test_an_event_that_cannot_be_stored_is_answered_500(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start()
    running.store.close()

    response = await client.post(f"{running.url}/lost", content=b"x")

    assert response.status_code == 500
    assert "could not save this event" in response.text
    assert running.probe.events == []
    (sentence,) = running.probe.errors
    assert "POST /lost" in sentence and "could not be saved" in sentence
    assert running.receiver.running


async def test_a_websocket_upgrade_is_refused(receivers: Receivers) -> None:
    running = await receivers.start()
    ws_url = running.url.replace("http://", "ws://") + "/socket"
    with pytest.raises(InvalidStatus) as caught:
        async with connect(ws_url, open_timeout=5):
            pass
    assert caught.value.response.status_code == 403
    assert running.store.count() == 0
    assert running.receiver.running


# -- what is answered --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response_config", "content_type"),
    [
        pytest.param(ResponseConfig(), None, id="200-empty"),
        pytest.param(
            ResponseConfig(status=500, body='{"error": "boom"}'), "application/json", id="500"
        ),
        pytest.param(ResponseConfig(status=410, body="gone"), "text/plain", id="410"),
        pytest.param(
            ResponseConfig(
                status=202,
                headers=(("Content-Type", "application/xml"), ("X-Receiver", "yes")),
                body="<ok/>",
            ),
            "application/xml",
            id="202-headers",
        ),
        pytest.param(ResponseConfig(status=204, body="dropped"), None, id="204"),
        pytest.param(ResponseConfig(delay_s=0.5, body="slow"), "text/plain", id="slow"),
    ],
)
async def test_the_configured_answer_is_sent(
    receivers: Receivers,
    client: httpx.AsyncClient,
    response_config: ResponseConfig,
    content_type: str | None,
) -> None:
    running = await receivers.start(ReceiverConfig(response=response_config))
    started = time.perf_counter()

    response = await client.post(f"{running.url}/hook", content=b"{}")

    assert time.perf_counter() - started >= response_config.delay_s
    assert response.status_code == response_config.status
    expected = "" if response_config.status == 204 else response_config.body
    assert response.text == expected
    got = response.headers.get("content-type")
    assert (got or "").startswith(content_type) if content_type else got is None
    for name, value in response_config.headers:
        assert response.headers[name] == value
    assert "server" not in response.headers
    assert running.store.summaries()[0].response_status == response_config.status


async def test_update_applies_to_the_next_request(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start()
    assert (await client.post(f"{running.url}/a", content=b"1")).status_code == 200

    new = ReceiverConfig(
        host="0.0.0.0",
        port=1234,
        response=ResponseConfig(status=503, body="down"),
        max_body_bytes=4,
    )
    running.receiver.update(new)

    response = await client.post(f"{running.url}/b", content=b"1")
    assert (response.status_code, response.text) == (503, "down")
    assert (await client.post(f"{running.url}/c", content=b"12345")).status_code == 413
    config = running.receiver.config
    assert (config.host, config.port) == ("127.0.0.1", 0)  # kept: they need a restart
    assert config.response.status == 503 and running.receiver.url == running.url


async def test_update_with_bad_settings_keeps_the_old_ones(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(response=ResponseConfig(status=201)))
    with pytest.raises(WebhookConfigError) as caught:
        running.receiver.update(ReceiverConfig(response=ResponseConfig(status=42)))
    assert caught.value.field == "response.status"
    assert (await client.get(f"{running.url}/still")).status_code == 201


async def test_forwarding_to_itself_is_refused(receivers: Receivers) -> None:
    running = await receivers.start()
    with pytest.raises(WebhookConfigError, match="itself") as caught:
        running.receiver.update(ReceiverConfig(forward_url=f"{running.url}/loop"))
    assert caught.value.field == "forward_url"
    localhost = running.url.replace("127.0.0.1", "localhost")
    with pytest.raises(WebhookConfigError, match="itself"):
        running.receiver.update(ReceiverConfig(forward_url=localhost))


# -- bodies over the limit ---------------------------------------------------------------


async def test_a_declared_body_over_the_limit_is_refused_unread(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    limit = 10 * 1024 * 1024
    running = await receivers.start(ReceiverConfig(max_body_bytes=limit))
    body = b"x" * int(12.3 * 1024 * 1024)

    response = await client.post(f"{running.url}/big", content=body)

    assert response.status_code == 413
    assert "10 MB" in response.text
    (event,) = running.events()
    assert event.body == b"" and event.summary.size == len(body)
    assert event.summary.response_status == 413
    assert event.summary.note == (
        "Body of 12.3 MB is over the 10 MB limit; answered 413 without reading it."
    )
    assert event.summary.verdict == "unchecked"
    # The same connection goes on serving.
    assert (await client.post(f"{running.url}/small", content=b"ok")).status_code == 200
    assert running.store.count() == 2


async def test_a_chunked_body_growing_over_the_limit_is_refused(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(max_body_bytes=100_000))

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"y" * 10_000

    response = await client.post(f"{running.url}/stream", content=stream())

    assert response.status_code == 413
    (event,) = running.events()
    assert ("transfer-encoding", "chunked") in event.headers
    assert event.body == b"" and 100_000 < event.summary.size < 500_000
    assert event.summary.note.startswith("Body grew over the 97.7 KB limit")
    assert (await client.post(f"{running.url}/small", content=b"ok")).status_code == 200


async def test_a_body_at_the_limit_is_accepted(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(max_body_bytes=1000))

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"z" * 100

    assert (await client.post(f"{running.url}/a", content=b"a" * 1000)).status_code == 200
    assert (await client.post(f"{running.url}/b", content=stream())).status_code == 200
    assert [len(e.body) for e in running.events()] == [1000, 1000]


# -- signatures --------------------------------------------------------------------------


async def test_a_github_signature_is_verified_and_stored(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    secret = "It's a Secret to Everybody"
    signature = SignatureConfig(scheme="github", secret=secret)
    running = await receivers.start(ReceiverConfig(signature=signature))
    body = json.dumps({"zen": "Keep it logically awesome."}).encode()

    good = {"X-Hub-Signature-256": github_signature(secret, body), "X-GitHub-Event": "ping"}
    bad = {"X-Hub-Signature-256": github_signature("other", body)}
    for headers in (good, bad, {}):
        response = await client.post(f"{running.url}/gh", content=body, headers=headers)
        assert response.status_code == 200  # a bad signature is recorded, not refused

    verdicts = [e.summary.verdict for e in running.events()]
    assert verdicts == ["valid", "invalid", "unsigned"]
    assert all(e.summary.verdict_reason for e in running.events())


# -- forwarding --------------------------------------------------------------------------


async def test_events_are_forwarded_to_another_receiver(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    target = await receivers.start(ReceiverConfig(response=ResponseConfig(status=202)))
    config = ReceiverConfig(forward_url=f"{target.url}/relay")
    source = await receivers.start(config)
    body = b'{"id": "evt_1"}'

    for n in range(3):
        response = await client.post(
            f"{source.url}/stripe/{n}?live=false",
            content=body,
            headers={"Stripe-Signature": "t=1,v1=ab", "Content-Type": "application/json"},
        )
        assert response.status_code == 200

    await source.probe.until(lambda: len(source.probe.forwards) == 3, "3 forwards")
    forwards = sorted(source.probe.forwards, key=lambda r: r.event_id)
    assert [f.status for f in forwards] == [202, 202, 202]
    assert all(f.error == "" and f.elapsed_ms > 0 for f in forwards)
    assert forwards[0].url == f"{target.url}/relay/stripe/0?live=false"
    arrived = sorted(target.events(), key=lambda e: e.summary.path)
    assert [e.summary.path for e in arrived] == [f"/relay/stripe/{n}" for n in range(3)]
    for event in arrived:
        assert event.body == body and event.summary.query == "live=false"
        assert ("stripe-signature", "t=1,v1=ab") in event.headers
        assert ("content-type", "application/json") in event.headers
        assert ("host", target.url.removeprefix("http://")) in event.headers


async def test_forwarding_to_a_closed_port_reports_and_keeps_serving(
    receivers: Receivers, client: httpx.AsyncClient, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}/hooks"
    running = await receivers.start(ReceiverConfig(forward_url=url))

    assert (await client.post(f"{running.url}/one", content=b"1")).status_code == 200
    await running.probe.until(lambda: len(running.probe.forwards) == 1, "the forward result")

    (result,) = running.probe.forwards
    assert result.status is None and result.url == f"{url}/one"
    assert "connection refused" in result.error and url in result.error
    assert (await client.post(f"{running.url}/two", content=b"2")).status_code == 200
    assert running.store.count() == 2


# -- settings and binding ----------------------------------------------------------------


async def test_a_port_in_use_is_reported(receivers: Receivers, busy_port: int) -> None:
    receiver, _store, _probe = receivers.make()
    with pytest.raises(WebhookBindError) as caught:
        await receiver.start(ReceiverConfig(port=busy_port))
    assert str(caught.value) == (
        f"Port {busy_port} on 127.0.0.1 is already in use by another program: choose another"
        " port or stop that program."
    )
    assert (caught.value.host, caught.value.port) == ("127.0.0.1", busy_port)
    assert not receiver.running
    assert not [t for t in threading.enumerate() if t.name.startswith(RECEIVER_THREADS)]


async def test_a_port_another_receiver_holds_is_reported(receivers: Receivers) -> None:
    first = await receivers.start()
    second, _store, _probe = receivers.make()
    with pytest.raises(WebhookBindError, match="already in use"):
        await second.start(ReceiverConfig(port=_port(first.url)))
    assert first.receiver.running


@pytest.mark.parametrize("port", [80, 1023, 1])
async def test_privileged_ports_are_refused_before_binding(receivers: Receivers, port: int) -> None:
    receiver, _store, _probe = receivers.make()
    with pytest.raises(WebhookConfigError, match="administrator rights") as caught:
        await receiver.start(ReceiverConfig(port=port))
    assert caught.value.field == "port"


async def test_a_host_that_is_not_this_machine_is_reported(receivers: Receivers) -> None:
    receiver, _store, _probe = receivers.make()
    with pytest.raises(WebhookBindError, match="not an address of this machine") as caught:
        await receiver.start(ReceiverConfig(host="192.0.2.1"))
    assert caught.value.host == "192.0.2.1"
    assert not receiver.running


@pytest.mark.parametrize("host", ["::ffff:192.0.2.1", "2001:db8::1", "fe80::1"])
async def test_an_address_that_cannot_be_bound_is_a_bind_error(
    receivers: Receivers, host: str
) -> None:
    receiver, _store, _probe = receivers.make()
    with pytest.raises(WebhookBindError) as caught:
        await receiver.start(ReceiverConfig(host=host))
    assert caught.value.host == host and host in str(caught.value)
    assert not receiver.running


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_a_socket_that_cannot_be_created_is_a_bind_error(host: str) -> None:
    """socket() itself failing (here for real: no descriptor left under a lowered limit,
    as IPv6 switched off would fail it with EAFNOSUPPORT) is a WebhookBindError too."""
    resource = pytest.importorskip("resource")  # POSIX only
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowest_free = os.dup(0)
    os.close(lowest_free)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))
    try:
        with pytest.raises(WebhookBindError) as caught:
            bind_listener(host, 0)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert (caught.value.host, caught.value.port) == (host, 0)
    assert str(caught.value).startswith(f"Cannot listen on {host} port 0: ")


async def test_all_interfaces_shows_a_loopback_url(
    receivers: Receivers, client: httpx.AsyncClient
) -> None:
    running = await receivers.start(ReceiverConfig(host="0.0.0.0"))
    assert running.url.startswith("http://127.0.0.1:")
    assert (await client.get(f"{running.url}/x")).status_code == 200


async def test_an_ipv6_host_is_bracketed(receivers: Receivers, client: httpx.AsyncClient) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")
    running = await receivers.start(ReceiverConfig(host="::1"))
    assert running.url.startswith("http://[::1]:")
    assert (await client.get(f"{running.url}/six")).status_code == 200
    assert running.store.summaries()[0].source.startswith("[::1]:")


def test_is_all_interfaces() -> None:
    assert is_all_interfaces("0.0.0.0") and is_all_interfaces("::") and is_all_interfaces("")
    assert not is_all_interfaces("127.0.0.1") and not is_all_interfaces("::1")


@pytest.mark.parametrize(
    ("config", "field", "words"),
    [
        (ReceiverConfig(host=""), "host", "Enter the address"),
        (ReceiverConfig(port=-1), "port", "not valid"),
        (ReceiverConfig(port=65536), "port", "not valid"),
        (ReceiverConfig(port=1023), "port", "administrator rights"),
        (ReceiverConfig(response=ResponseConfig(status=99)), "response.status", "200 to 599"),
        (ReceiverConfig(response=ResponseConfig(status=600)), "response.status", "600"),
        (ReceiverConfig(response=ResponseConfig(status=101)), "response.status", "101"),
        (
            ReceiverConfig(response=ResponseConfig(headers=(("Bad Name", "x"),))),
            "response.headers",
            "not valid",
        ),
        (
            ReceiverConfig(response=ResponseConfig(headers=(("X-Ok", "a\r\nInjected: 1"),))),
            "response.headers",
            "line break",
        ),
        (
            ReceiverConfig(response=ResponseConfig(headers=(("Content-Length", "3"),))),
            "response.headers",
            "sets it",
        ),
        (ReceiverConfig(response=ResponseConfig(delay_s=-1)), "response.delay_s", "0 to 300"),
        (ReceiverConfig(response=ResponseConfig(delay_s=301)), "response.delay_s", "0 to 300"),
        (
            ReceiverConfig(response=ResponseConfig(delay_s=math.nan)),
            "response.delay_s",
            "0 to 300",
        ),
        (ReceiverConfig(max_body_bytes=0), "max_body_bytes", "1 GB"),
        (ReceiverConfig(max_body_bytes=2**30 + 1), "max_body_bytes", "1 GB"),
        (ReceiverConfig(forward_url="ftp://example.test/x"), "forward_url", "http://"),
        (ReceiverConfig(forward_url="localhost:3000"), "forward_url", "http://"),
        (ReceiverConfig(forward_url="http://"), "forward_url", "no host"),
        (
            ReceiverConfig(signature=SignatureConfig(scheme="github")),
            "signature.secret",
            "secret",
        ),
    ],
)
def test_bad_settings_name_their_field(config: ReceiverConfig, field: str, words: str) -> None:
    with pytest.raises(WebhookConfigError, match=words) as caught:
        check_receiver_config(config)
    assert caught.value.field == field


def test_good_settings_pass() -> None:
    check_receiver_config(ReceiverConfig())
    check_receiver_config(
        ReceiverConfig(
            host="0.0.0.0",
            port=65535,
            response=ResponseConfig(status=599, headers=(("X-A", "b"),), delay_s=300),
            max_body_bytes=2**30,
            forward_url="https://example.test:8443/hooks?x=1",
            signature=SignatureConfig(scheme="github", secret="s"),
        )
    )


# -- the burst ---------------------------------------------------------------------------


def _send_many(port: int, numbers: range) -> list[int]:
    """One sender: POST each number on one keep-alive connection; the statuses."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    statuses = []
    try:
        for n in numbers:
            body = json.dumps({"n": n}).encode()
            headers = {"Content-Type": "application/json"}
            connection.request("POST", f"/burst/{n}", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    return statuses


async def test_a_burst_of_2000_events_from_50_senders(receivers: Receivers) -> None:
    """50 senders on their own threads (http.client, keep-alive), as 50 programs
    would. (httpx.AsyncClient was tried: with 50 connections in this process its own
    pool tops out near 100 requests/s, so it measured the client, not the receiver.)"""
    running = await receivers.start()
    total, senders = 2000, 50
    port = _port(running.url)
    loop = asyncio.get_running_loop()

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(senders, thread_name_prefix="sender") as pool:
        batches = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _send_many, port, range(worker, total, senders))
                for worker in range(senders)
            )
        )
    elapsed = time.perf_counter() - started

    print(
        f"\nwebhook burst: {total} POSTs from {senders} senders in {elapsed:.2f} s"
        f" = {total / elapsed:.0f} requests/s"
    )
    statuses = [status for batch in batches for status in batch]
    assert statuses == [200] * total
    assert running.store.count() == total
    await running.probe.until(lambda: len(running.probe.events) == total, "every on_event")
    assert len({s.id for s in running.probe.events}) == total
    paths = {s.path for s in running.store.summaries(limit=total)}
    assert paths == {f"/burst/{n}" for n in range(total)}
