"""What a collection run's thread reports, carried onto the GUI thread by Qt.

``BackgroundRun`` calls its callbacks on the runner's own thread, where no widget may
be touched. A run at full speed finishes hundreds of steps a second; waking the GUI
thread once per step would flood its event queue, so steps are kept in a list and the
signal goes out only when that list was empty (the GUI takes the whole list at once).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from apiclient.protocols.runner_model import RunReport, StepResult


class RunSignals(QObject):
    """Signals (emitted from the runner's thread, received queued on the GUI thread):
    steps_arrived: steps are waiting; take them with ``take_steps``.
    run_ended(object, str): the ``RunReport`` (None when the run could not go on) and,
        when it is None, the sentence saying why.
    """

    steps_arrived = Signal()
    run_ended = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._steps: list[StepResult] = []

    def add_step(self, step: StepResult) -> None:
        """On the runner's thread: keep ``step`` for the GUI thread."""
        with self._lock:
            self._steps.append(step)
            first = len(self._steps) == 1
        if first:
            self.steps_arrived.emit()

    def end(self, report: RunReport | None, message: str) -> None:
        """On the runner's thread: the run is over."""
        self.run_ended.emit(report, message)

    def take_steps(self) -> list[StepResult]:
        """On the GUI thread: every step kept since the last call, in arrival order."""
        with self._lock:
            taken, self._steps = self._steps, []
        return taken
