"""Run Python's cyclic garbage collector on the GUI thread only.

Left alone, the collector runs in whichever thread happens to allocate, so a worker
thread could free a QObject that lives on the GUI thread; Qt then keeps a dangling
timer and the app crashes later. Automatic collection is turned off and a timer on the
GUI thread collects instead, as often as the default thresholds would, except that a
full collection waits until at least ``FULL_GC_BUDGET`` of the time since the last one
was spent on it: with a big GraphQL schema in memory a full pass takes 0.2-0.3 s, and
CPython itself defers full passes while the long-lived heap is large (a rule 3.11 does
not expose).
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_GC_BUDGET = 0.02  # at most 2 % of the time in full collections


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

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def _collect(self) -> None:
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        now = time.perf_counter()
        if count2 > threshold2 and full_collection_due(now, self._last_full_end, self._last_full_s):
            gc.collect(2)
            self._last_full_end = time.perf_counter()
            self._last_full_s = self._last_full_end - now
        elif count1 > threshold1:
            gc.collect(1)
        elif count0 > threshold0:
            gc.collect(0)
