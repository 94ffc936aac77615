"""A raw-socket server that answers HTTP wrongly on purpose, chosen by the request path.

No HTTP library writes broken HTTP on purpose, so this one speaks bytes over a plain
socket. Each connection reads the request head (and a body it announces), then acts
out the fault its path names:

* ``/mid-headers``: part of a status line and headers, then the connection closes.
* ``/mid-body``: full headers announcing 1000 bytes, 100 of them, then it closes.
* ``/malformed``: a status line that is not HTTP at all.
* ``/drip``: a valid response, one byte per ``drip_interval_s`` (a slow-loris server).

Any other path gets a small valid answer, so a test can tell the server is alive.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

__all__ = ["FAULT_PATHS", "HttpFaultServer"]

FAULT_PATHS = ("mid-headers", "mid-body", "malformed", "drip")

_HEAD_LIMIT = 64 * 1024
_BODY_LIMIT = 1024 * 1024


class HttpFaultServer:
    """Listens on 127.0.0.1 on a free port in a daemon thread; ``stop()`` ends it."""

    def __init__(self, *, drip_interval_s: float = 1.0) -> None:
        self.drip_interval_s = drip_interval_s
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, name="http-faults", daemon=True)

    def start(self) -> HttpFaultServer:
        self._accepting.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._accepting.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                path = _read_request(conn)
                _ACTIONS.get(path.strip("/").partition("?")[0], _healthy)(self, conn)
            except OSError:
                return  # the client gave up first: that is what several faults provoke

    def pause(self, seconds: float) -> bool:
        """Wait unless the server stops; False when it stopped."""
        return not self._stopping.wait(seconds)


def _read_request(conn: socket.socket) -> str:
    """Read one request head and the body it announces; returns the path."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < _HEAD_LIMIT:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        if name.strip().lower() == "content-length" and value.strip().isdigit():
            length = min(int(value), _BODY_LIMIT)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    parts = lines[0].split(" ")
    return parts[1] if len(parts) > 1 else "/"


def _mid_headers(_server: HttpFaultServer, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")


def _mid_body(_server: HttpFaultServer, conn: socket.socket) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100
    )


def _malformed(_server: HttpFaultServer, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 two-hundred Fine\r\nthis line is no header\r\n\r\nhello")


def _drip(server: HttpFaultServer, conn: socket.socket) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
    for index in range(len(answer)):
        conn.sendall(answer[index : index + 1])
        if not server.pause(server.drip_interval_s):
            return


def _healthy(_server: HttpFaultServer, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")


_ACTIONS: dict[str, Callable[[HttpFaultServer, socket.socket], None]] = {
    "mid-headers": _mid_headers,
    "mid-body": _mid_body,
    "malformed": _malformed,
    "drip": _drip,
}
