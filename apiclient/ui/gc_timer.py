"""Run Python's cyclic garbage collector on the GUI thread only.

Left alone, the collector runs in whichever thread happens to allocate, so a worker
thread could free a QObject that lives on the GUI thread; Qt then keeps a dangling
timer and the app crashes later. Automatic collection is turned off and a timer on the
GUI thread collects instead, as often as the default thresholds would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(self._collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def _collect(self) -> None:
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count2 > threshold2:
            gc.collect(2)
        elif count1 > threshold1:
            gc.collect(1)
        elif count0 > threshold0:
            gc.collect(0)
