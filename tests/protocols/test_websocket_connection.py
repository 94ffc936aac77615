"""The reporting connection under a burst: a backlog in the socket is parsed a slice
at a time, so the event loop (the window) gets a turn between slices."""

from __future__ import annotations

import time
from typing import Any

import pytest
from websockets.asyncio.client import connect

from apiclient.protocols.websocket_connection import READ_BYTES, ReportingConnection

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


class _Measured(ReportingConnection):
    """Records the size of every chunk the event loop hands over."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, report=self._count, **kwargs)
        self.chunks: list[int] = []
        self.messages = 0

    def _count(self, *_frame: object) -> None:
        self.messages += 1

    def data_received(self, data: bytes) -> None:
        self.chunks.append(len(data))
        super().data_received(data)


async def test_a_backlog_is_read_a_slice_at_a_time(websocket_url: str) -> None:
    count = 20_000
    url = f"{websocket_url}/ticker?rate=50000&count={count}"
    async with connect(url, create_connection=_Measured) as connection:
        assert isinstance(connection, _Measured)
        time.sleep(0.5)  # holds the loop, as a long slot would; the server goes on sending
        while connection.messages < count:
            await connection.receive()
    assert sum(connection.chunks) > 4 * READ_BYTES  # there was a backlog to read
    assert max(connection.chunks) <= READ_BYTES
    assert connection.messages == count
