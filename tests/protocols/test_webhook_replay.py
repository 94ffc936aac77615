"""Replaying captured webhook events: what is sent (replay_target), and real sends to a
real receiver, a closed port and a server that never answers."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from webhook_helpers import Receivers

from apiclient.protocols.errors import ConnectError, RequestBuildError, RequestTimeoutError
from apiclient.protocols.webhook_events import (
    EventSummary,
    ReceiverConfig,
    ResponseConfig,
    WebhookEvent,
)
from apiclient.protocols.webhook_replay import replay, replay_target

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


def _event(
    *,
    method: str = "POST",
    path: str = "/github",
    query: str = "",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b'{"action": "opened"}',
) -> WebhookEvent:
    summary = EventSummary(
        id=7,
        received_at=time.time(),
        method=method,
        path=path,
        query=query,
        source="127.0.0.1:50000",
        content_type="application/json",
        size=len(body),
        verdict="unchecked",
        verdict_reason="",
        response_status=200,
    )
    return WebhookEvent(summary=summary, headers=headers, body=body)


# -- what a replay sends -----------------------------------------------------------------


def test_the_target_keeps_method_body_and_end_to_end_headers() -> None:
    event = _event(
        method="PATCH",
        headers=(
            ("host", "127.0.0.1:8790"),
            ("content-type", "application/json"),
            ("content-length", "20"),
            ("connection", "keep-alive, x-hop"),
            ("x-hop", "only for the first hop"),
            ("transfer-encoding", "chunked"),
            ("keep-alive", "timeout=5"),
            ("x-github-event", "issues"),
            ("x-repeat", "1"),
            ("x-repeat", "2"),
            ("user-agent", "GitHub-Hookshot/abc"),
        ),
    )

    method, url, headers, body = replay_target(event, "http://127.0.0.1:3000")

    assert method == "PATCH" and body == event.body
    assert url == "http://127.0.0.1:3000/github"
    assert headers == [
        ("content-type", "application/json"),
        ("x-github-event", "issues"),
        ("x-repeat", "1"),
        ("x-repeat", "2"),
        ("user-agent", "GitHub-Hookshot/abc"),
    ]


@pytest.mark.parametrize(
    ("base", "path", "query", "expected"),
    [
        ("http://h:1", "/a/b", "", "http://h:1/a/b"),
        ("http://h:1/", "/a", "x=1", "http://h:1/a?x=1"),
        ("http://h:1/hooks", "/a%2Fb", "q=a%20b&flag", "http://h:1/hooks/a%2Fb?q=a%20b&flag"),
        ("http://h:1/hooks/", "/a", "", "http://h:1/hooks/a"),
        ("http://h:1/hooks", "/", "", "http://h:1/hooks"),
        ("https://h/hooks?token=s", "/a", "x=1", "https://h/hooks/a?token=s&x=1"),
        ("HTTP://H:1", "/", "", "http://H:1/"),
    ],
)
def test_the_events_path_and_query_are_appended(
    base: str, path: str, query: str, expected: str
) -> None:
    assert replay_target(_event(path=path, query=query), base)[1] == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("localhost:3000/hooks", "must start with http:// or https://"),
        ("ftp://example.test/x", "must start with http:// or https://"),
        ("ws://127.0.0.1:3000", "must start with http:// or https://"),
        ("http://", "no host"),
        ("http:///path", "no host"),
        ("http://127.0.0.1:0/x", "port 0"),
        ("http://127.0.0.1:99999/x", "port"),
        ("http://exa mple.test/", "space"),
    ],
)
async def test_a_url_that_cannot_be_sent_to_is_refused_before_sending(url: str, words: str) -> None:
    with pytest.raises(RequestBuildError, match=words):
        replay_target(_event(), url)
    with pytest.raises(RequestBuildError, match=words):
        await replay(_event(), url)


# -- real sends --------------------------------------------------------------------------


async def test_a_replay_arrives_as_it_was_captured(receivers: Receivers) -> None:
    target = await receivers.start(ReceiverConfig(response=ResponseConfig(status=204)))
    event = _event(
        path="/deliveries/1",
        query="attempt=2",
        headers=(
            ("host", "example.test"),
            ("content-type", "application/json"),
            ("x-hub-signature-256", "sha256=00"),
            ("x-repeat", "1"),
            ("x-repeat", "2"),
            ("x-name", "caf\u00e9"),
        ),
        body=b'{"action": "opened", "n": 1}\xff',
    )

    result = await replay(event, f"{target.url}/app")

    assert result.error == "" and result.status == 204 and result.event_id == 7
    assert result.url == f"{target.url}/app/deliveries/1?attempt=2"
    assert result.elapsed_ms > 0
    (arrived,) = target.events()
    assert arrived.summary.method == "POST"
    assert (arrived.summary.path, arrived.summary.query) == ("/app/deliveries/1", "attempt=2")
    assert arrived.body == event.body
    names = [name for name, _ in arrived.headers]
    # Nothing the original sender did not send (httpx adds accept and user-agent else).
    assert "accept" not in names and "user-agent" not in names
    for header in event.headers[1:]:
        assert header in arrived.headers
    assert ("host", target.url.removeprefix("http://")) in arrived.headers


async def test_a_replay_reports_the_status_the_target_answered(receivers: Receivers) -> None:
    target = await receivers.start(
        ReceiverConfig(response=ResponseConfig(status=500, body="kaput"))
    )
    result = await replay(_event(method="GET", body=b""), target.url)
    assert result.status == 500 and result.error == ""
    assert target.events()[0].summary.method == "GET"


async def test_a_replay_to_a_closed_port_is_a_connect_error(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/hooks"
    with pytest.raises(ConnectError) as caught:
        await replay(_event(), url)
    message = str(caught.value)
    assert f"{url}/github" in message
    assert "connection refused" in message and "Start the program" in message


async def test_a_replay_to_a_silent_server_times_out(silent_port: int) -> None:
    with pytest.raises(RequestTimeoutError) as caught:
        await replay(_event(), f"http://127.0.0.1:{silent_port}", timeout_s=0.3)
    assert caught.value.timeout_s == 0.3


def test_an_event_whose_body_was_not_kept_is_not_replayed() -> None:
    event = _event(body=b"")
    refused = WebhookEvent(
        summary=replace(event.summary, size=20_000_000, response_status=413),
        headers=(),
        body=b"",
    )
    with pytest.raises(RequestBuildError, match="was not kept"):
        replay_target(refused, "http://127.0.0.1:3000")
    assert replay_target(event, "http://127.0.0.1:3000")[3] == b""
