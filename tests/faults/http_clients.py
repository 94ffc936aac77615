"""Clients that speak HTTP wrongly on purpose, over a raw socket, for the webhook
receiver: each one misbehaves once and hangs up (or stalls until ``stall_s``)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

__all__ = ["MISBEHAVIOURS"]


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """What the server sent before closing (or in the next second)."""
    sock.settimeout(1.0)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def malformed_request_line(port: int) -> bytes:
    with _connect(port) as sock:
        sock.sendall(b"HELLO THERE\r\n\r\n")
        return _answer(sock)


def headers_cut_off(port: int) -> bytes:
    with _connect(port) as sock:
        sock.sendall(b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        return b""


def body_cut_off(port: int) -> bytes:
    with _connect(port) as sock:
        sock.sendall(
            b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"amount": 1' * 5
        )
        return b""


def slow_drip(port: int, stall_s: float = 1.5) -> bytes:
    """A byte every 0.1 s for ``stall_s``, then gone: a slow-loris client."""
    request = b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
    with _connect(port) as sock:
        deadline = time.monotonic() + stall_s
        for byte in request:
            if time.monotonic() > deadline:
                break
            sock.sendall(bytes([byte]))
            time.sleep(0.1)
        return b""


def oversized_headers(port: int) -> bytes:
    with _connect(port) as sock:
        header = b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n"
        try:
            sock.sendall(b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            return b""  # refused before the end: fine
        return _answer(sock)


MISBEHAVIOURS: dict[str, Callable[[int], bytes]] = {
    "malformed-request-line": malformed_request_line,
    "headers-cut-off": headers_cut_off,
    "body-cut-off": body_cut_off,
    "slow-drip": slow_drip,
    "oversized-headers": oversized_headers,
}
