"""File > Export collection…: the open collection as a Postman Collection v2.1 file
(newman runs it) or as a copy in another apiclient collection folder.

The dialog asks for the format, the place and whether secret values go into a Postman
file (off by default: the file then has blank secret variables, supplied to newman with
``--env-var``). Every look at the disk runs in a worker thread: the default places (a
free folder name for a copy), the check for a file the export would replace (the user
is asked first, however the path was entered) and the export itself
(``export_collection``, shared with ``apiclient export``), which reads the saved
collection from disk and writes it. A failure is shown in the dialog as a sentence and
nothing is written. Then a summary says what was written, with every warning.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
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
from apiclient.core.store_format import unique_slug
from apiclient.ui import dialogs
from apiclient.ui.tasks import start_task
from apiclient.ui.theme import themed_style
from apiclient.ui.transfer_summary import counts_text, plural

if TYPE_CHECKING:
    from apiclient.core.importers.detect import ImportCounts
    from apiclient.ui.main_window import MainWindow

POSTMAN_FILTER = "Postman collections (*.json);;All files (*)"
NO_COLLECTION = (
    "Export collection… writes the open collection, and none is open: open one first "
    "(File > Open collection…)."
)
_ERROR_STYLE = (
    "QLabel { background: $removed; color: $error; border: 1px solid $error;"
    " border-radius: 4px; padding: 8px; }"
)


def default_outputs(collection_name: str, root: Path) -> dict[str, str]:
    """Where each format goes unless the user says otherwise, beside the collection: a
    Postman file named after it (never a Windows device name such as ``con``), and a free
    folder name for a copy. Looks at the disk: call it in a worker."""
    stem = unique_slug(collection_name, frozenset(), "collection")
    return {
        "postman": str(root.parent / f"{stem}.postman_collection.json"),
        "folder": str(free_folder(root.parent, copy_name(collection_name))),
    }


def copy_name(collection_name: str) -> str:
    """The name a copy of the collection gets by default."""
    return f"{collection_name} copy"


@dataclass(frozen=True)
class ExportCounts:
    """What the written file holds, and what the format could not (None: nothing)."""

    written: ImportCounts
    left_out: ImportCounts | None


def export_and_count(
    root: Path, fmt: str, output: Path, include_secrets: bool
) -> tuple[ExportResult, ExportCounts]:
    """``export_collection`` and the counts of what it wrote, for a worker thread. A
    Postman collection holds no environments and none of the kinds newman cannot run."""
    from apiclient.core.exporters.postman import LEFT_OUT_KINDS
    from apiclient.core.importers.detect import ImportCounts, count_items

    result = export_collection(root, fmt, output, include_secrets=include_secrets)
    counts = count_items(result.collection)
    if fmt != "postman":
        return result, ExportCounts(counts, None)
    kinds = counts.requests_by_kind.items()
    written = ImportCounts({k: n for k, n in kinds if k not in LEFT_OUT_KINDS}, counts.folders, 0)
    left_out = ImportCounts({k: n for k, n in kinds if k in LEFT_OUT_KINDS}, 0, counts.environments)
    return result, ExportCounts(
        written, left_out if left_out.requests or left_out.environments else None
    )


def _left_out_text(counts: ImportCounts) -> str:
    """ "29 requests (14 WebSocket, 9 gRPC…), 1 environment", without the empty parts."""
    from apiclient.core.importers.detect import ImportCounts

    parts = [counts_text(ImportCounts(counts.requests_by_kind, 0, 0))] if counts.requests else []
    if counts.environments:
        parts.append(plural(counts.environments, "environment"))
    return ", ".join(parts)


def existing_file(path: Path) -> bool:
    """True when ``path`` is a file; a path the system refuses is no file here (the export
    then says why it cannot write there)."""
    try:
        return path.is_file()
    except OSError:
        return False


class ExportDialog(QDialog):
    """Format, destination and the secrets opt-in of an export.

    ``defaults`` maps each format to its default destination. ``confirmed`` is a file
    the user already agreed to replace (in Choose…'s save dialog).

    Signals:
    export_clicked: the user pressed Export (the dialog stays open until the export is
        written, so a failure is shown in it).
    """

    export_clicked = Signal()

    def __init__(self, parent: QWidget, collection_name: str, defaults: dict[str, str]) -> None:
        super().__init__(parent, objectName="export.dialog")
        self.setWindowTitle(f"Export {collection_name}")
        self.setMinimumWidth(560)
        self.collection_name = collection_name
        self.confirmed: Path | None = None
        self._defaults = defaults
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
        themed_style(self.error, _ERROR_STYLE)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(objectName="export.buttons")
        self.export_button = dialogs.add_accept_cancel(self.buttons, "export", "Export")
        self.buttons.accepted.connect(self.export_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._on_format_current_index_changed)
        self.include_secrets.toggled.connect(self._on_include_secrets_toggled)
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
        self._show_note()

    def _on_include_secrets_toggled(self) -> None:
        self._show_note()

    def _show_note(self) -> None:
        """Say where secret values end up with the format and the box as they are."""
        if self.chosen_format() != "postman":
            text = (
                "Secret values stay out of the copy's files; they are copied to this "
                "machine's secret store, so the copy works here."
            )
        elif self.include_secrets.isChecked():
            text = (
                "The file will hold secret values in clear text: passwords, tokens, API "
                "keys and secret variables. Keep it private; do not commit or share it."
            )
        else:
            text = (
                "Secret values are left out: the file gets blank secret variables, which "
                'you supply to newman with --env-var "name=value".'
            )
        self.note.setText(f"{text} Unsaved edits are not exported.")


class ExportSummaryDialog(QDialog):
    """What an export wrote, and every warning about what was left out or needs care."""

    def __init__(self, parent: QWidget, result: ExportResult, counts: ExportCounts) -> None:
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
        counted = QLabel(counts_text(counts.written), objectName="export.counts", wordWrap=True)
        form.addRow("Exported:", counted)
        if counts.left_out is not None:
            left_out = QLabel(
                f"{_left_out_text(counts.left_out)}: a Postman collection cannot hold them "
                "(see the warnings)",
                objectName="export.left_out",
                wordWrap=True,
            )
            form.addRow("Left out:", left_out)
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
        name, root = store.name, store.root
        defaults = await asyncio.to_thread(default_outputs, name, root)
        dialog = ExportDialog(window, name, defaults)
        dialog.browse.clicked.connect(lambda: start_task(self._browse(dialog)))
        clicks: asyncio.Queue[bool] = asyncio.Queue()
        dialog.export_clicked.connect(lambda: clicks.put_nowait(True))
        dialog.finished.connect(lambda _code: clicks.put_nowait(False))
        dialog.open()
        done: tuple[ExportResult, ExportCounts] | None = None
        try:
            while done is None and await clicks.get():
                done = await self._write(dialog, root)
            if done is not None:
                dialog.accept()
        finally:
            dialog.deleteLater()
        if done is None:
            return
        result, counts = done
        window.statusBar().showMessage(f"Exported {name} to {result.output}", 10000)
        await dialogs.shown(ExportSummaryDialog(window, result, counts))

    async def _write(
        self, dialog: ExportDialog, root: Path
    ) -> tuple[ExportResult, ExportCounts] | None:
        """Write the export the dialog describes; None (the reason shown, or the user
        chose not to replace a file) when nothing was written."""
        dialog.show_error("")
        output = dialog.output()
        if not dialog.path.text().strip() or not output.is_absolute():
            dialog.show_error(
                "Nothing was exported: give the full path to write to, or use Choose…."
            )
            return None
        fmt = dialog.chosen_format()
        dialog.set_busy(True)
        try:
            if fmt == "postman" and not await _may_replace(dialog, output):
                return None
            return await asyncio.to_thread(
                export_and_count, root, fmt, output, dialog.include_secrets.isChecked()
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
                dialog.confirmed = dialog.output()  # the save dialog asked about replacing
            return
        parent = await dialogs.existing_directory(dialog, "Choose where the copy goes")
        if parent:
            name = copy_name(dialog.collection_name)
            dialog.path.setText(str(await asyncio.to_thread(free_folder, Path(parent), name)))


async def _may_replace(dialog: ExportDialog, output: Path) -> bool:
    """True when writing ``output`` replaces no file, or the user agreed (in Choose…, or
    asked now)."""
    if output == dialog.confirmed or not await asyncio.to_thread(existing_file, output):
        return True
    answer = await dialogs.question(
        dialog,
        "Replace the file?",
        f"{output} already exists. Replace it with the export?",
        dialogs.Button.Yes | dialogs.Button.No,
        dialogs.Button.No,
    )
    return answer == dialogs.Button.Yes
