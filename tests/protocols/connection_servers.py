"""Servers for the connection tests, each on 127.0.0.1 and an ephemeral port: uvicorn
(HTTP or HTTPS, client certificates optional) on a thread, a forward proxy app, and
hypercorn serving HTTP/2 over TLS."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trustme
import uvicorn
from starlette.types import Receive, Scope, Send


@dataclass
class Certs:
    """A test CA and files: the server's pair, the CA, a client's pair for 127.0.0.1."""

    ca: trustme.CA
    folder: Path
    ca_file: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str
    client: trustme.LeafCert


def make_certs(folder: Path) -> Certs:
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("client@example.com")
    paths = {
        "ca_file": folder / "ca.pem",
        "server_cert": folder / "server.pem",
        "server_key": folder / "server-key.pem",
        "client_cert": folder / "client.pem",
        "client_key": folder / "client-key.pem",
    }
    ca.cert_pem.write_to_path(paths["ca_file"])
    server.cert_chain_pems[0].write_to_path(paths["server_cert"])
    server.private_key_pem.write_to_path(paths["server_key"])
    client.cert_chain_pems[0].write_to_path(paths["client_cert"])
    client.private_key_pem.write_to_path(paths["client_key"])
    return Certs(ca, folder, client=client, **{k: str(v) for k, v in paths.items()})


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def uvicorn_on_thread(app: Any, **options: Any) -> Iterator[int]:
    """Serve ``app`` with uvicorn on its own thread; yields the port."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        http="h11",
        ws="none",
        lifespan="off",
        log_config=None,
        log_level="error",
        access_log=False,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The test server did not start.")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers every request with its HTTP version and the client's certificate, if any."""
    if scope["type"] != "http":
        return
    body = f"hello over HTTP/{scope['http_version']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@dataclass
class ForwardProxy:
    """An HTTP forward proxy: takes absolute-form requests (``GET http://host/path``),
    sends them on with httpx, records what it forwarded; with credentials set, answers
    407 to a request without the right ``Proxy-Authorization``."""

    credentials: tuple[str, str] | None = None
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.credentials is not None:
            expected = base64.b64encode(":".join(self.credentials).encode()).decode()
            if headers.get("proxy-authorization") != f"Basic {expected}":
                await send(
                    {
                        "type": "http.response.start",
                        "status": 407,
                        "headers": [(b"proxy-authenticate", b'Basic realm="test"')],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        # uvicorn passes an absolute-form target through as the path.
        target = scope["path"]
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        self.seen.append(f"{scope['method']} {target}")
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        forwarded = {
            k: v
            for k, v in headers.items()
            if k not in ("host", "proxy-authorization", "connection", "content-length")
        }
        async with httpx.AsyncClient(trust_env=False) as client:
            answer = await client.request(scope["method"], target, headers=forwarded, content=body)
        kept = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in answer.headers.multi_items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": kept})
        await send({"type": "http.response.body", "body": answer.content})


@contextlib.asynccontextmanager
async def hypercorn_h2(certs: Certs) -> AsyncIterator[str]:
    """Serve :func:`hello` with hypercorn over TLS (ALPN h2, http/1.1) in this loop."""
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    sock = _bound_socket()
    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) it
    config.certfile = certs.server_cert
    config.keyfile = certs.server_key
    config.loglevel = "ERROR"
    config.accesslog = None
    config.errorlog = None
    config.graceful_timeout = 0.5
    stop = asyncio.Event()
    task = asyncio.ensure_future(serve(hello, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    try:
        for _ in range(500):  # until it accepts
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.01)
        yield f"https://127.0.0.1:{port}"
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@dataclass
class Socks5Relay:
    """A minimal SOCKS5 proxy (RFC 1928: no auth or username/password, CONNECT by IPv4
    or name) in this loop, relaying bytes; ``seen`` records each ``host:port`` reached."""

    seen: list[str] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            _, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            if 2 in methods:  # username/password: accept any
                writer.write(b"\x05\x02")
                await reader.readexactly(1)
                await reader.readexactly((await reader.readexactly(1))[0])
                await reader.readexactly((await reader.readexactly(1))[0])
                writer.write(b"\x01\x00")
            else:
                writer.write(b"\x05\x00")
            _, command, _, kind = await reader.readexactly(4)
            if kind == 1:
                host = socket.inet_ntoa(await reader.readexactly(4))
            else:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            port = int.from_bytes(await reader.readexactly(2), "big")
            assert command == 1
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            self.seen.append(f"{host}:{port}")
            writer.write(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass  # the client or the server went away: the relay ends
        finally:
            writer.close()
            self._tasks.discard(task)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        """Serve until the block ends; then stop relaying and close every connection."""
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"127.0.0.1:{port}"
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def refusing_tunnel_proxy(status: bytes) -> AsyncIterator[str]:
    """A proxy that answers every CONNECT with ``status`` (``b"407 Proxy
    Authentication Required"``), in this loop; yields its ``host:port``."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
