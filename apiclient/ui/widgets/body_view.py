"""The response body: pretty or raw, searchable, savable, and safe with huge bodies.

A body in memory is formatted off the GUI thread (:mod:`body_render`). A body the engine
spooled to a file (hundreds of megabytes) is never read whole: its parts are read from
the file as they are shown or searched (:class:`~apiclient.core.file_text.FileText`),
and its pretty text is made on demand, file to file in the worker process, with the
progress told (:mod:`body_file_render`). Either can be saved or opened in an editor.

A long text is shown in parts of about ``PAGE_CHARS`` characters, with Previous/Next to
move through it, and lines longer than ``LINE_CHARS`` are shown broken into pieces:
QPlainTextEdit lays out a part, and every line it paints, as a whole, so neither may be
long. Search looks through the whole text, in a worker thread when it is long, and
turns to the part with the match.

Besides Pretty and Raw, a JSON body has a Tree mode (:mod:`json_tree`), and every body
a Compare mode showing the differences from the previous response of the same request
(:mod:`diff_view`; the response view hands both responses over). The filter field
(:mod:`body_filter`) narrows Pretty, Raw and Tree to what a JSONPath or XPath finds.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.atomic import atomic_write_bytes
from apiclient.core.body_files import decode_in_steps
from apiclient.core.body_spool import BodyFile, copy_body_file, keep_for_editor, write_body_copy
from apiclient.core.errors import CoreError
from apiclient.core.file_text import IndexStopped
from apiclient.core.formatting import (
    BodyKind,
    body_kind,
    decode_body,
    display_part,
    human_size,
    looks_binary,
)
from apiclient.core.paged_text import PagedBody, PagedText, TextParts
from apiclient.core.response_filter import FilterError, FilterResult
from apiclient.core.text_search import Match, find_backward, find_forward
from apiclient.ui.response_memory import RememberedResponse
from apiclient.ui.widgets.body_file_render import PrettyFile, open_spooled, pretty_print_file
from apiclient.ui.widgets.body_filter import BodyFilter
from apiclient.ui.widgets.body_render import render_off_gui
from apiclient.ui.widgets.diff_view import DiffView
from apiclient.ui.widgets.find_bar import HERE, PREVIOUS, FindBar
from apiclient.ui.widgets.json_tree import JsonTreeView
from apiclient.ui.widgets.part_view import PartView

# A part of 100,000 characters takes 15-30 ms to lay out in QPlainTextEdit (more on a
# busy machine); a whole 90 MB pretty body would take minutes.
PAGE_CHARS = 100_000
# Painting or placing the cursor in a line lays out the whole line: 200,000 characters
# on one line cost 200 ms and more, 1,000 well under a millisecond.
LINE_CHARS = 1_000
# Above this the start of the body is shown at once, while the whole is formatted.
PREVIEW_BYTES = 256 * 1024
# Below this a search runs on the GUI thread (a millisecond or two); above, in a thread.
SYNC_SEARCH_CHARS = 256 * 1024
SEARCHING = "Searching…"


class BodyView(QWidget):
    """Shows one response body; ``prefix`` names the child widgets (e.g. ``rest.response``).

    Signals: ``body_shown``: a body has been formatted and its first part is on screen.
    """

    body_shown = Signal()

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._body = b""
        self._size = 0
        self._content_type = ""
        self._file: BodyFile | None = None
        self._pretty: PrettyFile | None = None  # a spooled body's pretty text, once asked
        self._opened: str | None = None  # the file Open in editor handed out for this body
        self._rendered: PagedBody | None = None
        self._page = 0
        self._generation = 0
        self._searches = 0
        self._search_task: asyncio.Future[None] | None = None  # held, or it may be collected
        self._search_stop = threading.Event()
        self._index_stop = threading.Event()  # set: reading a spooled body is moot
        self._filtered: tuple[FilterResult, PagedText] | None = None  # shown for the body
        self._tree_task: asyncio.Future[None] | None = None  # held, or it may be collected
        # What the tree shows (body generation, filter result), kept while it stays so:
        # going back to Tree finds the branches unfolded as they were.
        self._tree_shows: tuple[int, FilterResult | None] | None = None

        self.pretty = QRadioButton("Pretty", objectName=f"{prefix}.pretty", checked=True)
        self.raw = QRadioButton("Raw", objectName=f"{prefix}.raw")
        self.tree_mode = QRadioButton("Tree", objectName=f"{prefix}.tree", visible=False)
        self.tree_mode.setToolTip("The JSON body as a tree: fold, unfold, copy a value or its path")
        self.compare = QRadioButton("Compare", objectName=f"{prefix}.diff")
        self.compare.setToolTip(
            "Compare with the previous response of this request: added lines green, removed red"
        )
        modes = QButtonGroup(self)
        for mode in (self.pretty, self.raw, self.tree_mode, self.compare):
            modes.addButton(mode)
        self.wrap = QCheckBox("Wrap", objectName=f"{prefix}.wrap")
        self.wrap.setToolTip("Wrap long lines at the edge of the view")
        self.filter = BodyFilter(prefix)
        self.tree = JsonTreeView(f"{prefix}.tree")
        self.diff = DiffView(f"{prefix}.diff")
        self.info = QLabel(objectName=f"{prefix}.info", wordWrap=True)
        self.save = QPushButton("Save…", objectName=f"{prefix}.save", enabled=False)
        self.save.setToolTip("Save the body, exactly as received, to a file")
        self.open_external = QPushButton(
            "Open in editor", objectName=f"{prefix}.open_external", enabled=False
        )
        self.open_external.setToolTip(
            "Open the body, as received, in the program your system uses for its type"
        )
        self.text = PartView(f"{prefix}.body")
        self.text.setPlaceholderText("The response body appears here.")
        self.find = FindBar(f"{prefix}.find")
        self.truncated = QLabel(objectName=f"{prefix}.truncated", visible=False, wordWrap=True)
        self.previous_page = QPushButton("◀ Previous part", objectName=f"{prefix}.previous")
        self.next_page = QPushButton("Next part ▶", objectName=f"{prefix}.next")

        bar = QHBoxLayout()
        for widget in (self.pretty, self.raw, self.tree_mode, self.compare, self.wrap):
            bar.addWidget(widget)
        bar.addWidget(self.find, 1)
        banner = QHBoxLayout()
        banner.addWidget(self.truncated, 1)
        banner.addWidget(self.previous_page)
        banner.addWidget(self.next_page)
        text_page = QWidget()
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addLayout(banner)
        text_layout.addWidget(self.text, 1)
        self.views = QStackedWidget()
        for page in (text_page, self.tree, self.diff):
            self.views.addWidget(page)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.tree.controls)
        tools.addWidget(self.save)
        tools.addWidget(self.open_external)
        self.tree.controls.setVisible(False)  # in Tree mode only
        layout.addLayout(tools)
        layout.addWidget(self.info)
        layout.addWidget(self.views, 1)
        # The body's own page, and where an empty state goes (see set_empty_state).
        self.pages = QStackedWidget()
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        modes.buttonToggled.connect(self._on_modes_button_toggled)
        self.filter.filtered.connect(self._on_filter_filtered)
        self.wrap.toggled.connect(self._on_wrap_toggled)
        self.previous_page.clicked.connect(lambda: self._turn_page(-1))
        self.next_page.clicked.connect(lambda: self._turn_page(1))
        self.save.clicked.connect(self._on_save_clicked)
        self.open_external.clicked.connect(self._on_open_external_clicked)
        self.find.find_requested.connect(self._on_find_requested)
        self.info.setVisible(False)
        self._set_pager(0, 0)

    def set_empty_state(self, widget: QWidget) -> None:
        """What the view shows instead of a body while :meth:`show_empty` says so."""
        self.pages.addWidget(widget)

    def show_empty(self, empty: bool) -> None:
        self.pages.setCurrentIndex(self.pages.count() - 1 if empty else 0)

    def set_comparison(
        self, previous: RememberedResponse | None, current: RememberedResponse | None
    ) -> None:
        """The responses Compare shows the differences of (``previous`` None: none yet)."""
        self.diff.set_responses(previous, current)

    def clear(self) -> None:
        self._generation += 1
        self._stop_search()
        self._index_stop.set()
        self._index_stop = threading.Event()
        self._body = b""
        self._size = 0
        self._file = None
        self._opened = None
        if self._pretty is not None:
            self._pretty.stop()
        self._pretty = None
        self._rendered = None
        self.save.setEnabled(False)
        self.open_external.setEnabled(False)
        self.info.setVisible(False)
        self._set_pager(0, 0)
        self.text.clear_part()
        self._filtered = None
        self.filter.set_source(None, b"", None, 0)
        self.tree.clear()
        self._tree_shows = None
        self.diff.set_responses(None, None)

    async def show_body(self, content_type: str, charset: str | None, body: bytes) -> None:
        """Format ``body`` off the GUI thread and show it; a newer call wins."""
        self.clear()
        generation = self._generation
        self._body = body
        self._size = len(body)
        self._content_type = content_type
        self.save.setEnabled(True)
        self.open_external.setEnabled(True)
        self._set_kind(body_kind(content_type, body[:4096]), body, charset, len(body))
        if len(body) > PREVIEW_BYTES and not looks_binary(body):
            self._show_preview(body, charset)
        try:
            rendered = await render_off_gui(content_type, charset, body, PAGE_CHARS)
        except Exception as exc:  # e.g. the worker process died: show the body as received
            raw = await asyncio.to_thread(decode_in_steps, body, charset, PAGE_CHARS)
            reason = str(exc) or type(exc).__name__
            rendered = PagedBody("text", raw, raw, f"Could not format the body ({reason})")
        if generation != self._generation:
            return
        self._rendered = rendered
        self._page = 0
        self._show()
        self.body_shown.emit()

    async def show_body_file(
        self, content_type: str, charset: str | None, body_file: BodyFile
    ) -> None:
        """Show a spooled body, read from its file part by part; a newer call wins.
        Its pretty text is made when Pretty is chosen (see :meth:`_pretty_print`)."""
        self.clear()
        generation = self._generation
        self._file = body_file
        self._size = body_file.size
        self._content_type = content_type
        self.save.setEnabled(True)
        self.open_external.setEnabled(True)
        try:
            head = await asyncio.to_thread(body_file.head, PAGE_CHARS)
            if generation != self._generation:
                return
            kind = body_kind(content_type, head[:4096])
            self._set_kind(kind, Path(body_file.path).read_bytes, charset, body_file.size)
            if not looks_binary(head):
                self._show_preview(head, charset, "Reading", body_file.size)
            rendered = await open_spooled(
                content_type, charset, body_file, PAGE_CHARS, self._index_stop
            )
        except IndexStopped:
            return
        except OSError as exc:
            if generation == self._generation:
                self.info.setText(
                    f"Cannot read the body from {body_file.path} "
                    f"({exc.strerror or exc}); it may have been deleted."
                )
                self.info.setVisible(True)
            return
        except Exception as exc:  # e.g. a codec that fails on the body: say so, not crash
            if generation == self._generation:
                reason = str(exc) or type(exc).__name__
                self.info.setText(
                    f"Cannot show the body ({reason}); it is kept in {body_file.path}: "
                    "use Save… or Open in editor."
                )
                self.info.setVisible(True)
            return
        if generation != self._generation:
            return
        self._rendered = rendered
        self._page = 0
        self._show()
        self.body_shown.emit()
        if self.pretty.isChecked():
            self._pretty_print()

    def _pretty_print(self) -> None:
        """Start making the spooled body's pretty text, once (a no-op when there is
        nothing to make or it is under way)."""
        rendered, body_file = self._rendered, self._file
        if body_file is None or rendered is None or self._pretty is not None:
            return
        if rendered.kind not in ("json", "xml", "html"):
            return
        self._pretty = pretty_print_file(
            self._content_type, rendered, body_file, PAGE_CHARS, self._on_pretty_progress
        )
        self._pretty.task.add_done_callback(partial(self._on_pretty_done, self._generation))
        self._show()

    def _on_pretty_progress(self) -> None:
        if self._pretty is not None and not self._pretty.task.done():
            self._show_info()

    def _on_pretty_done(self, generation: int, task: asyncio.Future[PagedBody]) -> None:
        if generation != self._generation or task.cancelled():
            return
        self._rendered = task.result()
        self._show()
        self.body_shown.emit()

    def _formatting_file(self) -> bool:
        """Whether the pretty text shown is still being made from the file."""
        return self._pretty is not None and not self._pretty.task.done()

    def _show_preview(
        self, body: bytes, charset: str | None, doing: str = "Formatting", size: int = 0
    ) -> None:
        """The start of a large body, as received, while the whole is being formatted
        (or read: ``doing``); ``size`` is the whole body's, when ``body`` is its start."""
        head = decode_body(body[:PAGE_CHARS], charset)
        self.text.show_part(
            PagedText.of(head, PAGE_CHARS), display_part(head, 0, LINE_CHARS), "text"
        )
        self.info.setText(
            f"{doing} {human_size(size or len(body))} in the background; meanwhile, the "
            "start of the body is shown as received."
        )
        self.info.setVisible(True)

    def shown_text(self) -> TextParts | None:
        """The whole text of the current mode (pretty or raw, or what the filter found),
        not only the part shown; ``None`` while there is no body or it is being
        formatted."""
        rendered = self._rendered
        if self._filtered is not None:
            return self._filtered[1]
        if rendered is None or (self.pretty.isChecked() and self._formatting_file()):
            return None
        return rendered.pretty if self.pretty.isChecked() else rendered.raw

    def _set_kind(
        self, kind: BodyKind, body: bytes | Callable[[], bytes], charset: str | None, size: int
    ) -> None:
        """A new body of this kind: the filter reads it, the Tree mode is for JSON."""
        json_body = kind == "json"
        self.tree_mode.setVisible(json_body)
        if self.tree_mode.isChecked() and not json_body:
            self.pretty.setChecked(True)
        self.filter.set_source(kind, body, charset, size)
        if self.tree_mode.isChecked():
            self._show_tree()

    def _on_filter_filtered(self, result: FilterResult | None) -> None:
        """Show what the filter found (``None``: the whole body again)."""
        self._stop_search()
        self._filtered = None if result is None else (result, PagedText.of(result.text, PAGE_CHARS))
        self._page = 0
        self._show_info()
        if self.tree_mode.isChecked():
            self._show_tree()
        elif not self.compare.isChecked():
            self._show()

    def _show_tree(self) -> None:
        """The tree of the body, or of the filter's matches; the body is parsed (once)
        in a worker when it is large."""
        self.views.setCurrentWidget(self.tree)
        result = self._filtered[0] if self._filtered is not None else None
        if self._tree_shows == (self._generation, result):
            return
        self._tree_shows = (self._generation, result)
        if result is not None:
            self.tree.show_matches(result.values, result.paths)
            return
        self._tree_task = asyncio.ensure_future(self._load_tree(self._generation))

    async def _load_tree(self, generation: int) -> None:
        self.tree.clear()
        self.tree.note.setText("Reading the body…")
        try:
            document = await self.filter.document()
        except FilterError as exc:
            if shiboken6.isValid(self) and generation == self._generation:
                self.tree.note.setText(str(exc))
            return
        if not shiboken6.isValid(self):  # closed with its window meanwhile
            return
        if generation == self._generation and self._filtered is None:
            self.tree.show_document(document)

    def _show_info(self) -> None:
        """The notes above the text: a partial body, a hex preview, a formatting problem,
        the pretty text being made."""
        rendered = self._rendered
        if rendered is None:
            return
        notes = []
        size = human_size(self._size)
        body_file = self._file
        if body_file is not None and not body_file.complete:
            of = f" of {human_size(body_file.expected)}" if body_file.expected else ""
            notes.append(f"Partial body: only {size}{of} arrived (kept in {body_file.path}).")
        if rendered.kind == "binary":
            notes.append(
                f"Binary body, {size}. Hex preview of the first "
                f"{human_size(min(self._size, 64 * 1024))}; use Save… to keep it all."
            )
        elif self._filtered is not None:  # the matches are shown, pretty-printed
            pass
        elif self.pretty.isChecked() and self._pretty is not None and not self._pretty.task.done():
            notes.append(
                f"Pretty-printing {size} in the background "
                f"({human_size(self._pretty.written())} written); meanwhile, the body is "
                "shown as received. Raw can be searched now."
            )
        elif rendered.problem and self.pretty.isChecked():
            notes.append(f"{rendered.problem}. Showing the body as received.")
        self.info.setText(" ".join(notes))
        self.info.setVisible(bool(notes))

    def _show(self) -> None:
        rendered = self._rendered
        if rendered is None:
            return
        if not (self.tree_mode.isChecked() or self.compare.isChecked()):
            self.views.setCurrentIndex(0)
        binary = rendered.kind == "binary"
        self.pretty.setEnabled(not binary)
        self.raw.setEnabled(not binary)
        self._show_info()
        language: str = rendered.kind
        if self._filtered is not None:
            text: TextParts = self._filtered[1]
            language = self._filtered[0].language
        else:
            text = rendered.pretty if self.pretty.isChecked() else rendered.raw
        self._page = min(self._page, len(text.parts) - 1)
        try:
            shown = text.parts[self._page]
        except OSError as exc:  # a spooled body's file went (deleted outside the app)
            self.info.setText(f"Cannot read the body file: {exc.strerror or exc}.")
            self.info.setVisible(True)
            return
        part = display_part(shown, text.starts[self._page], LINE_CHARS)
        self.text.show_part(text, part, language)
        self._set_pager(len(text.parts), len(text), part.start, part.end, bool(part.breaks))

    def _set_pager(
        self, pages: int, total: int, start: int = 0, end: int = 0, broken: bool = False
    ) -> None:
        paged = pages > 1
        self.previous_page.setVisible(paged)
        self.next_page.setVisible(paged)
        self.truncated.setVisible(paged or broken)
        notes = []
        if paged:
            notes.append(
                f"Large body ({human_size(self._size)}), shown in {pages:,} parts to keep "
                f"the window responsive: part {self._page + 1:,} of {pages:,} (characters "
                f"{start + 1:,}–{end:,} of {total:,}). Search looks through the whole body."
            )
            self.previous_page.setEnabled(self._page > 0)
            self.next_page.setEnabled(self._page < pages - 1)
        if broken:
            notes.append(
                f"Lines longer than {LINE_CHARS:,} characters are shown broken into pieces; "
                "Copy and Save… keep them as received."
            )
        self.truncated.setText(" ".join(notes))

    def _turn_page(self, step: int) -> None:
        self._page = max(0, self._page + step)
        self._show()

    def _on_modes_button_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        self._stop_search()  # its match would be in the other text
        self._page = 0
        self.filter.setEnabled(not self.compare.isChecked())
        self.tree.controls.setVisible(self.tree_mode.isChecked())
        self.wrap.setEnabled(not self.tree_mode.isChecked())  # the tree has no long lines
        self._show_info()
        if self.tree_mode.isChecked():
            self._show_tree()
        elif self.compare.isChecked():
            self.views.setCurrentWidget(self.diff)
        else:
            if self.pretty.isChecked():
                self._pretty_print()
            self._show()

    def _on_wrap_toggled(self, wrap: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode
        self.text.setLineWrapMode(mode.WidgetWidth if wrap else mode.NoWrap)
        self.diff.set_wrap(wrap)

    def _stop_search(self) -> None:
        """Make the search still running, if any, moot: a newer search, a new body or the
        other mode (pretty or raw) makes its answer meaningless."""
        self._searches += 1
        self._search_stop.set()
        self._search_stop = threading.Event()
        if self.find.result.text() == SEARCHING:
            self.find.show_result("")

    def _on_find_requested(self, needle: str, where: int) -> None:
        """Find ``needle`` from the current match (see :mod:`find_bar`) in the whole text:
        at once when the text is short, else in a worker thread."""
        self._stop_search()
        if self.compare.isChecked():
            found = self.diff.find_text(needle, where == PREVIOUS, where == HERE)
            self.find.show_result("" if found else "No match")
            return
        if self.tree_mode.isChecked():
            self.find.show_result("Search works in Pretty and Raw; in the tree, use the filter")
            return
        text = self.shown_text()
        if text is None:
            formatting = bool(self._size)
            self.find.show_result(
                "Search is ready once the body is formatted" if formatting else "No body yet"
            )
            return
        start, end = self.text.selection_offsets()
        if where == PREVIOUS:
            search = partial(find_backward, text, needle, start, stop=self._search_stop)
        else:
            # Next: from just after the start of the current match, so overlapping
            # matches ("aa" in "aaaa") are each found, as Previous finds them.
            begin = start + 1 if where != HERE and end > start else start
            search = partial(find_forward, text, needle, begin, stop=self._search_stop)
        if isinstance(text, PagedText) and len(text) <= SYNC_SEARCH_CHARS:
            self._select(search())
            return
        self.find.show_result(SEARCHING)
        self._search_task = asyncio.ensure_future(self._search_in_worker(search, self._searches))

    async def _search_in_worker(self, search: Callable[[], Match | None], ticket: int) -> None:
        """Run ``search`` in a thread; its answer counts only if no newer search began
        (nor a new body or mode, see :meth:`_stop_search`)."""
        try:
            match = await asyncio.to_thread(search)
        except OSError as exc:  # a spooled body's file went (deleted outside the app)
            if ticket == self._searches:
                self.find.show_result(f"Cannot read the body file ({exc.strerror or exc})")
            return
        if ticket == self._searches:
            self._select(match)

    def _select(self, match: Match | None) -> None:
        if match is None:
            self.find.show_result("No match")
            return
        text = self.shown_text()
        if text is None:
            return
        page = text.part_at(match.start)
        if page != self._page:
            self._page = page
            self._show()
        self.text.select_offsets(match.start, min(match.end, self.text.part.end))
        self.find.show_result("")

    @asyncSlot()
    async def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save response body")
        if not path:
            return
        body_file = self._file
        try:
            if body_file is not None:
                await asyncio.to_thread(copy_body_file, body_file.path, Path(path))
            else:
                await asyncio.to_thread(atomic_write_bytes, Path(path), self._body)
        except CoreError as exc:
            self.info.setText(str(exc))
        else:
            self.info.setText(f"Saved {human_size(self._size)} to {path}")
        self.info.setVisible(True)

    @asyncSlot()
    async def _on_open_external_clicked(self) -> None:
        """Open the body with the program the system uses for its type, from a file in
        the session folder that lives until the app quits: a body in memory is written
        to one, a spooled body's file is linked (or copied) to one."""
        generation = self._generation
        body_file = self._file
        path = self._opened  # opened before: the same file again
        try:
            if path is None and body_file is not None:
                # A name of its own: the tab deletes the spooled file with the next send.
                path = await asyncio.to_thread(keep_for_editor, body_file.path)
            elif path is None:
                path = await asyncio.to_thread(write_body_copy, self._body, self._content_type)
        except CoreError as exc:
            self.info.setText(str(exc))
            self.info.setVisible(True)
            return
        if generation != self._generation:
            return
        self._opened = path
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.info.setText(
                f"No program would open {path}. Open it yourself, or use Save… to keep it."
            )
            self.info.setVisible(True)
