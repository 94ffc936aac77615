"""A dialog whose Save writes in the background and closes it when done."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog


class SavingDialog(QDialog):
    """While a save runs (``_set_saving(True)``), Cancel, Esc and the window's close
    button wait for it: the save closes the dialog itself, or reports why it could not.
    Subclasses say which of their controls pause meanwhile in ``_saving_changed``."""

    _saving = False

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._saving_changed(saving)

    def _saving_changed(self, saving: bool) -> None:
        """Enable or disable what must wait for the save."""

    def reject(self) -> None:
        """Cancel, Esc: ignored while a save runs (it closes the dialog when done)."""
        if not self._saving:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
        else:
            super().closeEvent(event)
