"""How far a long import is, told from the worker that reads or writes it, and a way for
another thread (the window's) to stop it.

The worker calls :meth:`ImportProgress.start` for each phase and :meth:`ImportProgress.step`
for each item; the report callback runs on the worker's thread, at most once per
``interval`` seconds (plus the first and last step of a phase), so a file of 5,000
requests does not flood the window with 5,000 updates. ``cancel`` may be called from any
thread; the worker's next ``step`` raises :class:`ImportCancelledError`, and whoever runs
the work cleans up what it had begun (the writer deletes its half-written folder).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from apiclient.core.errors import CoreError

Report = Callable[[str, int, int], None]
"""Called with (phase, done, total): "Writing requests", 1234, 5000. ``total`` 0 means
the phase has no count (reading the file)."""

READING = "Reading the file"
PARSING = "Reading requests"
WRITING = "Writing requests"


class ImportCancelledError(CoreError):
    """The user stopped the import; nothing it began was kept."""

    def __init__(self, message: str = "The import was cancelled; nothing was written.") -> None:
        super().__init__(message)


class ImportProgress:
    """Progress of one import, reported to ``report`` (throttled), and its cancel switch."""

    def __init__(self, report: Report | None = None, interval: float = 0.05) -> None:
        self._report = report
        self._interval = interval
        self._cancelled = threading.Event()
        self._phase = ""
        self._total = 0
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next step (any thread)."""
        self._cancelled.set()

    def start(self, phase: str, total: int = 0) -> None:
        """A new phase of ``total`` items begins (reported at once)."""
        self.check()
        self._phase, self._total = phase, total
        self._last = time.monotonic()
        if self._report is not None:
            self._report(phase, 0, total)

    def step(self, done: int) -> None:
        """``done`` items of the phase are finished; raises ``ImportCancelledError`` when
        the import was cancelled."""
        self.check()
        if self._report is None:
            return
        now = time.monotonic()
        if done >= self._total or now - self._last >= self._interval:
            self._last = now
            self._report(self._phase, done, self._total)

    def check(self) -> None:
        """Raise ``ImportCancelledError`` when the import was cancelled."""
        if self._cancelled.is_set():
            raise ImportCancelledError
