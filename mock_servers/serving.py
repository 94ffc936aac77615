"""Serve an ASGI app with uvicorn on the mock host's event loop.

Every HTTP-based mock (REST now; SOAP, GraphQL and the webhook sender later) goes
through `serve_asgi`, so binding, port-in-use reporting and graceful shutdown live in
one place.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from mock_servers.errors import MockServerError, PortInUseError

# A request still running when the host stops (say /delay/60) gets this long to finish.
GRACEFUL_SHUTDOWN_SECONDS = 2
_ADDR_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


@dataclass(frozen=True)
class RunningServer:
    """A started mock server: the port it really listens on and how to stop it."""

    port: int
    stop: Callable[[], Awaitable[None]]


def bind_socket(name: str, host: str, port: int) -> socket.socket:
    """Bind host:port ourselves, because uvicorn calls sys.exit when its own bind fails.

    Binding here turns "address in use" into a PortInUseError the app and CLI can show.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise MockServerError(f"Cannot resolve host {host!r} for the {name} mock: {exc}") from exc
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":
            # Lets a restart reuse a port whose old connections sit in TIME_WAIT; on POSIX
            # it never allows a second listener. (On Windows it would, hence skipped.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in _ADDR_IN_USE:
            raise PortInUseError(name, host, port) from exc
        raise MockServerError(
            f"Cannot listen on {host}:{port} for the {name} mock: {exc.strerror or exc}"
        ) from exc
    return sock


async def serve_asgi(
    app: ASGIApp, *, name: str, host: str, port: int, websockets: bool = False
) -> RunningServer:
    """Start uvicorn for `app` as a task on the running loop; return once it listens.

    Port 0 picks a free port; the real one is read back from the listening socket.
    `websockets=True` also accepts WebSocket upgrades (uvicorn's sans-I/O protocol on
    the `websockets` library; its legacy one is deprecated), otherwise they are refused.
    """
    sock = bind_socket(name, host, port)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        ws="websockets-sansio" if websockets else "none",
        lifespan="off",
        log_config=None,  # the process that hosts us owns logging configuration
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"mock-{name}")

    async def stop() -> None:
        server.should_exit = True
        await task

    try:
        while not server.started:
            if task.done():
                reason = task.exception() or "it exited before listening"
                raise MockServerError(f"The {name} mock stopped while starting: {reason}")
            await asyncio.sleep(0.01)
    except BaseException:
        # Also on cancellation (start timeout): leave no task or socket behind.
        server.should_exit = True
        await asyncio.wait([task])
        sock.close()
        raise
    listening = server.servers[0].sockets[0].getsockname()[1]
    return RunningServer(port=listening, stop=stop)
