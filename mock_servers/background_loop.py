"""Run servers on a background thread with its own asyncio event loop.

The bundled mocks (`host.MockHost`) share one such thread; each contract mock
(`contracts.host.ContractMocks`) has its own, so one contract's slow answers never hold
up another. Either way the caller's thread (the GUI's, the CLI's) never runs them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from mock_servers.errors import MockServerError

# Extra time the caller waits beyond the loop's own timeout, for stopping what started.
GRACE_SECONDS = 5.0

T = TypeVar("T")
_log = logging.getLogger(__name__)


class BackgroundLoop(Generic[T]):
    """Starts something on a fresh thread and loop, keeps it until `stop()`, then stops it.

    `start(begin, end)` blocks until `begin()` returned (its value is handed back) or
    failed; `begin` must leave nothing running when it raises. `what` names the servers
    in messages ("The mock servers", plural; "The api mock"). Drive one instance from one
    thread.
    """

    def __init__(self, thread_name: str, what: str, plural: bool = False) -> None:
        self._thread_name = thread_name
        self._what = what
        self._is, self._them = ("are", "them") if plural else ("is", "it")
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def started(self) -> bool:
        """True from `start()` until `stop()`, even if the thread has since died."""
        return self._thread is not None

    def start(
        self,
        begin: Callable[[], Awaitable[T]],
        end: Callable[[T], Awaitable[None]],
        timeout: float = 15.0,
    ) -> T:
        if self._thread is not None:
            raise MockServerError(
                f"{self._what} {self._is} already running; stop {self._them} first."
            )
        ready: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve(ready, begin, end, timeout),),
            name=self._thread_name,
            daemon=True,
        )
        self._thread.start()
        try:
            return ready.result(timeout + GRACE_SECONDS)
        except concurrent.futures.TimeoutError:
            self.stop()
            raise MockServerError(f"{self._what} did not start within {timeout:g} s.") from None
        except BaseException:
            self._join(GRACE_SECONDS)
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully and join the thread; does nothing when not started."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop_event is not None:
            # The loop may already be gone if starting failed; then there is nothing to wake.
            try:
                self._loop.call_soon_threadsafe(self._stop_event.set)
            except RuntimeError:
                _log.debug("%s: loop already closed", self._thread_name)
        self._join(timeout)

    def _join(self, timeout: float) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        if self._thread.is_alive():
            _log.warning(
                "%s did not stop within %g s; leaving %s.", self._what, timeout, self._them
            )
        self._thread = None
        self._loop = None
        self._stop_event = None

    async def _serve(
        self,
        ready: concurrent.futures.Future[T],
        begin: Callable[[], Awaitable[T]],
        end: Callable[[T], Awaitable[None]],
        timeout: float,
    ) -> None:
        """Body of the background thread: begin, wait for stop, end."""
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        try:
            try:
                async with asyncio.timeout(timeout):
                    value = await begin()
            except TimeoutError:
                raise MockServerError(f"{self._what} did not start within {timeout:g} s.") from None
        except Exception as exc:
            if not isinstance(exc, MockServerError):
                failure = MockServerError(f"{self._what} failed to start: {exc}")
                failure.__cause__ = exc
                exc = failure
            ready.set_exception(exc)
            return
        ready.set_result(value)
        await self._stop_event.wait()
        await end(value)
