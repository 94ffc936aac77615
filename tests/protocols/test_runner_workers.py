"""The worker threads behind the runner's blocking sends (:mod:`.runner_workers`)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from apiclient.protocols.runner_workers import Workers

_GUARD_S = 10.0  # only so a broken hand-over fails the test instead of hanging it


async def test_a_call_runs_on_a_named_worker_thread_and_its_result_comes_back() -> None:
    workers = Workers(2, "test-worker")
    try:
        job = workers.submit(lambda: threading.current_thread().name)
        name = await asyncio.wait_for(job.waiter, _GUARD_S)
    finally:
        workers.shutdown()
    assert name.startswith("test-worker_")


async def test_an_exception_reaches_the_caller_as_raised() -> None:
    workers = Workers(1, "test-worker")

    def fail() -> None:
        raise ValueError("broken")

    try:
        with pytest.raises(ValueError, match="broken"):
            await asyncio.wait_for(workers.submit(fail).waiter, _GUARD_S)
    finally:
        workers.shutdown()


async def test_shutdown_cancels_calls_not_started_and_ends_every_thread() -> None:
    workers = Workers(1, "test-shutdown")
    release = threading.Event()
    running = workers.submit(lambda: release.wait(_GUARD_S))
    waiting = workers.submit(lambda: "never")
    finished: list[str] = []
    running.when_done(lambda: finished.append("running"))
    waiting.when_done(lambda: finished.append("waiting"))
    await asyncio.sleep(0.05)  # the first call has started

    workers.shutdown()
    release.set()

    assert await asyncio.wait_for(running.waiter, _GUARD_S) is True
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting.waiter, _GUARD_S)
    for thread in threading.enumerate():
        if thread.name.startswith("test-shutdown"):
            await asyncio.to_thread(thread.join, _GUARD_S)
    assert not [t for t in threading.enumerate() if t.name.startswith("test-shutdown")]
    assert sorted(finished) == ["running", "waiting"]


async def test_a_call_whose_caller_gave_up_still_runs_its_after_actions() -> None:
    workers = Workers(1, "test-worker")
    release = threading.Event()
    job = workers.submit(lambda: release.wait(_GUARD_S))
    job.waiter.cancel()
    done = threading.Event()
    job.when_done(done.set)
    release.set()
    try:
        assert await asyncio.to_thread(done.wait, _GUARD_S)
    finally:
        workers.shutdown()
    job.when_done(lambda: done.clear())  # already finished: runs at once
    assert not done.is_set()
