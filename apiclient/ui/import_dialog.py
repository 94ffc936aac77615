"""File > Import…, files dropped on the window, and Import curl…

An import runs in three steps, none on the GUI thread's time: the file is read by
``import_any`` in a worker (a file that takes longer than a moment shows the Reading
dialog, with how many requests are read and Cancel); the Import summary dialog shows what
came in (format, counts, every warning) and asks where it goes; the chosen place is
written in a worker, the summary showing "Writing requests 1,234 of 5,000" and keeping
Cancel live. Either a new collection folder (``write_collection``: all or nothing, then
opened), or a new folder in the open collection, written request by request through the
workspace; a failure or a cancel there deletes the new folder again, so no import is
left half-written.

Added to the open collection, the import keeps its own auth: the new folder gets the
imported collection's auth, or an explicit "none" when it set none, so its requests
never inherit the open collection's credentials and send them to another API's host;
each imported folder keeps the auth it set. The imported client certificates join the
open collection's, except for a host that already has one (the open collection's is
kept, and the status message says so).

An import of environments only (a Postman environment file) is offered to the open
collection: its environments are added (renamed "<name> (imported)" when the name is
taken) instead of making a collection that holds no request.

A file that cannot be imported opens the same dialog with the importer's sentence and
only a Close button; nothing is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.collection_writer import (
    UNNAMED_FOLDER,
    UNNAMED_REQUEST,
    free_folder,
    merge_settings,
    write_collection,
)
from apiclient.core.errors import CoreError
from apiclient.core.importers import CollectionImportError, ImportResult
from apiclient.core.importers.curl import parse_curl
from apiclient.core.importers.detect import (
    count_items,
    environments_only,
    import_any,
)
from apiclient.core.importers.progress import WRITING, ImportCancelledError, ImportProgress
from apiclient.core.models import AnyRequest, Auth, ClientCertificate, Folder, RestRequest
from apiclient.core.paths import data_dir
from apiclient.ui import dialogs
from apiclient.ui.import_progress import (
    OPENING,
    ImportProgressView,
    ImportReadingDialog,
    progress_for,
)
from apiclient.ui.import_summary import DestinationError, ImportSummaryDialog
from apiclient.ui.tasks import start_task
from apiclient.ui.theme import themed_style
from apiclient.ui.transfer_summary import plural
from apiclient.ui.workspace import NoCollectionError

if TYPE_CHECKING:
    from apiclient.ui.main_window import MainWindow

__all__ = ["CurlDialog", "ImportController", "ImportSummaryDialog"]

FILE_FILTER = (
    "Importable files (*.json *.yaml *.yml *.har *.txt *.sh *.curl *.postman_collection);;"
    "All files (*)"
)
READING_DIALOG_AFTER_S = 0.3
"""A read that takes longer than this shows the Reading dialog (a small file never does)."""


class CurlDialog(QDialog):
    """A text box for a curl command, parsed when the user presses Open.

    Signals:
    open_clicked: the user pressed Open (the dialog stays open if the command is bad).
    """

    open_clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, objectName="import.curl")
        self.setWindowTitle("Import curl")
        self.setMinimumSize(560, 260)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Paste a curl command (from a browser's Copy as cURL, or docs):"))
        self.text = QPlainTextEdit(objectName="import.curl.text")
        self.text.setPlaceholderText(
            "curl 'https://api.example.com/items' -H 'Accept: application/json'"
        )
        layout.addWidget(self.text, 1)
        self.error = QLabel(objectName="import.curl.error", wordWrap=True)
        themed_style(self.error, "QLabel { color: $error; }")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            "Open in REST tab", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.open_button.setObjectName("import.curl.open")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.open_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


class ImportController(QObject):
    """Runs imports for the main window: File > Import…, dropped files, Import curl…

    ``task`` is the import under way (None when idle); one runs at a time.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.task: asyncio.Task[None] | None = None

    # -- entry points -----------------------------------------------------------------------

    def choose_file(self) -> None:
        """File > Import…: ask for a file, then import it."""
        self._start(self._choose_and_import())

    def import_file(self, path: Path) -> None:
        """Import ``path`` (a dropped file, or one chosen in the file dialog)."""
        self._start(self._import(path))

    def ask_curl(self) -> None:
        """Import curl…: ask for a command and open it in the REST tab as a draft."""
        self._start(self._curl())

    def drag_entered(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropped(self, event: QDropEvent) -> None:
        files = _local_files(event.mimeData().urls())
        if not files:
            return
        event.acceptProposedAction()
        if len(files) > 1:
            self._window.report_problem(
                f"{len(files)} files were dropped; importing {files[0].name} only. "
                "Drop the others one at a time."
            )
        self.import_file(files[0])

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        if self.task is not None and not self.task.done():
            work.close()
            self._window.report_problem("An import is already open; finish it first.")
            return
        self.task = start_task(work)

    # -- importing a file ---------------------------------------------------------------------

    async def _choose_and_import(self) -> None:
        path = await dialogs.open_file(
            self._window, "Import a collection, API description or capture", "", FILE_FILTER
        )
        if path:
            await self._import(Path(path))

    async def _import(self, path: Path) -> None:
        window = self._window
        window.statusBar().showMessage(f"Reading {path.name}…")
        try:
            result = await self._read(path)
        except ImportCancelledError:
            window.statusBar().showMessage(f"Import of {path.name} cancelled", 8000)
            return
        except CollectionImportError as exc:
            window.statusBar().showMessage(f"⚠ Could not import {path.name}", 8000)
            dialog = ImportSummaryDialog(window, path.name)
            dialog.show_error(str(exc))
            await _shown_until_closed(dialog)
            return
        store = window.workspace.store
        dialog = ImportSummaryDialog(
            window,
            path.name,
            result,
            open_collection=store.name if store is not None else "",
            default_folder=free_folder(data_dir() / "collections", result.collection.name),
        )
        dialog.browse.clicked.connect(lambda: start_task(self._browse(dialog)))
        window.statusBar().clearMessage()
        await self._run_summary(dialog, result, path)

    async def _read(self, path: Path) -> ImportResult:
        """``import_any(path)`` in a worker; past a moment, in the Reading dialog whose
        Cancel stops it (``ImportCancelledError``)."""
        dialog = ImportReadingDialog(self._window, path.name)
        progress = progress_for(dialog.progress)
        dialog.rejected.connect(progress.cancel)
        reading = asyncio.ensure_future(asyncio.to_thread(import_any, path, progress))
        try:
            done, _pending = await asyncio.wait({reading}, timeout=READING_DIALOG_AFTER_S)
            if not done:
                dialog.open()
            result = await reading
            progress.check()  # Cancel clicked as the last request was read still counts
            return result
        finally:
            dialog.rejected.disconnect(progress.cancel)
            dialog.close()
            dialog.deleteLater()

    async def _run_summary(
        self, dialog: ImportSummaryDialog, result: ImportResult, path: Path
    ) -> None:
        """Show ``dialog`` until the import is written or the user cancels (Cancel while
        writing stops the writing: nothing is left)."""
        clicks: asyncio.Queue[bool] = asyncio.Queue()
        dialog.import_clicked.connect(lambda: clicks.put_nowait(True))
        dialog.finished.connect(lambda _code: clicks.put_nowait(False))
        dialog.open()
        try:
            while await clicks.get():
                dialog.show_error("")
                dialog.set_busy(True)
                progress = progress_for(dialog.progress)
                dialog.rejected.connect(progress.cancel)
                try:
                    message = await self._write(dialog, result, path, progress)
                except ImportCancelledError as exc:
                    self._window.statusBar().showMessage(str(exc), 10000)
                    return
                except (CoreError, DestinationError, NoCollectionError) as exc:
                    dialog.show_error(f"Nothing was imported: {exc}")
                    continue
                finally:
                    dialog.rejected.disconnect(progress.cancel)
                    dialog.set_busy(False)
                if message:
                    dialog.accept()
                    self._window.statusBar().showMessage(message, 10000)
                    return
        finally:
            dialog.deleteLater()

    async def _browse(self, dialog: ImportSummaryDialog) -> None:
        chosen = await dialogs.existing_directory(dialog, "Choose where the new collection goes")
        if chosen:
            dialog.folder.setText(
                str(free_folder(Path(chosen), dialog.import_result.collection.name))
            )

    async def _write(
        self,
        dialog: ImportSummaryDialog,
        result: ImportResult,
        path: Path,
        progress: ImportProgress,
    ) -> str:
        """Write the import where ``dialog`` says, showing progress in it; the status
        message, or "" when the user backed out."""
        window = self._window
        where = dialog.destination()
        counts = count_items(result.collection)
        what = (
            plural(counts.environments, "environment")
            if environments_only(result)
            else plural(counts.requests, "request")
        )
        message = f"Imported {what} from {path.name}"
        if where.folder is None:
            folder, kept = await self._add_to_open(
                result, progress, dialog.progress, counts.requests
            )
            if folder:
                window.sidebar.select(folder)
            if kept:
                message += f"; kept the open collection's client certificate for {', '.join(kept)}"
            return message
        if not where.folder.is_absolute():
            raise DestinationError(
                "Give the full path of the folder for the new collection, or use Choose…."
            )
        if not await window.confirm_discard():
            return ""
        dest = await asyncio.to_thread(
            write_collection, result.collection, where.folder, None, progress
        )
        # As File > Open collection does: every tab starts with a blank draft.
        for tab in window.request_tabs:
            tab.open_request(tab.new_request(), None)
        # Written: too late to cancel, so say what happens now.
        dialog.set_busy(True, cancellable=False)
        dialog.progress.show_progress(OPENING, 0, 0)
        await window.open_collection(dest)  # a problem opening it is reported there
        return message

    async def _add_to_open(
        self,
        result: ImportResult,
        progress: ImportProgress,
        view: ImportProgressView,
        total: int,
    ) -> tuple[str, list[str]]:
        """Put the import into the open collection; the relpath of its new folder ("" for
        environments only) and the hosts whose imported client certificate was left out
        (the open collection has one). A failure or a cancel deletes the new folder
        again."""
        workspace = self._window.workspace
        if workspace.store is None:
            raise NoCollectionError
        collection = result.collection
        folder = ""
        try:
            if collection.items:
                name = collection.name.strip() or UNNAMED_FOLDER
                folder = await workspace.new_folder("", name)
                # An explicit none stops the open collection's credentials at this folder.
                own = collection.auth if collection.auth.kind != "inherit" else Auth(kind="none")
                await workspace.save_folder_auth(folder, own)
                await self._add_items(collection.items, folder, progress, view, total, [0])
            if collection.environments or collection.variables:
                variables, environments = merge_settings(
                    workspace.store.variables, workspace.environments(), collection
                )
                await workspace.save_variables(workspace.globals, variables, environments, {})
            kept: list[str] = []
            if collection.client_certificates:
                certs, kept = _merged_certificates(
                    workspace.client_certificates(), collection.client_certificates
                )
                await workspace.save_client_certificates(certs)
        except BaseException:
            if folder:
                await workspace.delete(folder)
            raise
        return folder, kept

    async def _add_items(
        self,
        items: Iterable[Folder | AnyRequest],
        parent: str,
        progress: ImportProgress,
        view: ImportProgressView,
        total: int,
        done: list[int],
    ) -> None:
        """Save ``items`` under ``parent`` one by one; ``done[0]`` counts the requests."""
        workspace = self._window.workspace
        for item in items:
            progress.check()
            if isinstance(item, Folder):
                relpath = await workspace.new_folder(parent, item.name.strip() or UNNAMED_FOLDER)
                if item.auth.kind != "inherit":
                    await workspace.save_folder_auth(relpath, item.auth)
                await self._add_items(item.items, relpath, progress, view, total, done)
            else:
                if not item.name.strip():
                    item = item.model_copy(update={"name": UNNAMED_REQUEST})
                await workspace.save_request(item, None, parent)
                done[0] += 1
                view.show_progress(WRITING, done[0], total)

    # -- curl -------------------------------------------------------------------------------

    async def _curl(self) -> None:
        window = self._window
        dialog = CurlDialog(window)
        clicks: asyncio.Queue[bool] = asyncio.Queue()
        dialog.open_clicked.connect(lambda: clicks.put_nowait(True))
        dialog.finished.connect(lambda _code: clicks.put_nowait(False))
        dialog.open()
        try:
            while await clicks.get():
                try:
                    request, warnings = parse_curl(dialog.text.toPlainText())
                except CollectionImportError as exc:
                    dialog.show_error(str(exc))
                    continue
                dialog.accept()
                await self._open_draft(request, warnings)
                return
        finally:
            dialog.deleteLater()

    async def _open_draft(self, request: RestRequest, warnings: tuple[str, ...]) -> None:
        """A new sub-tab: nothing open is replaced, so nothing needs confirming."""
        window = self._window
        notice = "From curl: " + " ".join(warnings) if warnings else ""
        if window.open_draft(request, notice) is None:
            return
        message = f"Opened {request.method} {request.url} from curl as an unsaved draft"
        window.statusBar().showMessage(message, 8000)


def _merged_certificates(
    held: list[ClientCertificate], imported: list[ClientCertificate]
) -> tuple[list[ClientCertificate], list[str]]:
    """``held`` plus the ``imported`` certificates for hosts ``held`` has none for, and
    the hosts whose imported certificate was left out."""
    hosts = {cert.host.strip().lower() for cert in held}
    merged = list(held)
    kept: list[str] = []
    for cert in imported:
        host = cert.host.strip().lower()
        if host in hosts:
            kept.append(cert.host)
            continue
        hosts.add(host)
        merged.append(cert.model_copy())
    return merged, kept


def _local_files(urls: Iterable[object]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]  # type: ignore[attr-defined]


async def _shown_until_closed(dialog: QDialog) -> None:
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def closed(_code: int) -> None:
        if not done.done():
            done.set_result(None)

    dialog.finished.connect(closed)
    dialog.open()
    try:
        await done
    finally:
        dialog.deleteLater()
