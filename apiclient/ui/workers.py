"""Running CPU-heavy work away from the GUI thread.

Small jobs go to a thread. Large ones (parsing and indenting a 20 MB JSON body) go to
a separate process: ``json.loads`` runs as one C call that holds the GIL for half a
second on such a body, which would freeze the window even from a thread.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

T = TypeVar("T")

PROCESS_THRESHOLD_BYTES = 512 * 1024

_pool: ProcessPoolExecutor | None = None


async def run_off_gui(fn: Callable[..., T], *args: Any, size_hint: int = 0) -> T:
    """Run ``fn(*args)`` in a thread, or in a worker process when ``size_hint`` is large.

    ``fn`` and its arguments must be picklable for the process path.
    """
    if size_hint < PROCESS_THRESHOLD_BYTES:
        return await asyncio.to_thread(fn, *args)
    pool = _process_pool()
    # Submitted from a thread: the first submit spawns the worker process (~0.1 s).
    future = await asyncio.to_thread(pool.submit, fn, *args)
    return await asyncio.wrap_future(future)


async def import_in_worker(*modules: str) -> None:
    """Import ``modules`` in a thread: engines pull in libraries (httpx, zeep, lxml) that
    cost 0.1-0.3 s to import, which must not be paid on the GUI thread."""
    for name in modules:
        await asyncio.to_thread(importlib.import_module, name)


def thread_pool() -> ThreadPoolExecutor:
    """The event loop's default executor (``asyncio.to_thread``): qasync's own starts
    all ten of its threads on first use, ~30 ms on the GUI thread during start-up; this
    one has the same ten but starts each when work first needs it."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=10, thread_name_prefix="apiclient-worker")


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # Imported here: multiprocessing is not needed to show the window.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: forking a process that runs Qt threads is unsafe.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def shutdown_workers() -> None:
    """Stop the worker process, if one was started; called when the app quits."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
