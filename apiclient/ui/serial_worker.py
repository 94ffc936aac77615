"""One background thread that runs a model's jobs in order, answering on the GUI thread.

A log that spools to disk writes batches, reads pages, searches and exports on one
thread: in order, so a page read after a write sees it, and never on the GUI thread.
Each job's result (or the exception it raised) comes back to its callback through a
queued signal of one app-wide relay, so the callback runs on the GUI thread between two
event-loop turns.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")
Callback = Callable[[Any], None]


class _Relay(QObject):
    """Carries ``(callback, outcome)`` from worker threads to the GUI thread. One for the
    whole app, made on the GUI thread and never deleted, so a worker never emits on an
    object the GUI thread is deleting (a model closed with its window)."""

    delivered = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._on_delivered)

    def _on_delivered(self, payload: tuple[Callback, object]) -> None:
        on_done, outcome = payload
        try:
            on_done(outcome)
        except RuntimeError:  # its model went with its window: nobody to tell
            return


_relay: _Relay | None = None


class SerialWorker:
    """Runs jobs one at a time, in order, on its own thread.

    The thread starts with the first job and ends with :meth:`shutdown` (or when the
    worker is garbage-collected: jobs already queued still run). Make it on the GUI
    thread.
    """

    def __init__(self, name: str) -> None:
        global _relay
        if _relay is None:
            _relay = _Relay()
        self._relay = _relay
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._shut = False

    def submit(self, job: Callable[[], T], on_done: Callback | None = None) -> Future[T]:
        """Run ``job`` after the jobs before it; ``on_done(result or exception)`` then
        runs on the GUI thread. The future holds the same outcome."""
        if self._executor is None:
            self._shut = False
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=self._name)
            weakref.finalize(self, self._executor.shutdown, wait=False)
        return self._executor.submit(self._run, job, on_done)

    def shutdown(self, last: Callable[[], object] | None = None) -> None:
        """Run ``last`` (a clean-up) after the queued jobs, then let the thread end.
        Only the first call counts; a job submitted after it starts a new thread."""
        executor, self._executor = self._executor, None
        if self._shut:
            return
        self._shut = True
        if executor is None:
            if last is not None:
                last()
            return
        if last is not None:
            try:
                executor.submit(last)
            except RuntimeError:  # the interpreter is exiting: its threads are done
                last()
        executor.shutdown(wait=False)

    def _run(self, job: Callable[[], T], on_done: Callback | None) -> T:
        try:
            result = job()
        except Exception as exc:
            if on_done is not None:
                self._relay.delivered.emit((on_done, exc))
            raise
        if on_done is not None:
            self._relay.delivered.emit((on_done, result))
        return result
