"""File > Export collection…: the open collection as a Postman Collection v2.1 file
(newman runs it) or as a copy in another apiclient collection folder.

The dialog asks for the format, the place and whether secret values go into a Postman
file (off by default: the file then has blank secret variables, supplied to newman with
``--env-var``). The export itself (``export_collection``, shared with ``apiclient
export``) reads the saved collection from disk and writes in a worker thread; a failure
is shown in the dialog as a sentence and nothing is written. Then a summary says what
was written, with every warning.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.collection_writer import free_folder
from apiclient.core.errors import CoreError
from apiclient.core.exporters.writer import FORMATS, ExportResult, export_collection
from apiclient.core.importers.detect import count_items
from apiclient.core.store_format import slugify
from apiclient.ui import dialogs
from apiclient.ui.import_dialog import counts_text
from apiclient.ui.tasks import start_task

if TYPE_CHECKING:
    from apiclient.ui.main_window import MainWindow

POSTMAN_FILTER = "Postman collections (*.json);;All files (*)"
NO_COLLECTION = (
    "Export collection… writes the open collection, and none is open: open one first "
    "(File > Open collection…)."
)
_ERROR_STYLE = (
    "QLabel { background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0;"
    " border-radius: 4px; padding: 8px; }"
)


class ExportDialog(QDialog):
    """Format, destination and the secrets opt-in of an export.

    Signals:
    export_clicked: the user pressed Export (the dialog stays open until the export is
        written, so a failure is shown in it).
    """

    export_clicked = Signal()

    def __init__(self, parent: QWidget, collection_name: str, root: Path) -> None:
        super().__init__(parent, objectName="export.dialog")
        self.setWindowTitle(f"Export {collection_name}")
        self.setMinimumWidth(560)
        self.collection_name = collection_name
        self._defaults = {
            "postman": str(
                root.parent / f"{slugify(collection_name, 'collection')}.postman_collection.json"
            ),
            "folder": str(free_folder(root.parent, f"{collection_name} copy")),
        }
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format = QComboBox(objectName="export.format")
        for name, label in FORMATS.items():
            self.format.addItem(label, name)
        self.path = QLineEdit(objectName="export.path")
        self.browse = QPushButton("Choose…", objectName="export.browse")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form.addRow("Format:", self.format)
        form.addRow("Write to:", row)
        layout.addLayout(form)
        self.include_secrets = QCheckBox(
            "Include secret values (passwords, tokens, API keys, secret variables) in clear text",
            objectName="export.include_secrets",
        )
        layout.addWidget(self.include_secrets)
        self.note = QLabel(objectName="export.note", wordWrap=True)
        self.note.setStyleSheet("QLabel { color: palette(mid); }")
        layout.addWidget(self.note)
        self.error = QLabel(objectName="export.error", wordWrap=True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(objectName="export.buttons")
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("export.accept")
        self.export_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("export.cancel")
        self.buttons.accepted.connect(self.export_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._on_format_current_index_changed)
        self._on_format_current_index_changed()

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def output(self) -> Path:
        """The path typed, with ``~`` expanded."""
        return Path(self.path.text().strip()).expanduser()

    def show_error(self, text: str) -> None:
        """Tell, in the dialog, why the export could not be written."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _on_format_current_index_changed(self) -> None:
        """Swap the default destination and what the secrets box means for the format."""
        postman = self.chosen_format() == "postman"
        if self.path.text() in ("", *self._defaults.values()):
            self.path.setText(self._defaults[self.chosen_format()])
        self.include_secrets.setEnabled(postman)
        if not postman:
            self.include_secrets.setChecked(False)
        self.note.setText(
            "Secret values are left out: the file gets blank secret variables, which you "
            'supply to newman with --env-var "name=value". Unsaved edits are not exported.'
            if postman
            else "Secret values stay out of the copy's files; they are copied to this "
            "machine's secret store, so the copy works here. Unsaved edits are not exported."
        )


class ExportSummaryDialog(QDialog):
    """What an export wrote, and every warning about what was left out or needs care."""

    def __init__(self, parent: QWidget, result: ExportResult) -> None:
        super().__init__(parent, objectName="export.summary")
        self.setWindowTitle(f"Exported {result.collection.name}")
        self.setMinimumWidth(620)
        self._result = result
        layout = QVBoxLayout(self)
        form = QFormLayout()
        written = QLabel(str(result.output), objectName="export.written", wordWrap=True)
        written.setTextFormat(Qt.TextFormat.PlainText)
        written.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Wrote:", written)
        form.addRow("Format:", QLabel(FORMATS[result.format], objectName="export.format_name"))
        counts = counts_text(count_items(result.collection))
        form.addRow("Exported:", QLabel(counts, objectName="export.counts", wordWrap=True))
        layout.addLayout(form)
        warnings = result.warnings
        layout.addWidget(
            QLabel(
                f"Warnings ({len(warnings)}): what was left out or needs care"
                if warnings
                else "No warnings: everything was exported."
            )
        )
        self.warnings = QPlainTextEdit(objectName="export.warnings", readOnly=True)
        self.warnings.setPlainText("\n".join(f"• {w}" for w in warnings))
        self.warnings.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.warnings.setVisible(bool(warnings))
        self.warnings.setMinimumHeight(140)
        layout.addWidget(self.warnings, 1)
        copy = QPushButton("Copy warnings", objectName="export.copy_warnings")
        copy.setVisible(bool(warnings))
        copy.clicked.connect(self._on_copy_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("export.close")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self._result.warnings))


class ExportController(QObject):
    """Runs File > Export collection… for the main window; one export at a time.

    ``task`` is the export under way (None before the first). Get the window's one
    controller with ``ExportController.of(window)``.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, objectName="export.controller")
        self._window = window
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, window: MainWindow) -> ExportController:
        """The window's controller, made on first use."""
        found = window.findChild(cls, "export.controller")
        return found if found is not None else cls(window)

    def start(self) -> None:
        """Ask how to export the open collection, then export it."""
        if self._window.workspace.store is None:
            self._window.report_problem(NO_COLLECTION)
            return
        if self.task is not None and not self.task.done():
            self._window.report_problem("An export is already open; finish it first.")
            return
        self.task = start_task(self._export())

    async def _export(self) -> None:
        window = self._window
        store = window.workspace.store
        assert store is not None
        dialog = ExportDialog(window, store.name, store.root)
        dialog.browse.clicked.connect(lambda: start_task(self._browse(dialog)))
        clicks: asyncio.Queue[bool] = asyncio.Queue()
        dialog.export_clicked.connect(lambda: clicks.put_nowait(True))
        dialog.finished.connect(lambda _code: clicks.put_nowait(False))
        dialog.open()
        result: ExportResult | None = None
        try:
            while result is None and await clicks.get():
                result = await self._write(dialog, store.root)
            if result is not None:
                dialog.accept()
        finally:
            dialog.deleteLater()
        if result is None:
            return
        window.statusBar().showMessage(f"Exported {store.name} to {result.output}", 10000)
        await dialogs.shown(ExportSummaryDialog(window, result))

    async def _write(self, dialog: ExportDialog, root: Path) -> ExportResult | None:
        """Write the export the dialog describes; None (the reason shown) when it failed."""
        dialog.show_error("")
        output = dialog.output()
        if not dialog.path.text().strip() or not output.is_absolute():
            dialog.show_error(
                "Nothing was exported: give the full path to write to, or use Choose…."
            )
            return None
        dialog.set_busy(True)
        try:
            return await asyncio.to_thread(
                export_collection,
                root,
                dialog.chosen_format(),
                output,
                include_secrets=dialog.include_secrets.isChecked(),
            )
        except CoreError as exc:
            dialog.show_error(f"Nothing was exported: {exc}")
            return None
        finally:
            dialog.set_busy(False)

    async def _browse(self, dialog: ExportDialog) -> None:
        if dialog.chosen_format() == "postman":
            chosen = await dialogs.save_file(
                dialog, "Export as a Postman collection", dialog.path.text(), POSTMAN_FILTER
            )
            if chosen:
                dialog.path.setText(chosen)
            return
        parent = await dialogs.existing_directory(dialog, "Choose where the copy goes")
        if parent:
            name = f"{dialog.collection_name} copy"
            dialog.path.setText(str(free_folder(Path(parent), name)))
