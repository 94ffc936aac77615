"""A log's spool as the log's own thread sees it: opened on the first write, written no
more after a write fails (what it holds stays readable) until the log is cleared.

The logs that write everything to disk (the WebSocket log, the event log of a
subscription or a gRPC stream) run every spool call on one thread, in order
(:class:`~apiclient.ui.serial_worker.SerialWorker`); this holder is what those calls
share. The first spool opened in a folder by this process sweeps the files that
earlier, ended processes left there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from apiclient.core.spool_files import sweep_stale

__all__ = ["SpoolHolder"]

_swept: set[Path] = set()  # spool folders already swept by this process


class Spool(Protocol):
    def write(self, first: int, entries: Sequence[Any]) -> None: ...

    def remove(self) -> None: ...


S = TypeVar("S", bound=Spool)


class SpoolHolder(Generic[S]):
    """The spool of one log (made by ``make(folder)``); ``failure`` is the error that
    ended its writing, re-raised by :meth:`open` until :meth:`reset`; ``spool`` stays
    open for reading what was written before it. Touch it on one thread."""

    def __init__(self, folder: Path, make: Callable[[Path], S], errors: type[Exception]) -> None:
        self.folder = folder
        self._make = make
        self._errors = errors
        self.spool: S | None = None
        self.failure: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def open(self) -> S:
        """The spool, made on first use; raises the failure that ended it, if one did."""
        if self.failure is not None:
            raise self.failure
        if self.spool is None:
            if self.folder not in _swept:
                _swept.add(self.folder)
                sweep_stale(self.folder)
            try:
                self.spool = self._make(self.folder)
            except self._errors as exc:
                self.failure = exc
                raise
        return self.spool

    def write(self, first: int, entries: Sequence[object]) -> None:
        """Write ``entries`` numbered from ``first``; after a failure, nothing (the log
        heard of it from the write that failed). A failed write leaves the spool as
        it was before it: every earlier entry can still be read."""
        if self.failure is not None:
            return
        spool = self.open()
        try:
            spool.write(first, entries)
        except self._errors as exc:
            self.failure = exc
            raise

    def remove(self) -> None:
        """Close the spool and delete its file (a later write makes a new one)."""
        spool, self.spool = self.spool, None
        if spool is not None:
            spool.remove()

    def reset(self) -> None:
        """Start over: no spool, no failure."""
        self.remove()
        self.failure = None
