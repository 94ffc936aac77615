"""Serve the WebSocket mock with the websockets library's own asyncio server.

Paths and their behaviour are in websocket_routes.py (routing and refusals during the
handshake), websocket_sessions.py (what each path does once open) and
websocket_room.py (the broadcast rooms). mock_servers/README.md documents them.
"""

from __future__ import annotations

import asyncio
from ssl import SSLContext

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from mock_servers.serving import RunningServer, bind_socket
from mock_servers.websocket_routes import MockConnection, Router

__all__ = ["CLOSE_TIMEOUT_SECONDS", "MAX_MESSAGE_BYTES", "start_websocket_mock"]

# Largest message a client may send; a larger one is closed with 1009 by the library.
MAX_MESSAGE_BYTES = 16 * 2**20
# How long a closing handshake may take, so stopping the server never hangs on a client
# that does not answer the 1001 close frame.
CLOSE_TIMEOUT_SECONDS = 2.0


async def _discard_messages(connection: ServerConnection) -> None:
    """Read and drop what the client sends, so its close frame is processed and its
    messages never fill the receive queue (which would stop reading altogether)."""
    async for _ in connection:
        pass


async def _serve_connection(connection: ServerConnection) -> None:
    """Run the session the handshake chose until it returns or the connection is gone.

    A session sleeping between messages (the ticker, the pings) is cancelled as soon as
    the client leaves, so closing the server never waits for it. A client that goes
    away is a normal end; anything else escapes for websockets to log as a mock bug.
    """
    assert isinstance(connection, MockConnection) and connection.session is not None
    session = asyncio.create_task(connection.session(connection))
    closed = asyncio.create_task(connection.wait_closed())
    tasks = {session, closed}
    if not connection.reads:
        tasks.add(asyncio.create_task(_discard_messages(connection)))
    try:
        await asyncio.wait({session, closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, ConnectionClosed):
            raise result


async def start_websocket_mock(
    host: str = "127.0.0.1", port: int = 0, ssl: SSLContext | None = None
) -> RunningServer:
    """Start the WebSocket mock on the running loop; return once it listens.

    Port 0 picks a free port; a port in use raises PortInUseError. With `ssl` it serves
    wss:// (tests pass a trustme certificate). `stop()` refuses new connections, closes
    open ones with 1001 and waits for them, at most about CLOSE_TIMEOUT_SECONDS.
    """
    sock = bind_socket("websocket", host, port)
    router = Router()
    try:
        server = await serve(
            _serve_connection,
            sock=sock,
            ssl=ssl,
            process_request=router.process_request,
            select_subprotocol=router.select_subprotocol,
            create_connection=MockConnection,
            max_size=MAX_MESSAGE_BYTES,
            close_timeout=CLOSE_TIMEOUT_SECONDS,
        )
    except BaseException:
        sock.close()
        raise

    async def stop() -> None:
        server.close()
        await server.wait_closed()

    return RunningServer(port=server.sockets[0].getsockname()[1], stop=stop)
