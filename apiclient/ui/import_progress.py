"""How far an import is, shown while a worker reads or writes it.

The worker reports through :class:`~apiclient.core.importers.progress.ImportProgress`
(throttled there to about 20 reports a second); :func:`progress_for` hands each report to
the GUI thread with ``loop.call_soon_threadsafe``, where :class:`ImportProgressView`
shows it as "Writing requests 1,234 of 5,000" and a bar. :class:`ImportReadingDialog`
holds one while a big file is read, with the Cancel button that stops it.
"""

from __future__ import annotations

import asyncio
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from apiclient.core.importers.progress import ImportProgress

OPENING = "Opening the collection"


class ImportProgressView(QWidget):
    """A line of text ("Writing requests 1,234 of 5,000") over a progress bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="import.progress")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.text = QLabel(objectName="import.progress.text")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(objectName="import.progress.bar")
        self.bar.setTextVisible(False)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)

    def show_progress(self, phase: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` items of ``phase``; with no total, a busy bar."""
        if total:
            self.text.setText(f"{phase} {done:,} of {total:,}")
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        else:
            self.text.setText(f"{phase}…")
            self.bar.setRange(0, 0)
        self.setVisible(True)


def progress_for(view: ImportProgressView) -> ImportProgress:
    """An ``ImportProgress`` whose reports (from any thread) update ``view`` on the GUI
    thread; a report that arrives after ``view`` is gone is dropped."""
    loop = asyncio.get_running_loop()

    def show(phase: str, done: int, total: int) -> None:
        if isValid(view):
            view.show_progress(phase, done, total)

    def report(phase: str, done: int, total: int) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(show, phase, done, total)

    return ImportProgress(report)


class ImportReadingDialog(QDialog):
    """Shown while a big file is read into requests; Cancel (or Escape) rejects it, and
    the caller cancels the read."""

    def __init__(self, parent: QWidget, file_name: str) -> None:
        super().__init__(parent, objectName="import.reading")
        self.setWindowTitle(f"Import {file_name}")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Reading <b>{html.escape(file_name)}</b>…"))
        self.progress = ImportProgressView(self)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName(
            "import.reading.cancel"
        )
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
