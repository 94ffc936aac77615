"""The WebSocket mock, driven by the websockets client: every path, every refusal, TLS,
shutdown. The rooms have their own file, test_mock_websocket_room.py."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import trustme
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.typing import Data, Subprotocol

from mock_servers.errors import PortInUseError
from mock_servers.serving import RunningServer
from mock_servers.websocket import start_websocket_mock

TIMEOUT = 10


@pytest.fixture(autouse=True)
def no_warnings_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Normal use, refusals and clients that vanish log nothing above INFO."""
    caplog.set_level(logging.WARNING)
    yield
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert not logged


async def receive_all(ws: ClientConnection) -> list[Data]:
    """Every message until the connection closes, however it closes."""
    messages: list[Data] = []
    async with asyncio.timeout(TIMEOUT):
        try:
            async for message in ws:
                messages.append(message)
        except ConnectionClosedError:
            pass
    return messages


async def refusal(url: str, **kwargs: Any) -> tuple[int, str]:
    """The status and body of a refused handshake."""
    with pytest.raises(InvalidStatus) as caught:
        async with connect(url, open_timeout=TIMEOUT, **kwargs):
            pass
    response = caught.value.response
    return response.status_code, response.body.decode()


# --- /echo and /headers -----------------------------------------------------------------


async def test_echo_keeps_text_text_and_binary_binary(websocket_url: str) -> None:
    async with connect(websocket_url + "/echo") as ws:
        await ws.send("héllo")
        assert await ws.recv() == "héllo"
        await ws.send(b"\x00\x01\xff")
        assert await ws.recv() == b"\x00\x01\xff"
        await ws.send("")
        assert await ws.recv() == ""
        assert ws.subprotocol is None


async def test_echo_takes_16_mib_and_closes_1009_above(websocket_url: str) -> None:
    limit = 16 * 2**20
    ws = await connect(websocket_url + "/echo", max_size=None, compression=None)
    await ws.send(b"a" * limit)
    assert len(await ws.recv()) == limit
    await ws.send(b"a" * (limit + 1))
    with pytest.raises(ConnectionClosedError):
        await ws.recv()
    # No close() (nor `async with`) once closed: the server cut the connection while this
    # client still had data to write, and on Python 3.11 aborting such a transport again
    # raises AttributeError inside asyncio.
    assert ws.close_code == 1009
    assert ws.close_reason == f"frame with {limit + 1} bytes exceeds limit of {limit} bytes"


async def test_headers_describes_the_handshake(websocket_url: str) -> None:
    url = websocket_url + "/headers?token=abc&tag=a&tag=b&empty="
    async with connect(
        url,
        additional_headers={"Authorization": "Bearer xyz", "X-Trace": "t-1"},
        subprotocols=[Subprotocol("json.v2"), Subprotocol("json.v1")],
    ) as ws:
        report = json.loads(await ws.recv())
        assert ws.subprotocol == "json.v2"  # the client's first choice
        await ws.send("after the report")
        assert await ws.recv() == "after the report"
    assert report["path"] == "/headers"
    assert report["query"] == {"token": "abc", "tag": ["a", "b"], "empty": ""}
    assert report["subprotocol"] == "json.v2"
    sent = report["headers"]
    assert sent["authorization"] == "Bearer xyz"
    assert sent["x-trace"] == "t-1"
    assert sent["upgrade"] == "websocket"
    assert sent["sec-websocket-protocol"] == "json.v2, json.v1"
    assert all(name == name.lower() for name in sent)


async def test_headers_without_subprotocol_reports_null(websocket_url: str) -> None:
    async with connect(websocket_url + "/headers") as ws:
        report = json.loads(await ws.recv())
    assert report["subprotocol"] is None
    assert report["query"] == {}


async def test_unknown_path_is_404_listing_the_paths(websocket_url: str) -> None:
    status, body = await refusal(websocket_url + "/nope")
    assert status == 404
    assert body.startswith("No WebSocket endpoint at /nope. This server has:")
    for usage in (
        "/echo",
        "/headers",
        "/room/{name}?user=NAME",
        "/ticker?rate=N&count=M",
        "/subprotocol",
        "/reject",
        "/close-after?n=N&code=C&reason=R",
        "/binary?count=M&size=S",
        "/invalid-utf8",
        "/drop?after=N",
        "/big?size=S",
        "/pings?interval=SECONDS&count=N",
    ):
        assert f"\n  {usage} " in body


async def test_plain_http_gets_426_on_a_path_and_404_elsewhere(websocket_url: str) -> None:
    base = websocket_url.replace("ws://", "http://")
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        upgrade = await client.get("/echo")
        missing = await client.get("/")
    assert upgrade.status_code == 426
    assert upgrade.headers["Upgrade"] == "websocket"
    assert "You need a WebSocket client." in upgrade.text
    assert missing.status_code == 404
    assert missing.text.startswith("No WebSocket endpoint at /. This server has:")


# --- /subprotocol and /reject -----------------------------------------------------------


async def test_subprotocol_chat_v1_echoes_in_its_shape(websocket_url: str) -> None:
    offered = [Subprotocol("chat.v0"), Subprotocol("chat.v1")]
    async with connect(websocket_url + "/subprotocol", subprotocols=offered) as ws:
        assert ws.subprotocol == "chat.v1"
        await ws.send("hi there")
        assert json.loads(await ws.recv()) == {"protocol": "chat.v1", "echo": "hi there"}


@pytest.mark.parametrize("offered", [None, ["chat.v2"]])
async def test_subprotocol_refuses_clients_without_chat_v1(
    websocket_url: str, offered: list[Subprotocol] | None
) -> None:
    status, body = await refusal(websocket_url + "/subprotocol", subprotocols=offered)
    assert status == 400
    assert body == (
        "/subprotocol speaks only the chat.v1 subprotocol: offer it in the "
        "Sec-WebSocket-Protocol request header (Sec-WebSocket-Protocol: chat.v1).\n"
    )


async def test_subprotocol_closes_1003_on_binary(websocket_url: str) -> None:
    async with connect(websocket_url + "/subprotocol", subprotocols=[Subprotocol("chat.v1")]) as ws:
        await ws.send(b"\x01")
        assert await receive_all(ws) == []
    assert (ws.close_code, ws.close_reason) == (1003, "chat.v1 carries text messages only")


async def test_reject_is_403_with_a_json_body(websocket_url: str) -> None:
    with pytest.raises(InvalidStatus) as caught:
        async with connect(websocket_url + "/reject"):
            pass
    response = caught.value.response
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == {
        "error": "forbidden",
        "message": "This socket is closed to you: send a valid token.",
    }


# --- /ticker ----------------------------------------------------------------------------


async def test_ticker_streams_count_quotes_in_order_then_closes_done(websocket_url: str) -> None:
    before = time.time()
    async with connect(websocket_url + "/ticker?rate=2000&count=200") as ws:
        messages = await receive_all(ws)
    assert (ws.close_code, ws.close_reason) == (1000, "done")
    quotes = [json.loads(message) for message in messages]
    assert all(isinstance(message, str) for message in messages)
    assert [quote["seq"] for quote in quotes] == list(range(1, 201))
    assert {quote["symbol"] for quote in quotes} == {"ACME", "GLOBEX", "INITECH", "UMBRELLA"}
    assert all(set(quote) == {"seq", "symbol", "price", "sent_at"} for quote in quotes)
    assert all(isinstance(quote["price"], float) and quote["price"] > 0 for quote in quotes)
    sent_at = [quote["sent_at"] for quote in quotes]
    assert sent_at == sorted(sent_at)
    assert before <= sent_at[0] <= sent_at[-1] <= time.time()


async def test_ticker_paces_at_the_rate(websocket_url: str) -> None:
    # 21 quotes at 100/s: the first at once, the last 0.2 s later.
    async with connect(websocket_url + "/ticker?rate=100&count=21") as ws:
        quotes = [json.loads(message) for message in await receive_all(ws)]
    assert len(quotes) == 21
    spread = quotes[-1]["sent_at"] - quotes[0]["sent_at"]
    assert 0.18 <= spread < 1.0


async def test_ticker_defaults_to_100_quotes(websocket_url: str) -> None:
    # Default rate is 10/s; read the first two to see the pace, then leave.
    async with connect(websocket_url + "/ticker") as ws:
        first, second = json.loads(await ws.recv()), json.loads(await ws.recv())
    assert (first["seq"], second["seq"]) == (1, 2)
    assert 0.08 <= second["sent_at"] - first["sent_at"] < 0.5


@pytest.mark.parametrize(
    ("query", "shown", "problem", "rule"),
    [
        ("rate=0", "rate='0'", "is out of range", "a whole number from 1 to 50000 (default 10)"),
        ("rate=50001", "rate='50001'", "is out of range", "a whole number from 1 to 50000"),
        ("rate=fast", "rate='fast'", "is not a whole number", "a whole number from 1 to 50000"),
        ("rate=", "rate=''", "is not a whole number", "a whole number from 1 to 50000"),
        ("rate=1&rate=2", "rate='2'", "is given more than once", "a whole number from 1"),
        ("count=0", "count='0'", "is out of range", "from 1 to 1000000 (default 100)"),
        ("count=1000001", "count='1000001'", "is out of range", "from 1 to 1000000"),
        ("count=1.5", "count='1.5'", "is not a whole number", "from 1 to 1000000"),
    ],
)
async def test_ticker_refuses_bad_parameters(
    websocket_url: str, query: str, shown: str, problem: str, rule: str
) -> None:
    status, body = await refusal(websocket_url + "/ticker?" + query)
    assert status == 400
    name = shown.partition("=")[0]
    assert body.startswith(f"Bad query parameter on /ticker: {shown} {problem}. {name} must be ")
    assert rule in body
    assert body.endswith("; for example /ticker?rate=100&count=50\n")


async def test_ticker_waits_for_a_slow_client(websocket_url: str) -> None:
    """A client that stops reading holds the stream back (flow control) but loses nothing."""
    async with connect(websocket_url + "/ticker?rate=50000&count=3000", max_queue=4) as ws:
        await asyncio.sleep(0.3)  # the server fills the buffers, then waits in send()
        quotes = [json.loads(message) for message in await receive_all(ws)]
    assert [quote["seq"] for quote in quotes] == list(range(1, 3001))
    assert ws.close_code == 1000


# --- /close-after -----------------------------------------------------------------------


async def test_close_after_defaults(websocket_url: str) -> None:
    async with connect(websocket_url + "/close-after") as ws:
        messages = await receive_all(ws)
    assert [json.loads(m) for m in messages] == [{"seq": i, "of": 3} for i in (1, 2, 3)]
    assert (ws.close_code, ws.close_reason) == (1000, "closing as asked")


@pytest.mark.parametrize(
    ("query", "count", "code", "reason"),
    [
        ("n=2&code=4000&reason=bye+now", 2, 4000, "bye now"),
        ("n=0&code=1011&reason=", 0, 1011, ""),
        ("n=1&code=3000&reason=%C3%A9t%C3%A9", 1, 3000, "été"),
        ("n=1&code=1001", 1, 1001, "closing as asked"),
        ("n=1&code=1008&reason=" + "r" * 123, 1, 1008, "r" * 123),
    ],
)
async def test_close_after_uses_code_and_reason(
    websocket_url: str, query: str, count: int, code: int, reason: str
) -> None:
    async with connect(websocket_url + "/close-after?" + query) as ws:
        messages = await receive_all(ws)
    assert [json.loads(m) for m in messages] == [
        {"seq": i, "of": count} for i in range(1, count + 1)
    ]
    assert (ws.close_code, ws.close_reason) == (code, reason)


@pytest.mark.parametrize(
    ("query", "shown", "problem"),
    [
        ("code=1005", "code='1005'", "is not a close code a server may send"),
        ("code=1002", "code='1002'", "is not a close code a server may send"),
        ("code=1015", "code='1015'", "is not a close code a server may send"),
        ("code=5000", "code='5000'", "is not a close code a server may send"),
        ("code=x", "code='x'", "is not a whole number"),
        ("n=10001", "n='10001'", "is out of range"),
        ("n=-1", "n='-1'", "is out of range"),
        ("reason=" + "r" * 124, "reason='" + "r" * 124 + "'", "is too long"),
        ("reason=" + "%C3%A9" * 62, "reason='" + "é" * 62 + "'", "is too long in UTF-8"),
    ],
)
async def test_close_after_refuses_bad_parameters(
    websocket_url: str, query: str, shown: str, problem: str
) -> None:
    status, body = await refusal(websocket_url + "/close-after?" + query)
    assert status == 400
    assert body.startswith(f"Bad query parameter on /close-after: {shown} {problem}.")
    assert body.endswith("for example /close-after?n=3&code=4000&reason=bye\n")
    if "code" in query:
        assert "1000, 1001, 1003, 1007-1014 or 3000-4999 (default 1000)" in body


# --- /binary and /big -------------------------------------------------------------------


def expected_frame(seq: int, size: int) -> bytes:
    body = bytes(i % 256 for i in range(max(0, size - 4)))
    return (seq.to_bytes(4, "big") + body)[:size]


@pytest.mark.parametrize(("count", "size"), [(3, 300), (2, 4), (2, 2), (1, 2**20)])
async def test_binary_frames(websocket_url: str, count: int, size: int) -> None:
    async with connect(websocket_url + f"/binary?count={count}&size={size}", max_size=None) as ws:
        frames = await receive_all(ws)
    assert frames == [expected_frame(seq, size) for seq in range(1, count + 1)]
    assert (ws.close_code, ws.close_reason) == (1000, "done")


async def test_binary_defaults_to_ten_frames_of_16_bytes(websocket_url: str) -> None:
    async with connect(websocket_url + "/binary") as ws:
        frames = await receive_all(ws)
    assert frames == [expected_frame(seq, 16) for seq in range(1, 11)]
    assert frames[1][:4] == b"\x00\x00\x00\x02"


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        ("count=0", "count must be a whole number from 1 to 100000 (default 10)"),
        ("count=100001", "count must be a whole number from 1 to 100000"),
        ("size=0", "size must be a whole number from 1 to 1048576 (default 16)"),
        ("size=1048577", "size must be a whole number from 1 to 1048576"),
    ],
)
async def test_binary_refuses_bad_parameters(websocket_url: str, query: str, rule: str) -> None:
    status, body = await refusal(websocket_url + "/binary?" + query)
    assert status == 400
    assert rule in body
    assert body.endswith("for example /binary?count=5&size=1024\n")


@pytest.mark.parametrize("size", [1, 15, 3 * 2**20 + 7])
async def test_big_sends_one_text_message_of_size_bytes(websocket_url: str, size: int) -> None:
    async with connect(websocket_url + f"/big?size={size}", max_size=None) as ws:
        message = await ws.recv()
    assert isinstance(message, str)
    assert message == ("0123456789" * (size // 10 + 1))[:size]


async def test_big_takes_64_mib(websocket_url: str) -> None:
    size = 64 * 2**20
    async with connect(websocket_url + f"/big?size={size}", max_size=None) as ws:
        message = await ws.recv(decode=False)
    assert len(message) == size
    assert message[-10:] == b"4567890123"  # 67108864 bytes: the last digit is 3


async def test_big_refuses_above_64_mib(websocket_url: str) -> None:
    status, body = await refusal(websocket_url + f"/big?size={64 * 2**20 + 1}")
    assert status == 400
    assert "size must be a whole number from 1 to 67108864 (default 1048576)" in body


# --- bad input for clients: invalid UTF-8, a dropped connection -------------------------


async def test_invalid_utf8_makes_the_client_fail_with_1007(websocket_url: str) -> None:
    async with connect(websocket_url + "/invalid-utf8") as ws:
        with pytest.raises(ConnectionClosedError) as caught:
            await ws.recv()
    assert caught.value.sent is not None and caught.value.sent.code == 1007


async def test_drop_cuts_the_connection_without_a_close_frame(websocket_url: str) -> None:
    async with connect(websocket_url + "/drop?after=2") as ws:
        assert json.loads(await ws.recv()) == {"seq": 1, "of": 2}
        assert json.loads(await ws.recv()) == {"seq": 2, "of": 2}
        with pytest.raises(ConnectionClosedError) as caught:
            await ws.recv()
    assert caught.value.rcvd is None
    assert ws.close_code == 1006


async def test_drop_refuses_a_bad_count(websocket_url: str) -> None:
    status, body = await refusal(websocket_url + "/drop?after=10001")
    assert status == 400
    assert "after must be a whole number from 0 to 10000 (default 3)" in body


# --- /pings -----------------------------------------------------------------------------


class PingRecorder(ClientConnection):
    """A client connection that remembers the payload of every ping it receives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pings: list[bytes] = []

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.opcode is Opcode.PING:
            self.pings.append(bytes(event.data))
        super().process_event(event)


async def test_pings_arrive_at_the_interval_then_close(websocket_url: str) -> None:
    started = time.monotonic()
    async with connect(
        websocket_url + "/pings?interval=0.05&count=4", create_connection=PingRecorder
    ) as ws:
        assert await receive_all(ws) == []
    assert isinstance(ws, PingRecorder)
    assert ws.pings == [b"ping-1", b"ping-2", b"ping-3", b"ping-4"]
    assert (ws.close_code, ws.close_reason) == (1000, "done")
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        ("interval=0", "interval must be a number of seconds from 0.01 to 60 (default 1)"),
        ("interval=61", "from 0.01 to 60"),
        ("interval=nan", "is not a plain decimal number"),
        ("count=0", "count must be a whole number from 1 to 1000 (default 3)"),
    ],
)
async def test_pings_refuse_bad_parameters(websocket_url: str, query: str, rule: str) -> None:
    status, body = await refusal(websocket_url + "/pings?" + query)
    assert status == 400
    assert rule in body
    assert body.endswith("for example /pings?interval=0.5&count=3\n")


# --- instances of its own: TLS, shutdown, port in use -----------------------------------


@pytest.fixture
async def own_server() -> AsyncIterator[RunningServer]:
    server = await start_websocket_mock("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


async def test_wss_with_a_trusted_certificate() -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    server = await start_websocket_mock("127.0.0.1", 0, ssl=server_context)
    try:
        url = f"wss://127.0.0.1:{server.port}"
        async with connect(url + "/echo", ssl=client_context) as ws:
            await ws.send("over tls")
            assert await ws.recv() == "over tls"
        async with connect(url + "/close-after?n=1", ssl=client_context) as ws:
            assert len(await receive_all(ws)) == 1
        assert ws.close_code == 1000
        with pytest.raises(ssl.SSLCertVerificationError):
            async with connect(url + "/echo", ssl=ssl.create_default_context()):
                pass
    finally:
        await server.stop()


async def test_stop_closes_open_connections_with_1001(own_server: RunningServer) -> None:
    url = f"ws://127.0.0.1:{own_server.port}"
    echo = await connect(url + "/echo")
    pings = await connect(url + "/pings?interval=60")
    room = await connect(url + "/room/stop")
    await room.recv()  # user_joined
    started = time.monotonic()
    await own_server.stop()
    assert time.monotonic() - started < 3
    for ws in (echo, pings, room):
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1001
    with pytest.raises(OSError):
        await connect(url + "/echo", open_timeout=TIMEOUT)


async def test_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"Port {port} for the websocket mock"):
            await start_websocket_mock("127.0.0.1", port)
