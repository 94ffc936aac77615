"""A WebSocket server (the ``websockets`` library) that drops every connection without a
close frame: it completes the opening handshake, answers the first message with an
echo, and on the second message (or after ``drop_after_s``) aborts the TCP connection.
With ``ssl`` it serves wss:// (a bad certificate, for the TLS cases).
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
import threading

from websockets.asyncio.server import ServerConnection, serve

__all__ = ["DroppingWebsocketServer"]


class DroppingWebsocketServer:
    """Runs on its own thread and event loop, on 127.0.0.1 and a free port."""

    def __init__(
        self, *, ssl: ssl_module.SSLContext | None = None, drop_after_s: float = 0.3
    ) -> None:
        self._ssl = ssl
        self._drop_after_s = drop_after_s
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.url = ""

    def start(self) -> DroppingWebsocketServer:
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        self.url = f"{'wss' if self._ssl else 'ws'}://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _serve(self) -> int:
        self._server = await serve(self._handle, "127.0.0.1", 0, ssl=self._ssl)
        return int(self._server.sockets[0].getsockname()[1])

    async def _close(self) -> None:
        self._server.close(close_connections=False)
        await self._server.wait_closed()

    async def _handle(self, connection: ServerConnection) -> None:
        try:
            async with asyncio.timeout(self._drop_after_s):
                await connection.send(await connection.recv())
                await connection.recv()
        except TimeoutError:
            pass
        # No close frame, no TCP FIN handshake: the transport is simply cut.
        connection.transport.abort()
