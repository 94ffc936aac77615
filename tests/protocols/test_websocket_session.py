"""A WebSocket session's life: control frames both ways, closing (codes, by whom),
reconnecting with back-off and when not to, keepalive, cancelling and aborting."""

from __future__ import annotations

import asyncio

import pytest
from websocket_helpers import (
    Probe,
    Step,
    make_session,
    opened,
    run_to_end,
    scripted_server,
    server_frame,
)

from apiclient.core.models import WsMessage
from apiclient.protocols.websocket import (
    MAX_RECONNECT_ATTEMPTS,
    ConnectError,
    WsClosedError,
    WsHandshakeError,
    WsMessageError,
    WsNotConnectedError,
    backoff_delay,
)

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


def fast(attempt: int) -> float:
    """Reconnect delays for tests: 1 ms, 2 ms, 3 ms..."""
    return attempt / 1000


# --- control frames ---------------------------------------------------------------------


async def test_server_pings_are_reported_with_the_automatic_pongs(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/pings?interval=0.01&count=3")
    control = [(f.direction, f.kind, f.data) for f in probe.frames if f.kind in ("ping", "pong")]
    assert control == [
        ("in", "ping", b"ping-1"),
        ("out", "pong", b"ping-1"),
        ("in", "ping", b"ping-2"),
        ("out", "pong", b"ping-2"),
        ("in", "ping", b"ping-3"),
        ("out", "pong", b"ping-3"),
    ]
    assert probe.kinds()[-2:] == [("in", "close"), ("out", "close")]
    assert final.close_code == 1000


async def test_counters_keep_control_frames_apart(websocket_url: str) -> None:
    probe = Probe()
    session = make_session(f"{websocket_url}/pings?interval=0.01&count=3", probe)
    await asyncio.wait_for(session.run(), 5)
    counters = session.counters
    assert (counters.messages_in, counters.messages_out) == (0, 0)
    assert (counters.bytes_in, counters.bytes_out) == (0, 0)
    assert (counters.control_in, counters.control_out) == (4, 4)  # 3 pings/pongs + close


async def test_explicit_and_keepalive_pings_are_reported(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/echo", ping_interval_s=0.02) as (session, probe, _):
        round_trip = await session.ping(b"are you there")
        assert 0 <= round_trip < 5
        await probe.until(
            lambda: sum(f.kind == "pong" and f.direction == "in" for f in probe.frames) >= 3,
            "keepalive pongs",
        )
    pings = [f for f in probe.frames if f.kind == "ping" and f.direction == "out"]
    pongs = [f for f in probe.frames if f.kind == "pong" and f.direction == "in"]
    assert b"are you there" in [f.data for f in pings]
    assert b"are you there" in [f.data for f in pongs]
    assert len(pings) >= 3  # the explicit one and keepalive's (4 random bytes each)
    assert all(len(f.data) == 4 for f in pings if f.data != b"are you there")


async def test_control_frames_keep_their_place_among_messages() -> None:
    """Frames that arrive together are reported in their order on the wire, though
    messages wait in the receive queue and control frames do not."""
    burst = b"".join(
        [
            server_frame(0x1, b"first"),
            server_frame(0xA, b"unasked"),  # a pong nobody pinged for
            server_frame(0x9, b"hello?"),
            server_frame(0x2, b"\x00\x01"),
            server_frame(0x8, (1000).to_bytes(2, "big") + b"done"),
        ]
    )
    async with scripted_server(Step("ignore", frames=burst)) as url:
        final, probe = await run_to_end(url)
    assert [(f.direction, f.kind, f.data) for f in probe.frames] == [
        ("in", "text", "first"),
        ("in", "pong", b"unasked"),
        ("in", "ping", b"hello?"),
        ("out", "pong", b"hello?"),
        ("in", "binary", b"\x00\x01"),
        ("in", "close", "done"),
        ("out", "close", "done"),
    ]
    times = [frame.at for frame in probe.frames if frame.direction == "in"]
    assert times == sorted(times)
    assert (final.closed_by, final.close_code) == ("server", 1000)


async def test_ping_checks_its_payload(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/echo") as (session, _, _task):
        with pytest.raises(WsMessageError, match="at most 125 bytes"):
            await session.ping(b"x" * 126)


# --- closing ----------------------------------------------------------------------------


async def test_close_with_a_chosen_code_is_seen_by_the_server(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/echo") as (session, probe, task):
        await session.close(4321, "bye now")
        final = await task
    closes = [(f.direction, f.close_code, f.data) for f in probe.frames if f.kind == "close"]
    # The server echoes the close frame it received: it saw our code and reason.
    assert closes == [("out", 4321, "bye now"), ("in", 4321, "bye now")]
    assert (final.closed_by, final.close_code, final.close_reason) == ("client", 4321, "bye now")
    assert final.error is None
    assert probe.phases == ["connecting", "open", "closing", "closed"]
    assert final.describe() == "Closed: 4321 (application code) “bye now”"


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (1001, "", "close code 1001 cannot be sent"),
        (2999, "", "close code 2999 cannot be sent"),
        (5000, "", "close code 5000 cannot be sent"),
        (1000, "é" * 62, "124 bytes long"),
    ],
)
async def test_close_refuses_codes_and_reasons_that_cannot_be_sent(
    websocket_url: str, code: int, reason: str, expected: str
) -> None:
    async with opened(f"{websocket_url}/echo") as (session, _, _task):
        with pytest.raises(WsMessageError, match=expected):
            await session.close(code, reason)
        assert session.status.phase == "open"


async def test_sending_while_disconnected(websocket_url: str) -> None:
    probe = Probe()
    session = make_session(f"{websocket_url}/close-after?n=0", probe)
    with pytest.raises(WsNotConnectedError, match="Not connected: press Connect first"):
        await session.send(WsMessage(body="hi"))
    await session.run()
    with pytest.raises(WsNotConnectedError, match="press Connect"):
        await session.send(WsMessage(body="hi"))
    with pytest.raises(WsNotConnectedError):
        await session.ping()
    assert session.counters.messages_out == 0


async def test_cancelling_run_closes_the_socket(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/echo") as (session, probe, task):
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert session.status.phase == "closed"
        assert session.status.closed_by == "client"
        with pytest.raises(WsNotConnectedError):
            await session.send(WsMessage(body="late"))
    assert probe.phases[-1] == "closed"


async def test_abort_drops_everything_and_stays_quiet(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/ticker?rate=1000&count=100000") as (session, probe, task):
        await probe.until(lambda: len(probe.received()) > 5, "some quotes")
        session.abort()
        reported = len(probe.frames), len(probe.statuses)
        final = await asyncio.wait_for(task, 5)
    assert (final.phase, final.closed_by, final.error) == ("closed", "client", None)
    assert (len(probe.frames), len(probe.statuses)) == reported


async def test_close_while_connecting_stops_the_attempt(silent_port: int) -> None:
    probe = Probe()
    session = make_session(f"ws://127.0.0.1:{silent_port}/", probe, connect_timeout_s=30)
    task = asyncio.create_task(session.run())
    await probe.until(lambda: probe.phases == ["connecting"], "connecting")
    await asyncio.sleep(0.05)  # let the attempt reach the silent server
    await session.close()
    final = await asyncio.wait_for(task, 2)
    assert (final.phase, final.closed_by, final.error) == ("closed", "client", None)


# --- keepalive --------------------------------------------------------------------------


async def test_keepalive_closes_when_the_server_stops_answering_pings() -> None:
    async with scripted_server(Step("ignore")) as url:
        final, probe = await run_to_end(url, ping_interval_s=0.05)
    assert isinstance(final.error, WsClosedError)
    assert (final.error.by, final.error.code) == ("network", 1011)
    assert "stopped answering pings (no pong within 0.05 s)" in str(final.error)
    assert final.describe() == "Connection lost (1011): the server stopped answering pings"
    assert ("out", "ping") in probe.kinds()
    assert ("in", "pong") not in probe.kinds()


# --- reconnecting -----------------------------------------------------------------------


def test_backoff_doubles_to_30_s_with_jitter() -> None:
    for attempt, base in [(1, 0.5), (2, 1.0), (3, 2.0), (6, 16.0), (7, 30.0), (10, 30.0)]:
        delays = [backoff_delay(attempt) for _ in range(50)]
        assert all(base * 0.8 <= delay <= base * 1.2 for delay in delays)
        assert len(set(delays)) > 1


async def test_reconnects_after_a_drop_until_it_gives_up(websocket_url: str) -> None:
    final, probe = await run_to_end(
        f"{websocket_url}/drop?after=1", auto_reconnect=True, delay=fast
    )
    reconnecting = [s for s in probe.statuses if s.phase == "reconnecting"]
    assert [s.attempt for s in reconnecting] == list(range(1, MAX_RECONNECT_ATTEMPTS + 1))
    assert [s.retry_in_s for s in reconnecting] == [fast(n) for n in range(1, 11)]
    assert all(
        isinstance(s.error, WsClosedError) and s.closed_by == "network" for s in reconnecting
    )
    assert reconnecting[1].describe() == "Reconnecting in 0.0 s (attempt 2 of 10)"
    assert probe.phases[:6] == [
        "connecting",
        "open",
        "reconnecting",
        "connecting",
        "open",
        "reconnecting",
    ]
    assert probe.statuses[3].describe().endswith("(attempt 1 of 10)")
    assert len(probe.received()) == 1 + MAX_RECONNECT_ATTEMPTS  # one message per connection
    assert final.phase == "closed"
    assert final.attempt == MAX_RECONNECT_ATTEMPTS
    assert final.describe().endswith("(gave up after 10 reconnect attempts)")


async def test_no_reconnect_after_the_users_close(websocket_url: str) -> None:
    async with opened(f"{websocket_url}/echo", auto_reconnect=True, delay=fast) as (
        session,
        probe,
        task,
    ):
        await session.close()
        final = await task
    assert "reconnecting" not in probe.phases
    assert (final.closed_by, final.close_code) == ("client", 1000)


async def test_no_reconnect_after_a_normal_close_by_the_server(websocket_url: str) -> None:
    final, probe = await run_to_end(
        f"{websocket_url}/close-after?n=1&code=1001", auto_reconnect=True, delay=fast
    )
    assert "reconnecting" not in probe.phases
    assert (final.closed_by, final.close_code, final.error) == ("server", 1001, None)


async def test_no_reconnect_after_a_refused_handshake(websocket_url: str) -> None:
    final, probe = await run_to_end(f"{websocket_url}/reject", auto_reconnect=True, delay=fast)
    assert probe.phases == ["connecting", "closed"]
    assert isinstance(final.error, WsHandshakeError)


async def test_a_refusal_while_reconnecting_ends_the_retries() -> None:
    async with scripted_server(Step("drop"), Step("refuse", status=401)) as url:
        final, probe = await run_to_end(url, auto_reconnect=True, delay=fast)
    assert probe.phases == ["connecting", "open", "reconnecting", "connecting", "closed"]
    assert isinstance(final.error, WsHandshakeError)
    assert final.error.status == 401


async def test_failed_attempts_while_reconnecting_are_retried() -> None:
    probe = Probe()
    async with scripted_server(Step("drop")) as url:
        # The first wait outlasts the server: every attempt after the drop is refused.
        session = make_session(
            url, probe, auto_reconnect=True, delay=lambda n: 0.2 if n == 1 else fast(n)
        )
        task = asyncio.create_task(session.run())
        await probe.until(lambda: "reconnecting" in probe.phases, "the first drop")
    final = await asyncio.wait_for(task, 10)
    assert probe.phases.count("open") == 1
    assert probe.phases.count("reconnecting") == MAX_RECONNECT_ATTEMPTS
    assert isinstance(final.error, ConnectError)
    assert final.attempt == MAX_RECONNECT_ATTEMPTS
    assert final.describe().startswith("Not connected: Could not connect")
    assert final.describe().endswith("(gave up after 10 reconnect attempts)")


async def test_an_abnormal_close_reconnects_and_close_stops_the_wait(websocket_url: str) -> None:
    probe = Probe()
    session = make_session(
        f"{websocket_url}/close-after?n=0&code=4000", probe, auto_reconnect=True, delay=lambda _: 60
    )
    task = asyncio.create_task(session.run())
    await probe.until(lambda: probe.phases[-1:] == ["reconnecting"], "reconnecting")
    assert probe.statuses[-1].retry_in_s == 60
    assert probe.statuses[-1].close_code == 4000
    await session.close()
    final = await asyncio.wait_for(task, 2)
    assert (final.phase, final.closed_by, final.error) == ("closed", "client", None)
