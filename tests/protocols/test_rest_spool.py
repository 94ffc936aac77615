"""Large bodies written to a file as they arrive (the REST tab's engine), from the real
REST mock: the file, progress, an early end, a full disk, a cancel."""

from __future__ import annotations

import asyncio
import errno
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import apiclient.core.body_spool as body_spool
from apiclient.core.models import RestRequest
from apiclient.protocols.body_errors import PartialBodyError
from apiclient.protocols.errors import ConnectionClosedError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_receive import HEAD_BYTES, SpoolPolicy

MB = 1 << 20


@pytest.fixture
async def spooling(tmp_path: Path) -> AsyncIterator[RestEngine]:
    """An engine that spools bodies over 256 KB to ``tmp_path``."""
    engine = RestEngine(spool=SpoolPolicy(lambda: tmp_path, threshold=256 * 1024))
    try:
        yield engine
    finally:
        await engine.aclose()


async def test_a_large_body_goes_to_a_file_with_progress(
    spooling: RestEngine, rest_url: str, tmp_path: Path
) -> None:
    seen: list[tuple[int, int | None]] = []
    response = await spooling.send(
        RestRequest(url=f"{rest_url}/text/large?mb=3"),
        progress=lambda received, total: seen.append((received, total)),
    )
    body_file = response.body_file
    assert body_file is not None and body_file.complete
    assert Path(body_file.path).parent == tmp_path
    assert body_file.path.endswith(".txt")
    assert body_file.size == response.body_size == 3 * MB
    assert body_file.expected == 3 * MB
    data = Path(body_file.path).read_bytes()
    assert data.startswith(b"line 00000000") and data.endswith(b"END-OF-BODY\n")
    # Only the head is in memory.
    assert response.body == data[:HEAD_BYTES]
    assert not response.is_binary
    assert seen[-1] == (3 * MB, 3 * MB)
    assert [r for r, _ in seen] == sorted(r for r, _ in seen) and len(seen) > 10


async def test_a_small_body_stays_in_memory(spooling: RestEngine, rest_url: str) -> None:
    response = await spooling.send(RestRequest(url=f"{rest_url}/bytes/1000"))
    assert response.body_file is None
    assert len(response.body) == response.body_size == 1000


async def test_a_body_that_ends_early_is_kept_as_partial(tmp_path: Path, rest_url: str) -> None:
    engine = RestEngine(spool=SpoolPolicy(lambda: tmp_path, threshold=100))
    try:
        with pytest.raises(PartialBodyError) as caught:
            await engine.send(RestRequest(url=f"{rest_url}/broken/mid-body"))
    finally:
        await engine.aclose()
    error = caught.value
    assert isinstance(error.cause, ConnectionClosedError)
    partial = error.response
    assert partial.status_code == 200 and not partial.complete
    assert partial.body_file is not None
    assert partial.body_file.size == 1000 and partial.body_file.expected == 100_000
    assert Path(partial.body_file.path).read_bytes() == b"x" * 1000
    message = str(error)
    assert "closed the connection before the response was complete" in message
    assert "The 1000 B of 97.7 KB that arrived are kept in" in message
    assert partial.body_file.path in message


async def test_a_full_disk_keeps_the_partial_file_and_says_where(
    spooling: RestEngine, rest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk "fills" at the spool's own write (a tmpfs needs root): after 1 MB."""
    write = body_spool._write_chunk

    def write_until_full(fd: int, data: bytes | memoryview) -> int:
        if os.fstat(fd).st_size >= MB:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    monkeypatch.setattr(body_spool, "_write_chunk", write_until_full)
    with pytest.raises(PartialBodyError) as caught:
        await spooling.send(RestRequest(url=f"{rest_url}/text/large?mb=4"))
    error = caught.value
    assert error.cause is None
    body_file = error.response.body_file
    assert body_file is not None and not body_file.complete
    assert body_file.size == os.path.getsize(body_file.path) >= MB
    assert "the disk is full" in str(error)
    assert body_file.path in str(error) and "of 4.0 MB" in str(error)


async def test_cancel_deletes_the_spooled_file(
    spooling: RestEngine, rest_url: str, tmp_path: Path
) -> None:
    started = asyncio.Event()

    def progress(received: int, _total: int | None) -> None:
        if received > MB:
            started.set()

    task = asyncio.ensure_future(
        spooling.send(RestRequest(url=f"{rest_url}/text/large?mb=200"), progress=progress)
    )
    await asyncio.wait_for(started.wait(), 20)
    assert list(tmp_path.iterdir())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The writer's thread deletes it, once its current write is done.
    for _ in range(500):
        if not list(tmp_path.iterdir()):
            break
        await asyncio.sleep(0.01)
    assert list(tmp_path.iterdir()) == []


async def test_a_failing_progress_callback_leaves_no_file(
    spooling: RestEngine, rest_url: str, tmp_path: Path
) -> None:
    def progress(received: int, _total: int | None) -> None:
        if received > MB:
            raise RuntimeError("the progress display broke")

    with pytest.raises(RuntimeError):
        await spooling.send(RestRequest(url=f"{rest_url}/text/large?mb=4"), progress=progress)
    await _until_empty(tmp_path)


async def test_cancel_while_the_file_is_flushed_leaves_no_file(
    spooling: RestEngine, rest_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk lags (each write waits): the body has all arrived and the send waits for
    the writer to finish when it is cancelled."""
    write = body_spool._write_chunk
    flushing = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_write(fd: int, data: bytes | memoryview) -> int:
        loop.call_soon_threadsafe(flushing.set)
        time.sleep(0.05)
        return write(fd, data)

    monkeypatch.setattr(body_spool, "_write_chunk", slow_write)
    task = asyncio.ensure_future(spooling.send(RestRequest(url=f"{rest_url}/text/large?mb=1")))
    await asyncio.wait_for(flushing.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _until_empty(tmp_path)


async def _until_empty(folder: Path) -> None:
    for _ in range(500):
        if not list(folder.iterdir()):
            break
        await asyncio.sleep(0.01)
    assert list(folder.iterdir()) == []


async def test_cancel_while_the_response_is_closed_leaves_no_file(
    spooling: RestEngine, rest_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole body has arrived; the cancel comes as the response is closed."""
    close = httpx.Response.aclose

    async def cancelled_while_closing(self: httpx.Response) -> None:
        closed = self.is_closed  # httpx closed it at the end of the body: the engine's call
        await close(self)
        if closed:
            raise asyncio.CancelledError

    monkeypatch.setattr(httpx.Response, "aclose", cancelled_while_closing)
    with pytest.raises(asyncio.CancelledError):
        await spooling.send(RestRequest(url=f"{rest_url}/text/large?mb=1"))
    assert list(tmp_path.iterdir()) == []
