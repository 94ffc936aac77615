"""Background tasks started from plain Qt slots.

A task that nobody awaits would swallow its exception (asyncio only logs it when the task
is garbage-collected); these report it to ``sys.excepthook``, the app's one crash path.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any


def start_task(
    work: Coroutine[Any, Any, None],
    on_done: Callable[[asyncio.Task[None]], None] | None = None,
) -> asyncio.Task[None]:
    """Run ``work``; ``on_done(task)`` runs when it ends, even if cancelled before it began
    (when a ``finally`` inside ``work`` would never run)."""
    task = asyncio.ensure_future(work)

    def finished(done: asyncio.Task[None]) -> None:
        if on_done is not None:
            on_done(done)
        if not done.cancelled() and (error := done.exception()) is not None:
            sys.excepthook(type(error), error, error.__traceback__)

    task.add_done_callback(finished)
    return task


class OwnedTask:
    """A tab's one background job of a kind (a WSDL load, a schema fetch, a sample...).

    Starting replaces the running job. ``cancel`` stops it and lets ``on_end`` report it
    (the user pressed Cancel); ``abandon`` stops it silently, because the request it was
    for is no longer on screen, so ``on_end`` is not called and nothing lands under the
    next request.
    """

    def __init__(self, on_end: Callable[[asyncio.Task[None]], None] | None = None) -> None:
        self._on_end = on_end
        self._task: asyncio.Task[None] | None = None

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        self.abandon()
        self._task = start_task(work, self._ended)

    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def abandon(self) -> bool:
        """Stop the job without reporting it; True when one was running."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            return True
        return False

    def _ended(self, task: asyncio.Task[None]) -> None:
        if self._task is not task:  # abandoned, or replaced by a newer job
            return
        self._task = None
        if self._on_end is not None:
            self._on_end(task)
