"""The WebSocket engine against the WebSocket mock: every path, the handshake (headers,
auth, subprotocols, refusals), the limits, and connect failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from websocket_helpers import Step, opened, run_to_end, scripted_server

from apiclient.core.models import Auth, KeyValue, WsMessage
from apiclient.protocols.websocket import (
    ConnectError,
    DnsError,
    RequestBuildError,
    RequestTimeoutError,
    WsClosedError,
    WsHandshakeError,
    WsMessageError,
    WsSubprotocolError,
)

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


# --- data paths -------------------------------------------------------------------------


async def test_echo_sends_every_format_and_gets_it_back(websocket_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "blob.bin"
    upload.write_bytes(bytes(range(256)) * 4)
    messages = [
        (WsMessage(format="text", body="héllo"), "héllo"),
        (WsMessage(format="json", body='{ "a": [1, 2] }'), '{ "a": [1, 2] }'),
        (WsMessage(format="hex", body="0xde ad\nBE EF"), b"\xde\xad\xbe\xef"),
        (WsMessage(format="base64", body="aGk_-w"), b"hi?\xfb"),
        (WsMessage(format="file", body=str(upload)), upload.read_bytes()),
    ]
    async with opened(f"{websocket_url}/echo") as (session, probe, _):
        for message, payload in messages:
            frame = await session.send(message)
            assert (frame.direction, frame.data) == ("out", payload)
            assert frame.kind == ("text" if isinstance(payload, str) else "binary")
        await probe.until(lambda: len(probe.received()) == len(messages), "the echoes")
        assert probe.received() == [payload for _, payload in messages]
        sizes = [6, 15, 4, 4, 1024]  # "héllo" is 6 bytes of UTF-8
        assert [f.size for f in probe.frames if f.direction == "in"] == sizes
        counters = session.counters
        assert (counters.messages_out, counters.messages_in) == (5, 5)
        assert counters.bytes_out == counters.bytes_in == sum(sizes)


async def test_headers_auth_and_query_reach_the_handshake(websocket_url: str) -> None:
    async with opened(
        f"{websocket_url}/headers?page=2",
        headers=[
            KeyValue(name="X-Trace", value="abc"),
            KeyValue(name="X-Off", value="no", enabled=False),
        ],
        subprotocols=["chat.v2", "", "json.v1"],
        auth=Auth(kind="apikey", key_name="api_key", key_value="s3cret", key_in="query"),
    ) as (session, probe, _):
        await probe.until(lambda: len(probe.received()) == 1, "the handshake report")
        assert session.status.subprotocol == "chat.v2"  # /headers takes the first offered
        assert "s3cret" not in session.status.url  # the key stays out of status lines
    report = json.loads(probe.received()[0])
    assert report["path"] == "/headers"
    assert report["query"] == {"page": "2", "api_key": "s3cret"}
    headers = report["headers"]
    assert headers["x-trace"] == "abc"
    assert "x-off" not in headers
    assert headers["sec-websocket-protocol"] == "chat.v2, json.v1"
    assert headers["user-agent"].startswith("apiclient/")
    assert report["subprotocol"] == "chat.v2"


@pytest.mark.parametrize(
    ("auth", "header", "expected"),
    [
        (Auth(kind="basic", username="ada", password="pw"), "authorization", "Basic YWRhOnB3"),
        (Auth(kind="bearer", token="t0k", token_prefix="Token"), "authorization", "Token t0k"),
        (Auth(kind="apikey", key_name="X-Key", key_value="k1"), "x-key", "k1"),
    ],
)
async def test_auth_kinds_reach_the_handshake(
    websocket_url: str, auth: Auth, header: str, expected: str
) -> None:
    typed = [KeyValue(name="Authorization", value="typed")]
    async with opened(f"{websocket_url}/headers", auth=auth, headers=typed) as (_, probe, _task):
        await probe.until(lambda: len(probe.received()) == 1, "the handshake report")
    headers = json.loads(probe.received()[0])["headers"]
    assert headers[header] == expected


async def test_ticker_counts_every_message_exactly(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/ticker?rate=50000&count=2000")
    received = probe.received()
    assert len(received) == 2000
    assert [json.loads(text)["seq"] for text in received] == list(range(1, 2001))
    assert probe.kinds()[-2:] == [("in", "close"), ("out", "close")]
    assert (final.closed_by, final.close_code, final.close_reason) == ("server", 1000, "done")
    assert final.error is None
    assert final.describe() == "Closed by the server: 1000 (normal closure) “done”"
    assert probe.phases == ["connecting", "open", "closed"]


async def test_binary_frames_arrive_whole(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/binary?count=5&size=1024")
    received = probe.received()
    assert [int.from_bytes(data[:4], "big") for data in received] == [1, 2, 3, 4, 5]
    assert all(isinstance(data, bytes) and len(data) == 1024 for data in received)
    assert final.error is None


async def test_subprotocol_chat_v1_is_agreed(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/subprotocol", subprotocols=["chat.v1"]) as (
        session,
        probe,
        _,
    ):
        assert session.status.describe() == "Open (subprotocol chat.v1)"
        assert any(
            name.lower() == "sec-websocket-protocol" for name, _ in session.status.response_headers
        )
        await session.send(WsMessage(body="hi"))
        await probe.until(lambda: len(probe.received()) == 1, "the answer")
    assert json.loads(probe.received()[0]) == {"protocol": "chat.v1", "echo": "hi"}


async def test_room_broadcasts_to_the_others_only(websocket_url: str) -> None:
    room = f"{websocket_url}/room/engine-test"
    async with opened(f"{room}?user=ada") as (ada, ada_probe, _):
        await ada_probe.until(lambda: len(ada_probe.received()) == 1, "ada's own join")
        async with opened(f"{room}?user=bob") as (_, bob_probe, _task):
            await bob_probe.until(lambda: len(bob_probe.received()) == 1, "bob's join")
            await ada_probe.until(lambda: len(ada_probe.received()) == 2, "bob's join at ada")
            update = {"type": "text_update", "position": 0, "insert": "hi"}
            await ada.send(WsMessage(format="json", body=json.dumps(update)))
            await bob_probe.until(lambda: len(bob_probe.received()) == 2, "the update")
            await ada.send(WsMessage(format="json", body='{"type": "nonsense"}'))
            await ada_probe.until(lambda: len(ada_probe.received()) == 3, "the error")
    ada_types = [json.loads(text)["type"] for text in ada_probe.received()]
    bob_types = [json.loads(text)["type"] for text in bob_probe.received()]
    assert ada_types == ["user_joined", "user_joined", "error"]
    assert bob_types == ["user_joined", "text_update"]
    assert json.loads(bob_probe.received()[1])["user"] == "ada"


# --- closes and failures the server causes ----------------------------------------------


async def test_close_after_reports_the_servers_code(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/close-after?n=3&code=4000&reason=bye")
    assert len(probe.received()) == 3
    assert (final.closed_by, final.close_code, final.close_reason) == ("server", 4000, "bye")
    assert isinstance(final.error, WsClosedError)
    assert (final.error.code, final.error.reason, final.error.by) == (4000, "bye", "server")
    assert "closed the connection with 4000 (application code) “bye”" in str(final.error)
    assert final.describe() == "Closed by the server: 4000 (application code) “bye”"


async def test_close_after_with_1000_is_not_an_error(websocket_url: str) -> None:
    final, _ = await run_to_end(f"{websocket_url}/close-after?n=0&code=1000&reason=fine")
    assert (final.close_code, final.error) == (1000, None)


async def test_handshake_refused_shows_status_and_body(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/reject")
    error = final.error
    assert isinstance(error, WsHandshakeError)
    assert (error.status, error.reason) == (403, "Forbidden")
    assert json.loads(error.body)["error"] == "forbidden"
    assert any(name.lower() == "content-type" for name, _ in error.headers)
    assert "refused the WebSocket handshake (HTTP 403 Forbidden)" in str(error)
    assert 'It said: {"error": "forbidden"' in str(error)
    assert "Check the Auth tab" in str(error)
    assert final.describe().startswith("Not connected: The server at ws://")
    assert probe.frames == []


async def test_subprotocol_path_refuses_a_client_without_it(websocket_url: str) -> None:
    final, _ = await run_to_end(f"{websocket_url}/subprotocol", subprotocols=["other.v2"])
    assert isinstance(final.error, WsHandshakeError)
    assert final.error.status == 400
    assert "chat.v1" in final.error.body


async def test_server_choosing_no_subprotocol_is_an_error() -> None:
    async with scripted_server(Step("ignore")) as url:
        final, _ = await run_to_end(url, subprotocols=["chat.v1", "chat.v2"])
    assert isinstance(final.error, WsSubprotocolError)
    assert final.error.offered == ("chat.v1", "chat.v2")
    assert final.error.chosen is None
    assert "none of the subprotocols offered (chat.v1, chat.v2)" in str(final.error)


@pytest.mark.parametrize("offered", [["chat.v1"], []])
async def test_server_choosing_a_subprotocol_not_offered_is_an_error(offered: list[str]) -> None:
    async with scripted_server(
        Step("ignore", headers=("Sec-WebSocket-Protocol: rogue.v9",))
    ) as url:
        final, _ = await run_to_end(url, subprotocols=offered)
    assert isinstance(final.error, WsSubprotocolError)
    assert final.error.chosen == "rogue.v9"
    assert "Add rogue.v9 to the request's subprotocols" in str(final.error)


async def test_server_dropping_the_connection(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/drop?after=2")
    assert len(probe.received()) == 2
    assert (final.closed_by, final.close_code) == ("network", 1006)
    assert isinstance(final.error, WsClosedError)
    assert final.error.by == "network"
    assert "without a close frame (1006)" in str(final.error)
    assert final.describe() == "Connection lost (1006): the server dropped the connection"
    assert "reconnecting" not in probe.phases  # auto_reconnect is off


async def test_invalid_utf8_in_a_text_frame_closes_with_1007(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/invalid-utf8")
    assert isinstance(final.error, WsClosedError)
    assert (final.error.code, final.closed_by) == (1007, "client")
    assert "text message that is not valid UTF-8" in str(final.error)
    assert ("out", "close") in probe.kinds()
    assert probe.received() == []
    assert final.describe() == "Closed: 1007 (invalid data): a text message was not valid UTF-8"


async def test_incoming_message_over_the_limit_closes_with_1009(websocket_url: str) -> None:
    final, probe = await run_to_end(
        f"{websocket_url}/big?size={2 * 1024 * 1024}", max_message_bytes=1024 * 1024
    )
    assert isinstance(final.error, WsClosedError)
    assert final.error.code == 1009
    assert "larger than the limit of 1 MB (1009)" in str(final.error)
    assert "raise the limit in the request settings" in str(final.error)
    assert probe.received() == []


async def test_incoming_message_under_the_limit_arrives(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/big?size=1500000") as (session, probe, _):
        await probe.until(lambda: len(probe.received()) == 1, "the big message")
        assert session.counters.bytes_in == 1_500_000
    assert probe.received()[0][:12] == "012345678901"


async def test_outgoing_message_over_the_limit_is_refused_before_sending(
    websocket_url: str,
) -> None:
    async with opened(f"{websocket_url}/echo", max_message_bytes=10) as (session, probe, _):
        with pytest.raises(WsMessageError, match=r"11 bytes.*larger than the limit of 10 bytes"):
            await session.send(WsMessage(body="x" * 11))
        assert await session.send(WsMessage(body="x" * 10))
        await probe.until(lambda: len(probe.received()) == 1, "the echo")
        assert session.counters.messages_out == 1
        assert session.status.phase == "open"


# --- bad input and connect failures -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:1/echo", "starts with http://.*write ws://127.0.0.1:1/echo"),
        ("https://example.test/x", "write wss://example.test/x"),
        ("ftp://example.test/x", "scheme 'ftp', which is not WebSocket"),
        ("ws://", "has no host"),
        ("ws://host:99999/", "port '99999'.*not valid"),
        ("", "The URL is empty"),
        ("ws:/ /x", "lacks .//. after .ws:."),
        ("1ws://x", "malformed scheme"),
    ],
)
async def test_bad_urls_are_refused_before_any_traffic(url: str, expected: str) -> None:
    final, probe = await run_to_end(url)
    assert isinstance(final.error, RequestBuildError)
    assert final.phase == "closed"
    assert probe.phases == ["connecting", "closed"]
    assert re.search(expected, str(final.error)), str(final.error)


async def test_digest_auth_is_refused(websocket_url: str) -> None:
    final, _ = await run_to_end(
        f"{websocket_url}/echo", auth=Auth(kind="digest", username="a", password="b")
    )
    assert isinstance(final.error, RequestBuildError)
    assert "Digest auth is not available for WebSocket handshakes" in str(final.error)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"headers": [KeyValue(name="Upgrade", value="x")]}, "set by the WebSocket handshake"),
        (
            {"headers": [KeyValue(name="Sec-WebSocket-Protocol", value="x")]},
            "subprotocol list",
        ),
        ({"headers": [KeyValue(name="Bad Name", value="x")]}, "header name 'Bad Name'"),
        ({"subprotocols": ["two words"]}, "subprotocol 'two words' is not valid"),
    ],
)
async def test_bad_handshake_input_is_refused(
    websocket_url: str, fields: dict[str, object], expected: str
) -> None:
    final, _ = await run_to_end(f"{websocket_url}/echo", **fields)
    assert isinstance(final.error, RequestBuildError)
    assert expected in str(final.error)


async def test_connection_refused(closed_port: int) -> None:
    final, _ = await run_to_end(f"ws://127.0.0.1:{closed_port}/echo")
    assert type(final.error) is ConnectError
    assert "connection refused" in str(final.error)


async def test_dns_failure() -> None:
    final, _ = await run_to_end("ws://no-such-host.invalid/echo")
    assert isinstance(final.error, DnsError)
    assert "Could not resolve host 'no-such-host.invalid'" in str(final.error)


async def test_connect_timeout(silent_port: int) -> None:
    final, _ = await run_to_end(f"ws://127.0.0.1:{silent_port}/echo", connect_timeout_s=0.2)
    assert isinstance(final.error, RequestTimeoutError)
    assert (final.error.phase, final.error.timeout_s) == ("connect", 0.2)
    assert "timed out after 0.2 s" in str(final.error)
    assert "raise the connect timeout" in str(final.error)
