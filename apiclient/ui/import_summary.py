"""The Import summary dialog: what an import brought in (format, counts, every warning)
and where it goes; while the import is written, how far it is, and Cancel to stop it.
For a file that cannot be imported, the sentence saying why and a Close button."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.importers import ImportResult
from apiclient.core.importers.detect import count_items, environments_only
from apiclient.ui import dialogs
from apiclient.ui.import_progress import ImportProgressView
from apiclient.ui.theme import themed_style
from apiclient.ui.transfer_summary import counts_text


class DestinationError(Exception):
    """The folder typed for a new collection cannot be used; the message says why."""


@dataclass(frozen=True)
class Destination:
    """Where the user chose to put an import: a new collection folder, or (``folder``
    None) the open collection."""

    folder: Path | None


class ImportSummaryDialog(QDialog):
    """What an import brought in and where it goes; or, for a file that cannot be
    imported, the sentence saying why.

    Signals:
    import_clicked: the user pressed Import (the dialog stays open until the import is
        written, so a failure is shown in it).
    """

    import_clicked = Signal()

    def __init__(
        self,
        parent: QWidget,
        file_name: str,
        result: ImportResult | None = None,
        open_collection: str = "",
        default_folder: Path | None = None,
    ) -> None:
        super().__init__(parent, objectName="import.summary")
        self.setWindowTitle(f"Import {file_name}")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        self.error = QLabel(objectName="import.error", wordWrap=True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        themed_style(
            self.error,
            "QLabel { background: $removed; color: $error; border: 1px solid $error;"
            " border-radius: 4px; padding: 8px; }",
        )
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(objectName="import.buttons")
        if result is None:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            self.buttons.rejected.connect(self.reject)
            layout.addWidget(
                QLabel(
                    f"<b>{html.escape(file_name)}</b> could not be imported. Nothing was written."
                )
            )
            layout.addWidget(self.error)
            layout.addStretch(1)
            layout.addWidget(self.buttons)
            return
        self.import_result = result
        form = QFormLayout()
        form.setVerticalSpacing(6)
        self.source = QLabel(result.source, objectName="import.source")
        self.name = QLabel(result.collection.name, objectName="import.name")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.counts = QLabel(
            counts_text(count_items(result.collection)), objectName="import.counts", wordWrap=True
        )
        form.addRow("Format:", self.source)
        form.addRow("Name:", self.name)
        form.addRow("Brought in:", self.counts)
        layout.addLayout(form)
        layout.addSpacing(6)
        warnings = result.warnings
        self.warnings_label = QLabel(
            f"Warnings ({len(warnings)}): what was left out or changed"
            if warnings
            else "No warnings: everything in the file was brought in."
        )
        layout.addWidget(self.warnings_label)
        self.warnings = QPlainTextEdit(objectName="import.warnings", readOnly=True)
        self.warnings.setPlainText("\n".join(f"• {w}" for w in warnings))
        self.warnings.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.warnings.setVisible(bool(warnings))
        self.warnings.setMinimumHeight(140)
        layout.addWidget(self.warnings, 1)
        self.copy_warnings = QPushButton("Copy warnings", objectName="import.copy_warnings")
        self.copy_warnings.setVisible(bool(warnings))
        self.copy_warnings.clicked.connect(self._on_copy_warnings_clicked)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_warnings)
        layout.addLayout(copy_row)
        self.destination_box = self._destination_box(result, open_collection, default_folder)
        layout.addWidget(self.destination_box)
        layout.addWidget(self.error)
        self.progress = ImportProgressView(self)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.import_button = dialogs.add_accept_cancel(self.buttons, "import", "Import")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.import_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _destination_box(
        self, result: ImportResult, open_collection: str, default_folder: Path | None
    ) -> QWidget:
        box = QWidget(objectName="import.destination")
        grid = QVBoxLayout(box)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.addWidget(QLabel("<b>Where should it go?</b>"))
        self.new_collection = QRadioButton(
            "Create a new collection in this folder:", objectName="import.new"
        )
        self.folder = QLineEdit(str(default_folder or ""), objectName="import.folder")
        self.browse = QPushButton("Choose…", objectName="import.browse")
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        envs_only = environments_only(result)
        what = "its environments" if envs_only else f"a new folder '{result.collection.name}'"
        label = (
            f"Add to the open collection '{open_collection}' as {what}"
            if open_collection
            else "Add to the open collection (none is open)"
        )
        self.add_to_open = QRadioButton(label, objectName="import.add")
        self.add_to_open.setEnabled(bool(open_collection))
        group = QButtonGroup(box)
        group.addButton(self.new_collection)
        group.addButton(self.add_to_open)
        grid.addWidget(self.new_collection)
        grid.addLayout(row)
        grid.addWidget(self.add_to_open)
        self.new_collection.toggled.connect(self._on_new_collection_toggled)
        if envs_only and open_collection:
            self.add_to_open.setChecked(True)
        else:
            self.new_collection.setChecked(True)
        self._on_new_collection_toggled(self.new_collection.isChecked())
        return box

    def destination(self) -> Destination:
        if self.add_to_open.isChecked():
            return Destination(None)
        return Destination(Path(self.folder.text().strip()).expanduser())

    def show_error(self, text: str) -> None:
        """Tell, in the dialog, why the import could not be done (or written)."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_busy(self, busy: bool, cancellable: bool = True) -> None:
        """While the import is written: Import and the destination are disabled, the
        progress shows, and Cancel (when ``cancellable``) stops the writing."""
        self.import_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy or cancellable)
        self.destination_box.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _on_new_collection_toggled(self, checked: bool) -> None:
        self.folder.setEnabled(checked)
        self.browse.setEnabled(checked)

    def _on_copy_warnings_clicked(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.import_result.warnings))
