"""Worker threads for the runner's blocking sends, handing each outcome to the loop.

Why not ``loop.run_in_executor``: a ``ThreadPoolExecutor`` job bridged by
``asyncio.wrap_future`` builds a ``concurrent.futures.Future`` (with its own condition
variable), a work item and two chained callbacks for every call, and the loop then
copies the state across: about 40 µs of CPU per call, near a tenth of a loopback
step's, all under the GIL the send threads share. Here a call is one queue entry and
one ``call_soon_threadsafe`` that sets the loop's future.

The threads are daemons, started together on the first call (a run's lanes use them
all at once anyway) and stopped by :meth:`Workers.shutdown`: calls not started by then
are cancelled, calls running finish on their own (their callers abort them, see
:mod:`.rest_threaded`).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Job(Generic[T]):
    """One call handed to a worker thread. ``waiter`` (a future of the loop that made
    the job) gets its result or exception; :meth:`when_done` runs code on the worker
    thread once the call has returned, however the waiter ended."""

    def __init__(self, loop: asyncio.AbstractEventLoop, call: Callable[[], T]) -> None:
        self.waiter: asyncio.Future[T] = loop.create_future()
        self._loop = loop
        self._call = call
        self._lock = threading.Lock()
        self._finished = False
        self._after: list[Callable[[], None]] = []

    def when_done(self, action: Callable[[], None]) -> None:
        """Call ``action`` once the call has returned (now, if it has)."""
        with self._lock:
            if not self._finished:
                self._after.append(action)
                return
        action()

    def run(self) -> None:
        """On a worker thread: make the call, hand its outcome to the loop."""
        result: Any = None
        error: BaseException | None = None
        try:
            result = self._call()
        except BaseException as exc:  # the caller's to see, as run_in_executor would
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            self._loop.call_soon_threadsafe(self._settle, result, error)
        self._done()

    def cancel(self) -> None:
        """Never run: the waiter is cancelled (on the loop's thread, as it must)."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.waiter.cancel)
        self._done()

    def _done(self) -> None:
        with self._lock:
            self._finished = True
            after, self._after = self._after, []
        for action in after:
            action()

    def _settle(self, result: T, error: BaseException | None) -> None:
        if self.waiter.done():  # cancelled while the call ran
            return
        if error is None:
            self.waiter.set_result(result)
        else:
            self.waiter.set_exception(error)


class Workers:
    """``count`` daemon threads named ``<name>_<n>`` running :class:`Job`\\ s in order."""

    def __init__(self, count: int, name: str) -> None:
        self._count = count
        self._name = name
        self._jobs: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def submit(self, call: Callable[[], T]) -> Job[T]:
        """Run ``call`` on a worker thread; await the job's ``waiter`` for its outcome."""
        job = Job(asyncio.get_running_loop(), call)
        if not self._threads:
            self._start()
        self._jobs.put(job)
        return job

    def shutdown(self) -> None:
        """Cancel the jobs not started and let every thread end after its current one."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.cancel()
        for _ in self._threads:
            self._jobs.put(None)
        self._threads = []

    def _start(self) -> None:
        for number in range(self._count):
            thread = threading.Thread(target=self._work, name=f"{self._name}_{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        jobs = self._jobs
        while (job := jobs.get()) is not None:
            job.run()
