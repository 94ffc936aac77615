"""The runner's controls: which folder, how many times, from which data file, how fast.

Kept apart from the panel that runs and shows results, so each stays small. The data
file's rows load in a worker as soon as it is chosen, and a broken file is reported
here, in place, with its row and column, before anyone presses Run.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.store import FolderNode
from apiclient.protocols.errors import BatchDataError
from apiclient.protocols.runner_model import (
    MAX_CONCURRENCY,
    MAX_DELAY_MS,
    MAX_ITERATIONS,
    RunOptions,
)
from apiclient.protocols.runner_plan import load_data_rows
from apiclient.ui.tasks import OwnedTask
from apiclient.ui.theme import themed_style
from apiclient.ui.workspace import Workspace

ERROR_STYLE = "color: $error"
"""A style sheet template for :func:`apiclient.ui.theme.themed_style`."""


def data_error_text(error: BatchDataError) -> str:
    """The loader's sentence, plus the row and column when it does not name them."""
    text = str(error)
    where = [
        f"{name} {value}"
        for name, value in (("row", error.row), ("column", error.column))
        if value is not None and f"{name} {value}" not in text
    ]
    return f"{text} ({', '.join(where)})" if where else text


class RunnerForm(QWidget):
    """The folder chooser, the run options, the Run/Cancel button and the progress bar.

    Signals:
        run_clicked: the user pressed Run (or Cancel, while a run goes on).
        data_loaded: a data file was read, or failed to be (the data label says why).
    """

    run_clicked = Signal()
    data_loaded = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._running = False
        self._data_path: Path | None = None
        self._data_rows: tuple[dict[str, str], ...] = ()
        self._data_error = ""
        self._data_task = OwnedTask()
        # The folder to run, followed through renames and moves; None when it was deleted.
        self._chosen: str | None = ""
        self._chosen_gone = False
        self._run_environment = ""
        self._build()
        self._lay_out()
        workspace.collection_opened.connect(self._on_workspace_collection_opened)
        workspace.node_moved.connect(self._on_workspace_node_moved)
        workspace.tree_changed.connect(self._fill_folders)
        workspace.environment_selected.connect(self._show_environment)
        workspace.environments_changed.connect(self._show_environment)
        self._fill_folders()
        self._show_environment()
        self._show_data_state()

    def _build(self) -> None:
        self.folder = QComboBox(objectName="batch.runner.folder")
        self.folder.setMinimumContentsLength(24)
        self.folder.currentIndexChanged.connect(self._on_folder_current_index_changed)
        self.environment = QLabel(objectName="batch.environment")
        self.iterations = QSpinBox(objectName="batch.iterations", minimum=1)
        self.iterations.setMaximum(MAX_ITERATIONS)
        self.iterations.setGroupSeparatorShown(True)
        self.data_file = QLineEdit(objectName="batch.runner.data_file", readOnly=True)
        self.data_file.setPlaceholderText("No data file: iterations as set")
        self.browse_data = QPushButton("Data file…", objectName="batch.runner.data_file.browse")
        self.clear_data = QPushButton(
            "Clear", objectName="batch.runner.data_file.clear", enabled=False
        )
        self.data_status = QLabel(objectName="batch.runner.data_file.status", wordWrap=True)
        self.concurrency = QSpinBox(objectName="batch.concurrency", minimum=1)
        self.concurrency.setMaximum(MAX_CONCURRENCY)
        self.concurrency.setToolTip("How many requests may be in flight at once")
        self.delay = QSpinBox(objectName="batch.delay", minimum=0, suffix=" ms")
        self.delay.setMaximum(MAX_DELAY_MS)
        self.delay.setGroupSeparatorShown(True)
        self.delay.setToolTip("Wait after each request, per concurrent lane")
        self.bail = QCheckBox("Stop at the first failure", objectName="batch.bail")
        self.run_button = QPushButton("Run", objectName="batch.run")
        self.run_button.setDefault(True)
        self.progress = QProgressBar(objectName="batch.progress", minimum=0, maximum=1)
        self.progress.setFormat("Not run yet")
        self.progress.setValue(0)
        self.message = QLabel(objectName="batch.message", wordWrap=True, visible=False)
        themed_style(self.message, ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.browse_data.clicked.connect(self._on_browse_data_clicked)
        self.clear_data.clicked.connect(self.clear_data_file)
        self.run_button.clicked.connect(self.run_clicked)

    def _lay_out(self) -> None:
        first = QHBoxLayout()
        first.addWidget(QLabel("Run"))
        first.addWidget(self.folder, 1)
        first.addSpacing(12)
        first.addWidget(self.environment)
        second = QHBoxLayout()
        second.addWidget(QLabel("Iterations"))
        second.addWidget(self.iterations)
        second.addSpacing(12)
        second.addWidget(self.data_file, 1)
        second.addWidget(self.browse_data)
        second.addWidget(self.clear_data)
        third = QHBoxLayout()
        third.addWidget(QLabel("Concurrency"))
        third.addWidget(self.concurrency)
        third.addSpacing(12)
        third.addWidget(QLabel("Delay"))
        third.addWidget(self.delay)
        third.addSpacing(12)
        third.addWidget(self.bail)
        third.addStretch(1)
        third.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.data_status)
        layout.addLayout(third)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

    # -- what the panel asks ------------------------------------------------------------------

    def options(self) -> RunOptions:
        """The options as set (not yet checked: ``check_options`` does that)."""
        return RunOptions(
            iterations=self.iterations.value(),
            data_rows=self._data_rows,
            concurrency=self.concurrency.value(),
            delay_ms=self.delay.value(),
            bail=self.bail.isChecked(),
        )

    def data_problem(self) -> str:
        """Why the chosen data file cannot be used yet; "" when it can (or there is none)."""
        if self._data_task.running():
            return "The data file is still being read; press Run again in a moment."
        if self._data_error:
            return f"The data file cannot be used: {self._data_error}"
        return ""

    def set_running(self, running: bool, environment: str = "") -> None:
        """Lock the controls while a run goes on; ``environment`` is the one it runs in,
        shown as the run's even if the user picks another meanwhile."""
        self._running = running
        self._run_environment = environment
        for control in (self.folder, self.browse_data, self.concurrency, self.delay, self.bail):
            control.setEnabled(not running)
        self.run_button.setText("Cancel" if running else "Run")
        self._enable_run()
        self._show_data_state()
        self._show_environment()

    def _enable_run(self) -> None:
        # Without a chosen folder (it was deleted) Run waits for the user to choose one.
        self.run_button.setEnabled(self._running or self._chosen is not None)

    def set_cancelling(self) -> None:
        self.run_button.setText("Cancelling…")
        self.run_button.setEnabled(False)

    def show_progress(self, done: int, total: int, elapsed_s: float) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, total))
        self.progress.setFormat(f"{done:,} / {total:,} · {elapsed_s:,.1f} s")

    def say(self, text: str) -> None:
        """Show ``text`` as the reason a run did not start or stopped ("" hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- folders and environment ------------------------------------------------------------

    def _on_workspace_collection_opened(self) -> None:
        self._chosen = ""
        self._fill_folders()

    def _on_workspace_node_moved(self, old: str, new: str) -> None:
        """Follow the chosen folder (or one it is in) through a rename or a move."""
        chosen = self._chosen
        if chosen and (chosen == old or chosen.startswith(old + "/")):
            self._chosen = new + chosen[len(old) :]

    def _on_folder_current_index_changed(self, index: int) -> None:
        if index >= 0:
            self._chosen = self.folder.itemData(index)
            if self._chosen_gone:
                self._chosen_gone = False
                self.say("")
            self._enable_run()

    def _fill_folders(self) -> None:
        """List the collection root and every folder, keeping the chosen one where it
        went; when it was deleted, choose nothing and say so (Run waits for a choice)."""
        chosen = self._chosen
        label = self.folder.currentText()
        self.folder.blockSignals(True)
        self.folder.clear()
        tree = self._workspace.tree
        if tree is not None:
            self.folder.addItem(f"{tree.name} (whole collection)", "")

            def add(folder: FolderNode, prefix: str) -> None:
                for child in folder.children:
                    if isinstance(child, FolderNode):
                        label = f"{prefix}{child.name}"
                        self.folder.addItem(label, child.relpath)
                        add(child, f"{label} / ")

            add(tree, "")
        index = -1
        if tree is not None and chosen is not None:
            index = self.folder.findData(chosen)
            if index < 0:
                self._chosen = None
                self._chosen_gone = True
                self.say(f"“{label}” is no longer in the collection: choose what to run.")
        self.folder.setCurrentIndex(index)
        self.folder.blockSignals(False)
        self._enable_run()

    def select_folder(self, relpath: str) -> None:
        """Choose the folder at ``relpath`` ("" for the whole collection) to run."""
        index = self.folder.findData(relpath)
        if index < 0:
            self._fill_folders()
            index = self.folder.findData(relpath)
        if index >= 0:
            self.folder.setCurrentIndex(index)

    def selected_folder(self) -> str | None:
        """The relpath of the chosen folder; None when no collection is open or the
        chosen folder was deleted."""
        return self._chosen if self.folder.currentIndex() >= 0 else None

    def _show_environment(self, *_args: object) -> None:
        if self._running:
            name, note = self._run_environment, " (this run)"
        else:
            name, note = self._workspace.environment_name, ""
        self.environment.setText(f"Environment: {name or 'none (collection variables only)'}{note}")

    # -- data file ----------------------------------------------------------------------------

    def _on_browse_data_clicked(self) -> None:
        # open(), not exec(): the asyncio loop keeps running while the dialog is up.
        dialog = QFileDialog(
            self,
            "Choose a data file (one iteration per row)",
            str(self._data_path.parent) if self._data_path else "",
            "Data files (*.csv *.tsv *.txt *.json);;All files (*)",
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda chosen: self.set_data_file(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_data_file(self, path: Path) -> None:
        """Use ``path``'s rows as iterations; they load in a worker (``data_loaded``)."""
        self._data_path = path
        self._data_rows = ()
        self._data_error = ""
        self.data_file.setText(str(path))
        self._show_data_state(loading=True)
        self._data_task.start(self._load_rows(path))

    async def _load_rows(self, path: Path) -> None:
        try:
            rows = await asyncio.to_thread(load_data_rows, path)
        except BatchDataError as exc:
            self._data_error = data_error_text(exc)
        else:
            self._data_rows = rows
        self._show_data_state()
        self.data_loaded.emit()

    def clear_data_file(self) -> None:
        self._data_task.abandon()
        self._data_path = None
        self._data_rows = ()
        self._data_error = ""
        self.data_file.clear()
        self._show_data_state()

    def _show_data_state(self, loading: bool = False) -> None:
        has_file = self._data_path is not None
        self.iterations.setEnabled(not self._running and not has_file)
        self.clear_data.setEnabled(not self._running and has_file)
        themed_style(self.data_status, ERROR_STYLE if self._data_error else "")
        if not has_file:
            text = ""
        elif loading:
            text = "Reading the data file…"
        elif self._data_error:
            text = self._data_error
        else:
            count = len(self._data_rows)
            text = f"One iteration per row: {count:,} row{'s' if count != 1 else ''}"
        self.data_status.setText(text)
        self.data_status.setVisible(bool(text))
