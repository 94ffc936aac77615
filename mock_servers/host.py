"""Run every mock server on one background thread with its own asyncio event loop.

The desktop app starts the mocks in-process; a separate thread and loop mean a busy
window never slows them and they never hold up the window. `python -m mock_servers`
uses the same host.

To add a server, write `async def start(host, port, context) -> RunningServer` and
register it in `SERVER_SPECS` and `DEFAULT_PORTS`. `context` holds what the servers of
one run share (the webhook sender, used by the REST mock and by its own port).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mock_servers import graphql, rest, soap
from mock_servers.background_loop import BackgroundLoop
from mock_servers.errors import MockServerError, PortInUseError
from mock_servers.grpc_server import start_grpc_mock
from mock_servers.serving import RunningServer, serve_asgi
from mock_servers.webhook_sender import WebhookSender, start_webhook_sender
from mock_servers.websocket import start_websocket_mock

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORTS",
    "SERVER_SPECS",
    "MockHost",
    "MockServerError",
    "PortInUseError",
    "RunContext",
    "ServerSpec",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORTS: dict[str, int] = {
    "rest": 8710,
    "soap": 8711,
    "graphql": 8712,
    "grpc": 8713,
    "websocket": 8714,
    "webhook_sender": 8715,
}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunContext:
    """What the servers of one run share: made when the host starts, closed when it stops,
    so a restart begins empty and nothing of a run outlives `MockHost.stop()`."""

    webhook_sender: WebhookSender

    async def aclose(self) -> None:
        await self.webhook_sender.aclose()


@dataclass(frozen=True)
class ServerSpec:
    """How to start one mock: `start(host, port, context)` runs on the host loop and
    returns once the server listens. `scheme` builds the URL shown to people."""

    scheme: str
    start: Callable[[str, int, RunContext], Awaitable[RunningServer]]


async def _start_rest(host: str, port: int, context: RunContext) -> RunningServer:
    app = rest.create_app(context.webhook_sender)
    return await serve_asgi(app, name="rest", host=host, port=port)


async def _start_soap(host: str, port: int, context: RunContext) -> RunningServer:
    return await serve_asgi(soap.create_app(), name="soap", host=host, port=port)


async def _start_graphql(host: str, port: int, context: RunContext) -> RunningServer:
    # WebSockets on: subscriptions share the /graphql path with queries.
    return await serve_asgi(
        graphql.create_app(), name="graphql", host=host, port=port, websockets=True
    )


async def _start_grpc(host: str, port: int, context: RunContext) -> RunningServer:
    # gRPC speaks HTTP/2 on grpc.aio's own server; its URL is a target, grpc://host:port.
    return await start_grpc_mock(host, port)


async def _start_websocket(host: str, port: int, context: RunContext) -> RunningServer:
    # The websockets library's own server, not uvicorn: paths are routed in the handshake.
    return await start_websocket_mock(host, port)


async def _start_webhook_sender(host: str, port: int, context: RunContext) -> RunningServer:
    return await start_webhook_sender(context.webhook_sender, host, port)


SERVER_SPECS: dict[str, ServerSpec] = {
    "rest": ServerSpec("http", _start_rest),
    "soap": ServerSpec("http", _start_soap),
    "graphql": ServerSpec("http", _start_graphql),
    "grpc": ServerSpec("grpc", _start_grpc),
    "websocket": ServerSpec("ws", _start_websocket),
    "webhook_sender": ServerSpec("http", _start_webhook_sender),
}


def _url(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


@dataclass(frozen=True)
class _Run:
    """What one run of the host holds: the shared context and the listening servers."""

    context: RunContext
    running: dict[str, RunningServer]


class MockHost:
    """Starts and stops all registered mock servers together.

    `start()` blocks the caller until every server listens (or fails, leaving nothing
    running). Calling `start()` while already running raises MockServerError; after
    `stop()` it may be called again. Drive one MockHost from one thread.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        ports: dict[str, int] | None = None,
        ephemeral: bool = False,
    ) -> None:
        unknown = sorted(set(ports or {}) - set(SERVER_SPECS))
        if unknown:
            raise MockServerError(
                f"Unknown mock server {', '.join(unknown)}; known: {', '.join(SERVER_SPECS)}."
            )
        bad = sorted(
            f"{name}={port}" for name, port in (ports or {}).items() if not 0 <= port <= 65535
        )
        if bad:
            raise MockServerError(f"Ports must be between 0 and 65535: {', '.join(bad)}.")
        self._host = host
        # Ephemeral asks the OS for free ports, except for servers given an explicit port.
        self._ports = {name: 0 if ephemeral else DEFAULT_PORTS[name] for name in SERVER_SPECS}
        self._ports.update(ports or {})
        self._urls: dict[str, str] = {}
        self._background: BackgroundLoop[_Run] = BackgroundLoop(
            "mock-servers", "The mock servers", plural=True
        )

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each running server, by name; empty when stopped."""
        return dict(self._urls)

    @property
    def running(self) -> bool:
        return self._background.alive and bool(self._urls)

    def start(self, timeout: float = 15.0) -> dict[str, str]:
        """Start every server and return their URLs once all of them listen."""
        run = self._background.start(self._start_all, _stop_run, timeout)
        self._urls = {
            name: _url(SERVER_SPECS[name].scheme, self._host, server.port)
            for name, server in run.running.items()
        }
        return self.urls

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every server gracefully and join the thread; does nothing when stopped."""
        self._background.stop(timeout)
        self._urls = {}

    async def _start_all(self) -> _Run:
        """Start every server on the background loop; on failure stop what started."""
        context = RunContext(webhook_sender=WebhookSender())
        running: dict[str, RunningServer] = {}
        try:
            for name, spec in SERVER_SPECS.items():
                running[name] = await spec.start(self._host, self._ports[name], context)
        except BaseException:
            await context.aclose()
            await _stop_all(running)
            raise
        return _Run(context, running)


async def _stop_run(run: _Run) -> None:
    # Shared state first: timers and retries end, and requests waiting on deliveries
    # (?wait=true) get their answer before the servers close their connections.
    await run.context.aclose()
    await _stop_all(run.running)


async def _stop_all(running: dict[str, RunningServer]) -> None:
    results = await asyncio.gather(
        *(server.stop() for server in running.values()), return_exceptions=True
    )
    for name, result in zip(running, results, strict=True):
        if isinstance(result, BaseException):
            _log.error("The %s mock did not stop cleanly", name, exc_info=result)
