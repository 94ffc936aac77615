"""Reading a response body for the REST engine: in memory, or past a threshold into a
file as it arrives (:class:`SpoolPolicy`), with progress and the partial body kept when
it stops early."""

from __future__ import annotations

import asyncio
import errno
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from apiclient.core.body_spool import BodyFile, SpoolWriter, suffix_for
from apiclient.core.formatting import human_size
from apiclient.protocols.errors import ResponseTooLargeError
from apiclient.protocols.http import check_body_size, map_httpx_error

# Told as a body arrives: (bytes received so far, bytes announced or None).
Progress = Callable[[int, int | None], None]
# What a spooled response keeps in memory of its body (sniffing, the history's preview).
HEAD_BYTES = 64 * 1024
# The most of one body spooled to disk: a server that never stops is cut off here.
MAX_SPOOLED_BYTES = 64 << 30
# Received bytes waiting for the disk past which reading pauses until half is written.
_MAX_BACKLOG = 16 << 20


@dataclass(frozen=True)
class SpoolPolicy:
    """Bodies larger than ``threshold`` bytes go to a file in ``folder()`` as they
    arrive, instead of memory (see :mod:`apiclient.core.body_spool`)."""

    folder: Callable[[], Path]
    threshold: int = 8 << 20


class BodyStopped(Exception):
    """The body stopped after it began spooling: the connection broke (``cause`` an
    httpx error) or its file could not be written (``cause`` an OSError)."""

    def __init__(
        self, cause: BaseException, response: httpx.Response, head: bytes, body_file: BodyFile
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.response = response
        self.head = head
        self.body_file = body_file


class Receiver:
    """Collects one body: in memory up to the spool threshold, then in a file."""

    def __init__(self, spool: SpoolPolicy | None, url: str, response: httpx.Response) -> None:
        self._spool = spool
        self._url = url
        self._memory = io.BytesIO()
        self._writer: SpoolWriter | None = None
        self._head = b""
        self.received = 0
        length = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity") != "identity"
        self.expected = int(length) if length.isdigit() and not encoded else None
        self._suffix = suffix_for(response.headers.get("content-type", ""))

    @property
    def spooling(self) -> bool:
        return self._writer is not None

    def add(self, chunk: bytes) -> None:
        """Keep ``chunk``; raises OSError when the file cannot be written."""
        self.received += len(chunk)
        if self._writer is not None:
            if self.received > MAX_SPOOLED_BYTES:
                raise ResponseTooLargeError(
                    f"The response from {self._url} is larger than "
                    f"{human_size(MAX_SPOOLED_BYTES)}; it was not read to the end."
                )
            self._writer.write(chunk)
            return
        self._memory.write(chunk)
        check_body_size(self.received, self._url)
        if self._spool is not None and self.received > self._spool.threshold:
            self._writer = SpoolWriter(self._spool.folder(), self._suffix)
            buffered = self._memory.getbuffer()
            self._head = bytes(buffered[:HEAD_BYTES])
            self._writer.write(bytes(buffered))
            del buffered
            self._memory = io.BytesIO()

    async def pause(self) -> None:
        """Let the loop run other work; wait (in a worker) while the disk lags far
        behind. Raises a write's OSError."""
        writer = self._writer
        if writer is not None and writer.backlog > _MAX_BACKLOG:
            await asyncio.to_thread(writer.wait, _MAX_BACKLOG // 2)
        else:
            await asyncio.sleep(0)

    async def flush(self) -> None:
        """Wait (in a worker) until the spooled body is all on disk; raises OSError."""
        if self._writer is not None:
            await asyncio.to_thread(self._writer.flush)

    def finish(self) -> tuple[bytes, BodyFile | None]:
        if self._writer is None:
            return self._memory.getvalue(), None
        return self._head, self._writer.finish(self.expected)

    async def stopped(self, cause: BaseException, response: httpx.Response) -> BodyStopped:
        """The body stopped on ``cause``: keep what arrived (written out first)."""
        writer = self._writer
        assert writer is not None
        try:
            await asyncio.to_thread(writer.flush)
        except OSError as exc:
            cause = cause if isinstance(cause, OSError) else exc
        return BodyStopped(cause, response, self._head, writer.finish(self.expected, False))

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.discard()


def stopped_message(stop: BodyStopped, url: str, timeout_s: float | None) -> str:
    """What a :class:`PartialBodyError` says: why the body stopped, and where what
    arrived is kept."""
    body_file = stop.body_file
    arrived = human_size(body_file.size)
    of = f" of {human_size(body_file.expected)}" if body_file.expected is not None else ""
    if isinstance(stop.cause, httpx.HTTPError):
        why = str(map_httpx_error(stop.cause, url, timeout_s))
        return f"{why} The {arrived}{of} that arrived are kept in {body_file.path}."
    error = stop.cause
    code = getattr(error, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    elif code == errno.EFBIG:
        reason = "the file grew larger than the system allows"
    else:
        reason = getattr(error, "strerror", None) or str(error)
    return (
        f"Could not save the response body from {url}: {reason}. The {arrived}{of} that"
        f" arrived are kept in {body_file.path}; free some space and send again."
    )
