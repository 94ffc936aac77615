"""Run Python's cyclic garbage collector on the GUI thread only.

Left alone, the collector runs in whichever thread happens to allocate, so a worker
thread could free a QObject that lives on the GUI thread; Qt then keeps a dangling
timer and the app crashes later. Automatic collection is turned off and a timer on the
GUI thread collects instead, as often as the default thresholds would, except that a
full collection waits until at least ``FULL_GC_BUDGET`` of the time since the last one
was spent on it: with a big GraphQL schema in memory a full pass takes 0.2-0.3 s, and
CPython itself defers full passes while the long-lived heap is large (a rule 3.11 does
not expose).

What survives a full collection is frozen (``gc.freeze``): it is long-lived (an open
collection of 5,000 requests is ~2 million objects), and walking it again on every full
pass held the GUI thread 120-130 ms. A frozen object that is dropped is still freed by
its reference count; only cycles among frozen objects wait, until the next thaw, every
``THAW_AFTER_S``, lets one full pass walk everything again.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_GC_BUDGET = 0.02  # at most 2 % of the time in full collections
THAW_AFTER_S = 600.0


def full_collection_due(now: float, last_end: float, last_duration: float) -> bool:
    """Whether a full collection may run now without exceeding the time budget."""
    return now - last_end >= last_duration / FULL_GC_BUDGET


class GuiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(self._collect)
        self._last_full_end = 0.0
        self._last_full_s = 0.0
        self._last_thaw = time.perf_counter()

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.enable()

    def _collect(self) -> None:
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        now = time.perf_counter()
        if count2 > threshold2 and full_collection_due(now, self._last_full_end, self._last_full_s):
            if now - self._last_thaw >= THAW_AFTER_S:
                gc.unfreeze()
                self._last_thaw = now
            gc.collect(2)
            gc.freeze()
            self._last_full_end = time.perf_counter()
            self._last_full_s = self._last_full_end - now
        elif count1 > threshold1:
            gc.collect(1)
        elif count0 > threshold0:
            gc.collect(0)
