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
