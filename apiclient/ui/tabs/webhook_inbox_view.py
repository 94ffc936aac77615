"""The inbox half of the Webhook tab: captured events newest first with a filter, the
selected event in full (verdict, body by content type, headers, query), and what can
be done with events (replay, copy as curl, delete, clear, export)."""

from __future__ import annotations

from array import array
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import human_size
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.ui.tabs.webhook_inbox import (
    VERDICT_LABELS,
    VERDICT_TONES,
    InboxSnapshot,
    WebhookInboxModel,
    event_target,
)
from apiclient.ui.theme import themed_style, themed_text, tone_span
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.header_model import HeaderTableModel

if TYPE_CHECKING:
    from apiclient.protocols.webhook_body import RenderedBody

_FILTER_PAUSE_MS = 250
_DISPLAY = Qt.ItemDataRole.DisplayRole
_PATH_COLUMN = 3
_SELECT_ROW = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
_EMPTY_TEXT = (
    "No events yet.\n\nStart the receiver, then point a webhook sender at its URL "
    "(Copy URL), or try it with:\ncurl -X POST {url} -H 'Content-Type: application/json' "
    '-d \'{{"hello": "world"}}\''
)
_BODY_KINDS = {
    "empty": "No body",
    "json": "JSON",
    "form": "Form fields",
    "xml": "XML",
    "text": "Text",
    "binary": "Binary (hex)",
}


class PairsModel(HeaderTableModel):
    """Name/value pairs (headers, query parameters), read-only."""

    HEADERS = ("Name", "Value")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pairs: list[tuple[str, str]] = []

    def set_pairs(self, pairs: list[tuple[str, str]]) -> None:
        self.beginResetModel()
        self._pairs = pairs
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._pairs)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._pairs[index.row()][index.column()]
        return None


def _pairs_table(name: str, model: PairsModel) -> QTableView:
    table = QTableView(objectName=name)
    table.setModel(model)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    return table


class WebhookInboxView(QWidget):
    """Signals:
    filter_changed(str): the filter text, once typing pauses.
    current_changed(int): the selected event's id (0: none).
    replay_requested, copy_curl_requested, delete_requested, clear_requested: buttons.
    export_requested(str): "json" or "har".
    replay_url_edited: the replay URL changed (it is saved with the request).
    loaded: the last :meth:`load` is listed (rows outside the cache are read as seen).
    """

    filter_changed = Signal(str)
    current_changed = Signal(int)
    replay_requested = Signal()
    copy_curl_requested = Signal()
    delete_requested = Signal()
    clear_requested = Signal()
    export_requested = Signal(str)
    replay_url_edited = Signal()
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = WebhookInboxModel(parent=self)
        self._total = 0
        self._searching = False
        self._busy = False
        self._current = 0  # the event shown in full

        self.filter = QLineEdit(objectName="webhook.filter", clearButtonEnabled=True)
        self.filter.setPlaceholderText("Filter: path, method, header, body text, valid/invalid…")
        self.count = QLabel(objectName="webhook.count")
        self.count.setStyleSheet("color: palette(mid)")
        self.replay_url = QLineEdit(objectName="webhook.replay_url")
        self.replay_url.setPlaceholderText("Replay to: http://127.0.0.1:3000")
        self.replay_url.setToolTip(
            "Where Replay resends the selected event ({{variables}} allowed)"
        )
        self.replay = QPushButton("Replay", objectName="webhook.replay", enabled=False)
        self.replay.setToolTip("Resend the selected event to the replay URL")
        self.copy_curl = QPushButton("Copy as curl", objectName="webhook.copy_curl", enabled=False)
        self.delete = QPushButton("Delete", objectName="webhook.delete", enabled=False)
        self.delete.setToolTip("Delete the selected events (Del)")
        self.clear = QPushButton("Clear…", objectName="webhook.clear")
        self.clear.setToolTip("Delete every stored event")
        self.export = QToolButton(objectName="webhook.export", text="Export ▾")
        self.export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export)
        for label, kind in (("As JSON…", "json"), ("As HAR…", "har")):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, kind=kind: self.export_requested.emit(kind))
            menu.addAction(action)
        self.export.setMenu(menu)

        self.table = QTableView(objectName="webhook.log")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        # The header paints a column as selected when every row of it is: it asks the
        # selection row by row, the model once per row (seconds for a select-all of
        # 100,000 rows). A selection model of its own, always empty, spares that.
        header.setSelectionModel(QItemSelectionModel(self.model, header))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_PATH_COLUMN, QHeaderView.ResizeMode.Stretch)
        width = self.table.fontMetrics().horizontalAdvance
        samples = (
            "0000",
            "00:00:00.000",
            "OPTIONS",
            "",
            "000.0 KB",
            "127.0.0.1:00000",
            "✗ invalid",
            "Answer",
        )
        for column, sample in enumerate(samples):
            if column != _PATH_COLUMN:
                header.resizeSection(column, width(sample) + 18)
        self.empty = QLabel(objectName="webhook.empty", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setStyleSheet("color: palette(mid); padding: 12px")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.empty)
        self.list_stack.addWidget(self.table)

        self.verdict = QLabel(objectName="webhook.detail.verdict", wordWrap=True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info = QLabel(objectName="webhook.detail.info", wordWrap=True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_note = QLabel(objectName="webhook.detail.body_note", wordWrap=True)
        self.body = CodeEditor("webhook.detail.body", read_only=True)
        self.body.setPlaceholderText("Select an event to see it in full.")
        self.headers_model = PairsModel(self)
        self.query_model = PairsModel(self)
        self.detail_tabs = QTabWidget(objectName="webhook.detail.tabs")
        body_page = QWidget()
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.body_note)
        body_layout.addWidget(self.body, 1)
        self.detail_tabs.addTab(body_page, "Body")
        self.detail_tabs.addTab(
            _pairs_table("webhook.detail.headers", self.headers_model), "Headers"
        )
        self.detail_tabs.addTab(_pairs_table("webhook.detail.query", self.query_model), "Query")
        self.detail = QWidget(objectName="webhook.detail")
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.verdict)
        detail_layout.addWidget(self.info)
        detail_layout.addWidget(self.detail_tabs, 1)

        self.status = QLabel(objectName="webhook.inbox.status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        top.addWidget(self.delete)
        top.addWidget(self.clear)
        top.addWidget(self.export)
        actions = QHBoxLayout()
        actions.addWidget(self.replay_url, 1)
        actions.addWidget(self.replay)
        actions.addWidget(self.copy_curl)
        self.splitter = QSplitter(objectName="webhook.inbox.splitter")
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)

        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_PAUSE_MS)
        self._filter_timer.timeout.connect(lambda: self.filter_changed.emit(self.filter_text()))
        self.filter.textChanged.connect(self._filter_timer.start)
        self.replay_url.textEdited.connect(self.replay_url_edited)
        self.replay.clicked.connect(self.replay_requested)
        self.copy_curl.clicked.connect(self.copy_curl_requested)
        self.delete.clicked.connect(self.delete_requested)
        self.clear.clicked.connect(self.clear_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.rowsRemoved.connect(self._on_rows_changed)
        self.model.modelReset.connect(self._on_rows_changed)
        self.model.read_failed.connect(lambda text: self.show_status(text, error=True))
        self.set_url("")
        self.show_event(None, None)

    # -- what the list shows ---------------------------------------------------------------

    def filter_text(self) -> str:
        return self.filter.text().strip()

    def set_url(self, url: str) -> None:
        """The empty state's example names the receiver's URL once it listens."""
        shown = url or "http://127.0.0.1:8790/hooks"
        self.empty.setText(_EMPTY_TEXT.format(url=shown))

    @property
    def total(self) -> int:
        """Events in the store (matching the filter, when one is on)."""
        return self._total

    def set_total(self, total: int, *, searching: bool) -> None:
        """How many events the store holds (matching the filter when ``searching``)."""
        self._total = total
        self._searching = searching
        self._show_count()

    def add(self, summary: EventSummary) -> None:
        """A new event arrived: counted and listed, unless a filter is typed (the tab
        then asks the store again, since the filter also searches headers and bodies)."""
        if not self.filter_text():
            self.model.add(summary)  # counted when the batch goes in (_on_rows_inserted)

    def load(self, snapshot: InboxSnapshot) -> None:
        """Show what the store held (and what arrived since), keeping the selection;
        ``loaded`` follows."""
        wanted = self._selected_id_array()
        selection = self.table.selectionModel()
        blocked = selection.blockSignals(True)
        try:
            arrived = self.model.set_rows(snapshot)
            self._total = snapshot.total + (0 if snapshot.searching else arrived)
            self._searching = snapshot.searching
            self._select_listed(wanted)
        finally:
            selection.blockSignals(blocked)
        self._on_rows_changed()
        self.table.viewport().update()
        self._on_selection_changed()
        self.loaded.emit()

    def _select_listed(self, ids: array[int]) -> None:
        """Select the rows of these events (sorted; those still listed), in one call."""
        runs = self.model.row_ranges(ids)
        if not runs:
            return
        model, wanted = self.model, QItemSelection()
        for top, bottom in runs:
            wanted.select(model.index(top, 0), model.index(bottom, 0))
        self.table.selectionModel().select(wanted, _SELECT_ROW)

    def set_busy(self, busy: bool) -> None:
        """An action on events is under way: the others wait for it."""
        self._busy = busy
        self.clear.setEnabled(not busy)
        self.export.setEnabled(not busy)
        self._on_selection_changed()

    def selected_ids(self) -> list[int]:
        """The selected events' ids, newest first."""
        return list(reversed(self._selected_id_array()))

    def current_id(self) -> int:
        """The selected event's id when exactly one is selected, else 0."""
        runs = self._selected_rows()
        if len(runs) == 1 and runs[0][0] == runs[0][1]:
            return self.model.id_at(runs[0][0])
        return 0

    def _selected_rows(self) -> list[tuple[int, int]]:
        """The selected rows as ``(top, bottom)`` runs, top first, none overlapping: read
        from the selection's ranges, never row by row (a select-all holds 100,000)."""
        spans = sorted(
            (span.top(), span.bottom())
            for span in self.table.selectionModel().selection()
            if span.isValid()
        )
        runs: list[tuple[int, int]] = []
        for top, bottom in spans:
            if runs and top <= runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], max(runs[-1][1], bottom))
            else:
                runs.append((top, bottom))
        return runs

    def _selected_id_array(self) -> array[int]:
        """The selected events' ids, oldest first."""
        found: array[int] = array("q")
        for top, bottom in reversed(self._selected_rows()):
            found.extend(self.model.ids_in_rows(top, bottom))
        return found

    def select_id(self, event_id: int) -> None:
        row = self.model.row_of(event_id)
        if row >= 0:
            self.table.selectRow(row)

    def show_status(self, text: str, *, error: bool = False) -> None:
        themed_style(self.status, "color: $error" if error else "color: $muted")
        self.status.setText(text)

    # -- the selected event -------------------------------------------------------------------

    def show_event(self, event: WebhookEvent | None, rendered: RenderedBody | None) -> None:
        """The event in full, with its body as rendered (``None``: still rendering)."""
        if event is None:
            self._current = 0
            self.verdict.setText("")
            self.info.setText("Select an event to see its headers, query and body.")
            self.body_note.setVisible(False)
            self.body.set_text("")
            self.headers_model.set_pairs([])
            self.query_model.set_pairs([])
            return
        summary = event.summary
        tone = VERDICT_TONES[summary.verdict]
        verdict = f"<b>Signature: {escape(VERDICT_LABELS[summary.verdict])}</b>"
        reason = escape(summary.verdict_reason)
        themed_text(self.verdict, lambda: f"{tone_span(verdict, tone)} — {reason}")
        when = datetime.fromtimestamp(summary.received_at).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        parts = [
            f"<b>#{summary.id} {escape(summary.method)} {escape(event_target(summary))}</b>",
            f"from {escape(summary.source)} at {when}",
            f"{escape(summary.content_type or 'no content type')}, {human_size(summary.size)}",
            f"answered {summary.response_status}",
        ]
        text = " · ".join(parts)
        note = escape(summary.note)
        themed_text(self.info, lambda: f"{text}<br>{tone_span(note, 'error')}" if note else text)
        self.headers_model.set_pairs(list(event.headers))
        self.query_model.set_pairs(_query_pairs(summary.query))
        self.show_body(rendered)

    def show_body(self, rendered: RenderedBody | None) -> None:
        if rendered is None:
            self.body_note.setText("Formatting the body…")
            self.body_note.setVisible(True)
            self.body.set_text("")
            return
        note = _BODY_KINDS[rendered.kind]
        if rendered.problem:
            note += f" — {rendered.problem}"
        themed_style(self.body_note, "color: $error" if rendered.problem else "color: palette(mid)")
        self.body_note.setText(note)
        self.body_note.setVisible(True)
        self.body.set_language(rendered.kind if rendered.kind in ("json", "xml") else "text")
        self.body.set_text(rendered.text)

    # -- reactions -------------------------------------------------------------------------

    def _on_selection_changed(self) -> None:
        any_selected = self.table.selectionModel().hasSelection()
        current = self.current_id()
        one = current != 0
        self.replay.setEnabled(one and not self._busy)
        self.copy_curl.setEnabled(one and not self._busy)
        self.delete.setEnabled(any_selected and not self._busy)
        if current != self._current:  # the same event again is not shown again
            self._current = current
            self.current_changed.emit(current)

    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        """New events went in at the top (only events not listed yet do)."""
        self._total += last - first + 1
        self._on_rows_changed()

    def _on_rows_changed(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.list_stack.setCurrentWidget(self.table if has_rows or self._searching else self.empty)
        self._show_count()

    def _show_count(self) -> None:
        noun = "event" if self._total == 1 else "events"
        matching = "matching " if self._searching else ""
        self.count.setText(f"{self._total:,} {matching}{noun}")

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.table.selectionModel().hasSelection():
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)
