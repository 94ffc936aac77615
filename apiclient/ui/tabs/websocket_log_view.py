"""The WebSocket log as a person uses it: filters above, the virtual table of frames,
the selected frame in full beside it (pretty JSON, text or a hex dump). While the log
has no entry, an empty state in their place says what to do next."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import hex_dump, human_size, pretty_json
from apiclient.ui.tabs.websocket_log import (
    DEFAULT_CAPACITY,
    LogEntry,
    LogFilter,
    MessageLogModel,
    is_frame,
)
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.empty_state import EmptyState

DETAIL_LIMIT_CHARS = 200_000
HEX_LIMIT_BYTES = 64 * 1024
_SEARCH_PAUSE_MS = 250
# What the empty log says, (title, hint), by the connection's phase.
_NOT_CONNECTED = (
    "No messages yet",
    "Connect, then send a message: what is sent and received appears here.",
)
_EMPTY_TEXTS = {
    "connecting": ("Connecting…", "What is sent and received appears here once it is open."),
    "reconnecting": ("Reconnecting…", "What is sent and received appears here once it is open."),
    "open": ("Connected", "Send a message: what is sent and received appears here."),
}


class MessageLogView(QWidget):
    """Signals: export_requested: the user asked to save the session as JSON.

    While the log has no entry (none yet, or cleared) the empty state
    ``websocket.log.empty`` stands in for the table; :meth:`set_connection` chooses what
    it says."""

    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MessageLogModel(parent=self)
        self._note = ""

        self.direction = QComboBox(objectName="websocket.log.direction")
        self.direction.addItem("All", "")
        self.direction.addItem("↓ Received", "in")
        self.direction.addItem("↑ Sent", "out")
        self.search = QLineEdit(objectName="websocket.log.search", clearButtonEnabled=True)
        self.search.setPlaceholderText("Filter messages")
        self.control = QCheckBox("Pings", objectName="websocket.log.control")
        self.control.setToolTip("Show control frames too: pings, pongs and close frames")
        self.follow = QToolButton(objectName="websocket.log.follow", text="Follow", checkable=True)
        self.follow.setChecked(True)
        self.follow.setToolTip(
            "Keep the newest message in view; off (or scroll up) to read while more arrive"
        )
        self.capacity = QSpinBox(objectName="websocket.log.capacity")
        self.capacity.setRange(100, 200_000)
        self.capacity.setKeyboardTracking(False)  # typing 20000 must not pass through 200
        self.capacity.setSingleStep(1000)
        self.capacity.setGroupSeparatorShown(True)
        self.capacity.setValue(DEFAULT_CAPACITY)
        self.capacity.setPrefix("Keep ")
        self.capacity.setToolTip(
            "How many of the newest entries stay in memory; older ones are kept on disk "
            "and read back as you scroll"
        )
        self.clear = QPushButton("Clear", objectName="websocket.log.clear")
        self.export = QPushButton("Export…", objectName="websocket.log.export")
        self.export.setToolTip("Save the whole session and its counters as a JSON file")
        self.summary = QLabel(objectName="websocket.log.summary")
        self.summary.setStyleSheet("color: palette(mid)")

        self.table = QTableView(objectName="websocket.log")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        width = self.table.fontMetrics().horizontalAdvance
        for column, sample in enumerate(("0000000", "00:00:00.000", "↓", "binary", "000.0 KB")):
            header.resizeSection(column, width(sample) + 18)

        self.detail_info = QLabel(objectName="websocket.log.detail.info", wordWrap=True)
        self.detail_view = QComboBox(objectName="websocket.log.detail.view")
        for label, mode in (("Auto", "auto"), ("Text", "text"), ("Hex", "hex")):
            self.detail_view.addItem(label, mode)
        self.detail = CodeEditor("websocket.log.detail", read_only=True)
        self.detail.setPlaceholderText("Select a message to see it in full.")

        filters = QHBoxLayout()
        filters.addWidget(self.direction)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.control)
        filters.addWidget(self.follow)
        filters.addWidget(self.capacity)
        filters.addWidget(self.clear)
        filters.addWidget(self.export)
        detail_head = QHBoxLayout()
        detail_head.addWidget(self.detail_info, 1)
        detail_head.addWidget(self.detail_view)
        detail_pane = QWidget()
        detail_layout = QVBoxLayout(detail_pane)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(detail_head)
        detail_layout.addWidget(self.detail, 1)
        self.splitter = QSplitter(objectName="websocket.log.splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.empty = EmptyState("websocket.log.empty", *_NOT_CONNECTED)
        self.pages = QStackedWidget(objectName="websocket.log.pages")
        self.pages.addWidget(self.splitter)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.summary)

        self._follow_timer = QTimer(self, singleShot=True, interval=0)
        self._follow_timer.timeout.connect(self.table.scrollToBottom)
        self._search_timer = QTimer(self, singleShot=True, interval=_SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.direction.currentIndexChanged.connect(self._apply_filter)
        self.control.toggled.connect(self._apply_filter)
        self.capacity.valueChanged.connect(self.model.set_capacity)
        self.clear.clicked.connect(self.model.clear)
        self.export.clicked.connect(self.export_requested)
        self.follow.toggled.connect(self._on_follow_toggled)
        self.detail_view.currentIndexChanged.connect(self._show_current)
        self.table.verticalScrollBar().actionTriggered.connect(self._on_user_scrolled)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.rowsRemoved.connect(self._keep_reading_position)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.modelReset.connect(self._on_reset)
        self.model.filtered.connect(self._on_filtered)
        self.model.appended.connect(self._update_summary)  # also when all are filtered out
        self.model.spool_failed.connect(self._update_summary)
        self.model.read_failed.connect(self._update_summary)
        self.model.page_loaded.connect(self._update_summary)
        self.model.entry_loaded.connect(self._on_entry_loaded)
        self._apply_filter()
        self._update_summary()

    # -- filters -------------------------------------------------------------------------

    def log_filter(self) -> LogFilter:
        return LogFilter(
            direction=self.direction.currentData(),
            text=self.search.text().strip(),
            control=self.control.isChecked(),
        )

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.log_filter())
        if self.follow.isChecked():
            self.table.scrollToBottom()

    # -- following the newest --------------------------------------------------------------

    def _on_follow_toggled(self, following: bool) -> None:
        if following:
            self.table.scrollToBottom()

    def _on_user_scrolled(self, action: int) -> None:
        """Scrolling up to read pauses following; the Follow button resumes it."""
        if action != QAbstractSlider.SliderAction.SliderNoAction.value:
            bar = self.table.verticalScrollBar()
            if bar.sliderPosition() < bar.maximum():
                self.follow.setChecked(False)

    def _on_rows_inserted(self) -> None:
        if self.follow.isChecked():
            self._follow_timer.start()  # once the batch's removals are done too
        self._update_summary()

    def _keep_reading_position(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Old rows let go above what the user reads: keep those rows where they are."""
        if first == 0 and not self.follow.isChecked():
            bar = self.table.verticalScrollBar()
            bar.setValue(max(0, bar.value() - (last + 1)))
        self._update_summary()

    def _on_reset(self) -> None:
        self._show_current()
        self._update_summary()

    def _on_filtered(self) -> None:
        self._update_summary()
        if self.follow.isChecked():
            self.table.scrollToBottom()

    def set_connection(self, phase: str) -> None:
        """What the empty log says in the connection's ``phase`` (connecting, open,
        closed...): how to connect, to wait, or to send a message."""
        self.empty.set_text(*_EMPTY_TEXTS.get(phase, _NOT_CONNECTED))

    def _show_page(self) -> None:
        """The log once it has an entry (shown or filtered out), else the empty state."""
        self.pages.setCurrentWidget(self.splitter if self.model.total else self.empty)

    def set_note(self, text: str) -> None:
        """A result to keep in view under the log (an export), until the next one."""
        self._note = text
        self._update_summary()

    def _update_summary(self) -> None:
        model = self.model
        shown, kept, total = model.rowCount(), model.kept, model.total
        parts = [f"{total:,} {'entry' if total == 1 else 'entries'}"]
        if model.dropped:
            parts.append(f"{kept:,} kept ({model.dropped:,} let go)")
        if model.searching:
            parts.append("searching the whole session…")
        elif shown != kept:
            parts.append(f"{shown:,} match the filter")
        if self._note:
            parts.append(self._note)
        if model.spool_problem:
            parts.append(model.spool_problem)
        if model.read_problem:
            parts.append(model.read_problem)
        self.summary.setText(" · ".join(parts))
        self._show_page()  # every change of the entries comes through here

    # -- the selected entry ------------------------------------------------------------------

    def _show_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            self.detail_info.setText("")
            self.detail.set_text("")
            return
        number = self.model.number_at(index.row())
        entry = self.model.complete_entry(number)
        if entry is None:  # on disk only: read it in full, shown when it comes
            self.detail_info.setText(f"#{number} · reading it from disk…")
            self.detail.set_text("")
            self.model.load_entry(number)
            return
        self._show_entry(number, entry)

    def _on_entry_loaded(self, number: int, entry: LogEntry | Exception | None) -> None:
        index = self.table.currentIndex()
        row = index.row()
        if (
            not index.isValid()
            or row >= self.model.rowCount()
            or self.model.number_at(row) != number
        ):
            return  # the selection moved on meanwhile
        if isinstance(entry, Exception):
            self.detail_info.setText(f"#{number} · cannot be read from disk: {entry}")
            return
        if entry is None:
            why = (
                "it was not written: see the line below the log"
                if self.model.spool_problem
                else "the log was cleared"
            )
            self.detail_info.setText(f"#{number} · not on disk ({why}).")
            return
        self._show_entry(number, entry)

    def _show_entry(self, number: int, entry: LogEntry) -> None:
        self.detail_info.setText(describe_entry(number, entry))
        text, language = detail_text(entry, self.detail_view.currentData())
        wrap = not is_frame(entry)  # a connection change is a sentence, not data
        self.detail.setLineWrapMode(
            QPlainTextEdit.LineWrapMode.WidgetWidth if wrap else QPlainTextEdit.LineWrapMode.NoWrap
        )
        self.detail.set_language(language)
        self.detail.set_text(text)


def describe_entry(number: int, entry: LogEntry) -> str:
    """The line above the detail: what, which way, when, how big."""
    when = datetime.fromtimestamp(entry.at).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if not is_frame(entry):
        return f"#{number} · {entry.phase} · {when}"
    way = "↓ Received" if entry.direction == "in" else "↑ Sent"
    return f"#{number} · {way} {entry.kind} frame · {when} · {human_size(entry.size)}"


def detail_text(entry: LogEntry, mode: str) -> tuple[str, str]:
    """``(text, language)`` to show for ``entry``: ``mode`` is auto, text or hex."""
    if not is_frame(entry):
        lines = [entry.describe()]
        if entry.error is not None and str(entry.error) not in lines[0]:
            lines += ["", str(entry.error)]
        if entry.response_headers:
            lines += ["", "Handshake response headers:"]
            lines += [f"{name}: {value}" for name, value in entry.response_headers]
        return "\n".join(lines), "text"
    data = entry.data
    if entry.kind == "close":
        return f"Close code: {entry.close_code}\nReason: {data or '(none)'}", "text"
    if isinstance(data, str):
        as_bytes = data[:HEX_LIMIT_BYTES].encode() if mode == "hex" else b""
    else:
        as_bytes = data
    if mode == "hex" or (mode == "auto" and isinstance(data, bytes)):
        more = entry.size - HEX_LIMIT_BYTES
        tail = f"\n… {more:,} more bytes not shown" if more > 0 else ""
        return hex_dump(as_bytes, HEX_LIMIT_BYTES) + tail, "text"
    head = data if isinstance(data, str) else data[: DETAIL_LIMIT_CHARS * 4]
    text = head if isinstance(head, str) else head.decode("utf-8", errors="replace")
    if len(text) > DETAIL_LIMIT_CHARS:  # indenting megabytes would stall the window
        more = len(text) - DETAIL_LIMIT_CHARS
        return text[:DETAIL_LIMIT_CHARS] + f"\n… {more:,} more characters not shown", "text"
    if mode == "auto":
        pretty = pretty_json(text)
        if not pretty.problem:
            return pretty.text, "json"
    return text, "text"
