"""Running a plan on its own thread and event loop, so a long run never holds the
window's loop (the GUI's) and the window never slows the run.

The Batch tab and the CLI start a :class:`BackgroundRun`; results come back through
the callbacks, called on the run's thread: the tab hands them to Qt with a queued
signal, never by touching widgets from there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from apiclient.core.errors import CoreError
from apiclient.core.models import ClientCertificate
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.oauth2 import OAuth2Context
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunPlan, RunReport, StepResult


class BackgroundRun:
    """One run of ``plan`` on a daemon thread with its own asyncio loop.

    ``on_step(result)`` is called for every result as it lands; ``on_done(report, "")``
    once at the end (a cancelled run too, with ``summary.cancelled``), or
    ``on_done(None, message)`` when the run could not happen (options out of range, or
    a bug, worded for a person). Both are called on the run's thread; an exception from
    ``on_step`` is logged and the run goes on (see :mod:`.runner`). ``base_dir`` is
    passed to :class:`Runner`.
    """

    def __init__(
        self,
        plan: RunPlan,
        *,
        on_step: Callable[[StepResult], None],
        on_done: Callable[[RunReport | None, str], None],
        base_dir: Path | None = None,
        oauth2: OAuth2Context | None = None,
        client_certificates: Sequence[ClientCertificate] = (),
    ) -> None:
        self.plan = plan
        self.base_dir = base_dir
        self.oauth2 = oauth2
        self.client_certificates = tuple(client_certificates)
        self._on_step = on_step
        self._on_done = on_done
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: Runner | None = None
        self._cancel_asked = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the run; call once."""
        if self._thread is not None:
            raise RuntimeError("A BackgroundRun starts once; make a new one to run again.")
        self._thread = threading.Thread(target=self._main, name="collection-runner", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop the run from any thread; ``on_done`` still comes, with what ran so far."""
        with self._lock:  # held so the loop cannot close between the check and the call
            self._cancel_asked = True
            if self._loop is not None and self._runner is not None:
                self._loop.call_soon_threadsafe(self._runner.cancel)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has (or never started)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            report, message = loop.run_until_complete(self._run(loop))
        finally:
            with self._lock:
                self._loop = None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
        self._on_done(report, message)

    async def _run(self, loop: asyncio.AbstractEventLoop) -> tuple[RunReport | None, str]:
        runner = Runner(
            self.plan,
            on_step=self._on_step,
            base_dir=self.base_dir,
            oauth2=self.oauth2,
            client_certificates=self.client_certificates,
        )
        with self._lock:
            self._loop, self._runner = loop, runner
            if self._cancel_asked:
                runner.cancel()
        try:
            return await runner.run(), ""
        except (ProtocolError, CoreError) as exc:
            return None, str(exc)
        except Exception as exc:  # a bug: said in words, never a silent dead thread
            return None, f"The run stopped on an unexpected error: {type(exc).__name__}: {exc}"
