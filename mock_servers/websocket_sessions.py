"""What the WebSocket mock does on each path once the handshake succeeded.

Each session is a coroutine taking the connection (and its validated query
parameters as keywords). The server runs it until it returns or the connection
closes, whichever comes first, and treats ConnectionClosed as a normal end; so a
session may simply sleep or send without checking whether the client is still there.
Sessions that never read (all but echo, headers, subprotocol and rooms) get a reader
from the server that discards what the client sends, so its close frame is seen.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from urllib.parse import parse_qs

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode

__all__ = [
    "BIG_PATTERN",
    "BINARY_PATTERN",
    "CHAT_PROTOCOL",
    "INVALID_UTF8",
    "TICKER_SYMBOLS",
    "big",
    "binary",
    "close_after",
    "drop",
    "echo",
    "headers",
    "invalid_utf8",
    "pings",
    "subprotocol",
    "ticker",
]

CHAT_PROTOCOL = "chat.v1"
DONE = "done"
# A text frame whose payload is not UTF-8: 0xff and 0xfe never occur in UTF-8.
INVALID_UTF8 = b"\xff\xfe not utf-8"
BIG_PATTERN = b"0123456789"
BINARY_PATTERN = bytes(range(256))
TICKER_SYMBOLS = ("ACME", "GLOBEX", "INITECH", "UMBRELLA")
_TICKER_START_PRICES = (101.5, 48.25, 12.0, 230.75)
# The ticker wakes at most this often and sends everything that is due by then.
_TICKER_SLICE_SECONDS = 0.01


async def echo(connection: ServerConnection) -> None:
    """Text comes back as text, binary as binary, unchanged."""
    async for message in connection:
        await connection.send(message)


def _handshake_report(connection: ServerConnection) -> dict[str, object]:
    request = connection.request
    assert request is not None  # sessions start after the handshake
    path, _, query_text = request.path.partition("?")
    query: dict[str, object] = {
        name: values[0] if len(values) == 1 else values
        for name, values in parse_qs(query_text, keep_blank_values=True).items()
    }
    headers: dict[str, str] = {}
    for name, value in request.headers.raw_items():
        key = name.lower()
        # Repeated fields are combined the way HTTP allows (RFC 9110, 5.3).
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return {
        "path": path,
        "query": query,
        "headers": headers,
        "subprotocol": connection.subprotocol,
    }


async def headers(connection: ServerConnection) -> None:
    """Describe the handshake request in one JSON message, then echo."""
    await connection.send(json.dumps(_handshake_report(connection), ensure_ascii=False))
    await echo(connection)


async def subprotocol(connection: ServerConnection) -> None:
    """Answer text in the chat.v1 shape; chat.v1 has no binary messages."""
    async for message in connection:
        if isinstance(message, bytes):
            await connection.close(
                CloseCode.UNSUPPORTED_DATA, f"{CHAT_PROTOCOL} carries text messages only"
            )
            return
        await connection.send(
            json.dumps({"protocol": CHAT_PROTOCOL, "echo": message}, ensure_ascii=False)
        )


async def ticker(connection: ServerConnection, *, rate: int, count: int) -> None:
    """`count` quotes at `rate` per second, then close 1000 "done".

    Paced in slices: each wake-up sends every message due by now (catching up after a
    late wake-up or a slow client), so high rates never mean one sleep per message.
    send() waits while the client lags behind, so nothing piles up in memory.
    """
    loop = asyncio.get_running_loop()
    prices = list(_TICKER_START_PRICES)
    walk = random.Random(count)  # the same count gives the same prices
    started = loop.time()
    sent = 0
    while sent < count:
        due = min(count, int((loop.time() - started) * rate) + 1)
        while sent < due:
            index = sent % len(TICKER_SYMBOLS)
            prices[index] = max(0.01, prices[index] * (1 + walk.uniform(-0.002, 0.002)))
            sent += 1
            quote = {
                "seq": sent,
                "symbol": TICKER_SYMBOLS[index],
                "price": round(prices[index], 2),
                "sent_at": time.time(),
            }
            await connection.send(json.dumps(quote))
        if sent < count:
            next_due = started + sent / rate
            await asyncio.sleep(max(_TICKER_SLICE_SECONDS, next_due - loop.time()))
    await connection.close(CloseCode.NORMAL_CLOSURE, DONE)


async def close_after(connection: ServerConnection, *, n: int, code: int, reason: str) -> None:
    for seq in range(1, n + 1):
        await connection.send(json.dumps({"seq": seq, "of": n}))
    await connection.close(code, reason)


async def binary(connection: ServerConnection, *, count: int, size: int) -> None:
    """Frame i: i as 4 bytes big-endian, then 0, 1, ... 255, 0, 1 ... up to `size` bytes
    (a frame under 4 bytes holds the first bytes of the number), then close 1000."""
    pattern = BINARY_PATTERN * (size // len(BINARY_PATTERN) + 1)
    body = pattern[: max(0, size - 4)]
    for seq in range(1, count + 1):
        await connection.send((seq.to_bytes(4, "big") + body)[:size])
    await connection.close(CloseCode.NORMAL_CLOSURE, DONE)


async def invalid_utf8(connection: ServerConnection) -> None:
    """One text frame that is not UTF-8 (a conforming client fails with 1007), then wait."""
    await connection.send(INVALID_UTF8, text=True)
    await connection.wait_closed()


async def drop(connection: ServerConnection, *, after: int) -> None:
    """`after` messages, then cut the TCP connection without a close frame."""
    for seq in range(1, after + 1):
        await connection.send(json.dumps({"seq": seq, "of": after}))
    # abort() discards unsent data: let the messages reach the socket first.
    while connection.transport.get_write_buffer_size():
        await asyncio.sleep(0.005)
    connection.transport.abort()
    await connection.wait_closed()


async def big(connection: ServerConnection, *, size: int) -> None:
    """One text message of `size` bytes: 0123456789 repeated."""
    text = (BIG_PATTERN * (size // len(BIG_PATTERN) + 1))[:size]
    await connection.send(text, text=True)
    await connection.wait_closed()


async def pings(connection: ServerConnection, *, interval: float, count: int) -> None:
    """Ping `ping-1` .. `ping-<count>`, one per interval (the first after one interval),
    then close 1000 "done". Pongs are not awaited: a client that does not answer still
    sees every ping."""
    for number in range(1, count + 1):
        await asyncio.sleep(interval)
        await connection.ping(f"ping-{number}")
    await connection.close(CloseCode.NORMAL_CLOSURE, DONE)
