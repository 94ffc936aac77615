"""The History panel: the requests sent from every tab, to search, reopen and keep.

The panel owns the window's :class:`HistoryStore`. Every read and write runs in a worker
thread (``asyncio.to_thread``), so neither a slow disk nor a big history ever holds the
GUI thread; the store is opened on first use, not while the window is being built.

What is recorded: each REST, batch, SOAP, GraphQL query/mutation and unary or streaming
gRPC call that reached the network, with its response summary or the error that ended
it (tabs announce them through ``RequestTab.request_sent``). Not recorded: input refused
before any traffic (an undefined variable), a send the user cancelled, WebSocket
connections and GraphQL subscriptions (sessions with their own logs, not one request and
one answer), and the webhook receiver (it receives, it sends nothing).

How many requests are kept follows the preferences' ``history_size``, also when it
changes while the app runs (the store's next prune uses the new size).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot
from shiboken6 import isValid

from apiclient.core.errors import CoreError
from apiclient.core.history import (
    HistoryEntry,
    HistoryError,
    HistoryStore,
    HistorySummary,
    default_history_path,
    describe_request,
)
from apiclient.core.preferences import Preferences
from apiclient.core.store import FolderNode
from apiclient.ui import dialogs
from apiclient.ui.app_preferences import AppPreferences, app_preferences
from apiclient.ui.history_model import ENTRY_ROLE, HistoryDelegate, HistoryModel
from apiclient.ui.tasks import OwnedTask, start_task
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.body_preview import BodyPreview
from apiclient.ui.workspace import NoCollectionError, Workspace

PAGE_SIZE = 200
EMPTY_TEXT = "Requests you send appear here."
_SEARCH_DELAY_MS = 200


class HistoryPanel(QWidget):
    """Signals:
    open_requested(object): reopen this ``HistoryEntry``'s request as an unsaved draft.
    request_saved(str): an entry was saved into the collection at this relpath.
    problem_reported(str): something failed; the text says what and what to try.
    entry_added(int): a sent request was stored under this id (and shown if it matches
        the search).
    entries_shown: the list was refilled (a search or a refresh finished).
    preview_shown: the selected entry's response preview is on screen.
    """

    open_requested = Signal(object)
    request_saved = Signal(str)
    problem_reported = Signal(str)
    entry_added = Signal(int)
    entries_shown = Signal()
    preview_shown = Signal()

    def __init__(
        self,
        workspace: Workspace,
        default_folder: Callable[[], str] = lambda: "",
        path: Callable[[], Path] = default_history_path,
        parent: QWidget | None = None,
        preferences: AppPreferences | None = None,
    ) -> None:
        """``default_folder``: where "Save to collection" proposes to save (the
        sidebar's current folder); ``path``: where the history file lives;
        ``preferences``: whose ``history_size`` caps the history (the app's)."""
        super().__init__(parent)
        self.setObjectName("history.panel")
        self._workspace = workspace
        self._preferences = preferences or app_preferences()
        self._preferences.changed.connect(self._on_preferences_changed)
        self._default_folder = default_folder
        self._path = path
        self._opening: asyncio.Future[HistoryStore | None] | None = None
        self._store: HistoryStore | None = None
        self._search = OwnedTask()
        self._preview_task = OwnedTask()
        self._writes: set[asyncio.Task[None]] = set()

        self.search = QLineEdit(objectName="history.search")
        self.search.setPlaceholderText("Search name, URL, method or status")
        self.search.setClearButtonEnabled(True)
        self.model = HistoryModel(self)
        self.list = QListView(self, objectName="history.list")
        self.list.setModel(self.model)
        self.list.setItemDelegate(HistoryDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(False)
        self.empty = QLabel(
            EMPTY_TEXT,
            self,
            objectName="history.empty",
            wordWrap=True,
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        self.empty.setStyleSheet("color: palette(mid)")
        self.message = QLabel(objectName="history.message", wordWrap=True, visible=False)
        themed_style(self.message, "color: $error")
        self.more = QLabel(objectName="history.more", wordWrap=True, visible=False)
        self.more.setStyleSheet("color: palette(mid)")
        self.open_button = QPushButton("Open", objectName="history.open")
        self.open_button.setToolTip("Reopen the request in its tab as an unsaved draft")
        self.save_button = QPushButton("Save…", objectName="history.save")
        self.save_button.setToolTip("Save the request into the open collection")
        self.delete_button = QPushButton("Delete", objectName="history.delete")
        self.clear_button = QPushButton("Clear…", objectName="history.clear")
        self.clear_button.setToolTip("Delete every request from the history")
        self.preview = BodyPreview("history.preview")

        self._stack = QStackedLayout()
        self._stack.addWidget(self.list)
        self._stack.addWidget(self.empty)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        layout.addLayout(self._stack, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.preview, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=_SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        # Double-click or Enter (Qt sends "activated" for both; "doubleClicked" too would
        # open the entry twice).
        self.list.activated.connect(self._on_list_activated)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.list.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._update_buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.clear_button.clicked.connect(self.clear)
        self._show_entries([])

    # -- the store ---------------------------------------------------------------------

    async def _ready_store(self) -> HistoryStore | None:
        """The store, opened in a worker on first use; None when it cannot be opened."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open_store())
        return await asyncio.shield(self._opening)

    async def _open_store(self) -> HistoryStore | None:
        size = self._preferences.current.history_size
        try:
            store = await asyncio.to_thread(HistoryStore, self._path(), max_entries=size)
        except HistoryError as exc:
            self._report(f"History is off: {exc}")
            return None
        self._store = store
        self._on_preferences_changed(self._preferences.current)  # changed while it opened
        if store.recovered_from is not None:
            self._report(
                f"The request history was damaged; it was moved to {store.recovered_from} "
                "and a new one was started."
            )
        return store

    def _on_preferences_changed(self, preferences: Preferences) -> None:
        store = self._store
        if store is None or store.max_entries == preferences.history_size:
            return
        shrunk = preferences.history_size < store.max_entries
        store.set_max_entries(preferences.history_size)
        if shrunk:  # a smaller history shows at once, not after the next send
            self._search.start(self._prune_then_list(store))

    async def _prune_then_list(self, store: HistoryStore) -> None:
        try:
            await asyncio.to_thread(store.prune)
        except HistoryError as exc:
            self._report(str(exc))
            return
        if isValid(self):
            await self._refresh(self.search.text())

    async def aclose(self) -> None:
        """Wait for pending writes, then close the store (at quit)."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        self._search.abandon()
        self._preview_task.abandon()
        if self._store is not None:
            await asyncio.to_thread(self._store.close)
            self._store = None

    # -- recording ---------------------------------------------------------------------

    def record(self, entry: object) -> None:
        """Store a sent request (a tab's ``request_sent``) without blocking the send."""
        if not isinstance(entry, HistoryEntry):
            return
        task = start_task(self._record(entry))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _record(self, entry: HistoryEntry) -> None:
        store = await self._ready_store()
        if store is None:
            return
        try:
            stored = await asyncio.to_thread(store.add, entry)
        except HistoryError as exc:
            self._report(f"Not kept in history: {exc}")
            return
        if not isValid(self):  # the window went while the write ran
            return
        summary = _summary_of(stored)
        if _matches(summary, self.search.text()):
            keep = self._selected_id()
            self.model.prepend(summary)
            self._show_entries(None, keep)
        self.entry_added.emit(stored.id)

    # -- listing -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fill the list again for the search text (in a worker; a newer call wins)."""
        self._search.start(self._refresh(self.search.text()))

    async def _refresh(self, text: str) -> None:
        if self._opening is None and not await asyncio.to_thread(self._path().exists):
            found: list[HistorySummary] = []  # nothing sent yet: no file until the first send
        else:
            store = await self._ready_store()
            if store is None:
                return
            try:
                found = await asyncio.to_thread(store.search, text, limit=PAGE_SIZE)
            except HistoryError as exc:
                self._report(str(exc))
                return
        if not isValid(self):  # the window went while the search ran
            return
        self._show_entries(_with_newer(found, self.model.entries, text), self._selected_id())
        self.entries_shown.emit()

    def _show_entries(self, entries: list[HistorySummary] | None, keep: int | None = None) -> None:
        """Show ``entries`` (None: the model's, already changed), keeping entry ``keep``
        selected when it is still there."""
        if entries is not None:
            self.model.set_entries(entries)
        else:
            entries = self.model.entries
        searching = bool(self.search.text().strip())
        self.empty.setText("No request matches the search." if searching else EMPTY_TEXT)
        self._stack.setCurrentWidget(self.list if entries else self.empty)
        full = len(entries) >= PAGE_SIZE
        self.more.setText(f"Showing the newest {PAGE_SIZE}; search to find older requests.")
        self.more.setVisible(full)
        if keep is not None:
            row = self.model.row_of(keep)
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row))
        self._update_buttons()

    def select_entry(self, entry_id: int) -> bool:
        """Select the row of ``entry_id``; False when it is not shown."""
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        return row >= 0

    def _selected(self) -> HistorySummary | None:
        indexes = self.list.selectionModel().selectedIndexes()
        summary = indexes[0].data(ENTRY_ROLE) if indexes else None
        return summary if isinstance(summary, HistorySummary) else None

    def _selected_id(self) -> int | None:
        summary = self._selected()
        return summary.id if summary is not None else None

    def _update_buttons(self) -> None:
        chosen = self._selected() is not None
        for button in (self.open_button, self.save_button, self.delete_button):
            button.setEnabled(chosen)
        self.clear_button.setEnabled(bool(self.model.entries))

    def _on_selection_changed(self) -> None:
        """Show the selected entry's response preview (read in a worker)."""
        if self._selected() is None:
            self._preview_task.abandon()
            self.preview.clear()
            return
        self._preview_task.start(self._show_preview())

    async def _show_preview(self) -> None:
        entry = await self._selected_entry()
        if entry is None or not isValid(self) or entry.id != self._selected_id():
            return
        masked = any(note.startswith("response preview") for note in entry.redacted)
        self.preview.show_preview(entry.preview, entry.size, entry.preview_type, masked)
        self.preview_shown.emit()

    # -- actions -----------------------------------------------------------------------

    def _on_list_activated(self, index: QModelIndex) -> None:
        if isinstance(index.data(ENTRY_ROLE), HistorySummary):
            self.open_selected()

    @asyncSlot()
    async def open_selected(self) -> None:
        entry = await self._selected_entry()
        if entry is not None:
            self.open_requested.emit(entry)

    @asyncSlot()
    async def save_selected(self) -> None:
        """Ask for a name and a folder, then save the entry's request into the collection."""
        entry = await self._selected_entry()
        if entry is None:
            return
        if self._workspace.store is None:
            self._report("Open a collection first, then save the request into it.")
            return
        name, ok = await dialogs.get_text(
            self, "Save to collection", "Request name:", entry.request.name
        )
        if not ok or not name.strip():
            return
        folder, ok = await dialogs.get_text(
            self,
            "Save to collection",
            "Folder in the collection (empty for the top level):",
            self._default_folder(),
        )
        if not ok:
            return
        folder = folder.strip().strip("/")
        if folder and not isinstance(_find(self._workspace, folder), FolderNode):
            self._report(f"Not saved: the collection has no folder '{folder}'.")
            return
        request = entry.request.model_copy(update={"name": name.strip()})
        try:
            relpath = await self._workspace.save_request(request, None, folder)
        except (CoreError, NoCollectionError) as exc:
            self._report(f"Not saved: {exc}")
            return
        self.message.setVisible(False)
        self.request_saved.emit(relpath)

    @asyncSlot()
    async def delete_selected(self) -> None:
        summary = self._selected()
        store = await self._ready_store()
        if summary is None or store is None:
            return
        try:
            await asyncio.to_thread(store.delete, summary.id)
        except HistoryError as exc:
            self._report(str(exc))
            return
        row = self.model.row_of(summary.id)
        self.model.remove(summary.id)
        self._show_entries(None)
        # Keep a row selected where the deleted one was, so Delete can be pressed again.
        candidates = [
            self.model.index(r)
            for r in (row, row - 1)
            if 0 <= r < self.model.rowCount() and self.model.index(r).data(ENTRY_ROLE)
        ]
        if candidates:
            self.list.setCurrentIndex(candidates[0])

    @asyncSlot()
    async def clear(self) -> None:
        """Delete every entry, once the user confirmed."""
        store = await self._ready_store()
        if store is None:
            return
        answer = await dialogs.question(
            self,
            "Clear history",
            "Delete every request from the history? This cannot be undone.",
            dialogs.Button.Yes | dialogs.Button.Cancel,
            dialogs.Button.Cancel,
        )
        if answer != dialogs.Button.Yes:
            return
        try:
            await asyncio.to_thread(store.clear)
        except HistoryError as exc:
            self._report(str(exc))
            return
        self._show_entries([])

    async def _selected_entry(self) -> HistoryEntry | None:
        summary = self._selected()
        return None if summary is None else await self.entry(summary.id)

    async def recent(self, limit: int = PAGE_SIZE) -> list[HistorySummary]:
        """The newest ``limit`` entries, whatever the search field holds (the command
        palette's history); [] when the history cannot be read (said in the panel)."""
        store = await self._ready_store()
        if store is None:
            return []
        try:
            return await asyncio.to_thread(store.search, "", limit=limit)
        except HistoryError as exc:
            self._report(str(exc))
            return []

    async def entry(self, entry_id: int) -> HistoryEntry | None:
        """The full entry ``entry_id``, read in a worker; None when it is gone or the
        history cannot be read (said in the panel)."""
        store = await self._ready_store()
        if store is None:
            return None
        try:
            return await asyncio.to_thread(store.get, entry_id)
        except HistoryError as exc:
            self._report(str(exc))
            return None

    def _report(self, text: str) -> None:
        if not isValid(self):
            return
        self.message.setText(text)
        self.message.setVisible(True)
        self.problem_reported.emit(text)


def _find(workspace: Workspace, relpath: str) -> object:
    with contextlib.suppress(CoreError):
        return workspace.find(relpath)
    return None


def _summary_of(entry: HistoryEntry) -> HistorySummary:
    method, url = describe_request(entry.request)
    return HistorySummary(
        id=entry.id,
        sent_at=entry.sent_at,
        kind=entry.kind,
        name=entry.name,
        method=method,
        url=url,
        status=entry.status,
        elapsed_ms=entry.elapsed_ms,
        size=entry.size,
        error=entry.error,
    )


def _with_newer(
    found: list[HistorySummary], shown: list[HistorySummary], text: str
) -> list[HistorySummary]:
    """``found`` (a search's answer, newest first) after the entries shown that are newer
    than all of it and match ``text``: entries recorded while the search read (ids only
    grow), which it could not see and which must not vanish from the list."""
    newest = found[0].id if found else 0
    newer = [entry for entry in shown if entry.id > newest and _matches(entry, text)]
    return [*newer, *found][:PAGE_SIZE]


def _matches(summary: HistorySummary, text: str) -> bool:
    """The store's search rule, for an entry added while a search is shown."""
    needle = text.strip().casefold()
    haystack = "\n".join((summary.name, summary.method, summary.url, summary.status))
    return not needle or needle in haystack.casefold()
