"""A find bar over a text editor's top-right corner (Ctrl+F in any code editor).

Typing finds every match at once (any case), says "2 of 7", selects the current match
and tints the others; Enter and Shift+Enter (or the arrows) move, Esc closes and puts
the focus back in the editor. Only the matches on screen are tinted (again as the view
scrolls), so a text with a hundred thousand matches costs no more than one with ten.

A text above ``SYNC_CHARS`` is searched in a worker thread, the newest search winning,
so a 1 MB log never holds the GUI thread; its matches are found by one regex pass in C.
"""

from __future__ import annotations

import asyncio
import re
from bisect import bisect_left
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

from apiclient.ui.tasks import start_task
from apiclient.ui.theme import is_dark

TextView = QPlainTextEdit | QTextEdit

# Below this many characters a search runs on the GUI thread (well under 5 ms).
SYNC_CHARS = 200_000
# Past this many matches the count says "100,000+" and the rest are not kept.
MATCH_LIMIT = 100_000
# At most this many matches are tinted at once (those on screen).
TINT_LIMIT = 1_000
# Typing in a large text is searched once the keys pause this long.
LARGE_TEXT_DELAY_MS = 150
# An edited text is searched again once the edits pause this long.
EDIT_DELAY_MS = 250
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SHADES = {"match": ("#fff0a8", "#5c4f00"), "current": ("#ffb74d", "#a86b00")}


@dataclass(frozen=True)
class Matches:
    """Where a term occurs, in the editor's positions (UTF-16 code units, as
    QTextCursor counts them); ``capped`` when there were more than ``MATCH_LIMIT``."""

    starts: list[int]
    ends: list[int]
    capped: bool = False


def find_all(text: str, needle: str, limit: int = MATCH_LIMIT) -> Matches:
    """Every match of ``needle`` in ``text`` (any case, not overlapping), in editor
    positions: a character beyond the BMP (an emoji) counts two there, one here."""
    starts: list[int] = []
    ends: list[int] = []
    if not needle:
        return Matches(starts, ends)
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    astral = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]
    for found in pattern.finditer(text):
        if len(starts) >= limit:
            return Matches(starts, ends, capped=True)
        start, end = found.span()
        if astral:
            start += bisect_left(astral, start)
            end += bisect_left(astral, end)
        starts.append(start)
        ends.append(end)
    return Matches(starts, ends)


class FindOverlay(QFrame):
    """The find bar of one editor (made by :meth:`of`, a child of the editor).

    Signals: ``searched``: the matches for the current term are counted and shown.
    """

    searched = Signal()

    def __init__(self, editor: TextView) -> None:
        super().__init__(editor)
        self.setObjectName("find.overlay")
        self.setAccessibleName("Find in text")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._editor = editor
        self._matches = Matches([], [])
        self._current = -1
        self._anchor = 0  # matches are counted from here while the term is typed
        self._generation = 0
        self._task: asyncio.Task[None] | None = None

        self.query = QLineEdit(objectName="find.overlay.query")
        self.query.setPlaceholderText("Find")
        self.query.setAccessibleName("Find")
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumWidth(180)
        self.count = QLabel(objectName="find.overlay.count")
        self.count.setMinimumWidth(72)
        self.count.setAccessibleName("Matches")
        self.previous = self._button("↑", "find.overlay.previous", "Previous match (Shift+Enter)")
        self.next = self._button("↓", "find.overlay.next", "Next match (Enter)")
        self.close_button = self._button("✕", "find.overlay.close", "Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.setSpacing(4)
        for widget in (self.query, self.count, self.previous, self.next, self.close_button):
            layout.addWidget(widget)
        self.setTabOrder(self.query, self.previous)
        self.setTabOrder(self.previous, self.next)
        self.setTabOrder(self.next, self.close_button)

        self._typing = QTimer(self, singleShot=True, interval=LARGE_TEXT_DELAY_MS)
        self._typing.timeout.connect(self._search)
        self._edits = QTimer(self, singleShot=True, interval=EDIT_DELAY_MS)
        self._edits.timeout.connect(self._search)
        self.query.textChanged.connect(self._on_query_text_changed)
        self.query.installEventFilter(self)
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.close_button.clicked.connect(self.dismiss)
        editor.installEventFilter(self)
        editor.verticalScrollBar().valueChanged.connect(self._tint)
        editor.horizontalScrollBar().valueChanged.connect(self._tint)
        editor.document().contentsChanged.connect(self._on_document_changed)
        self.hide()

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(text=text, objectName=name, toolTip=tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        return button

    @classmethod
    def of(cls, editor: TextView) -> FindOverlay:
        """The find bar of ``editor``, made on first use."""
        found = editor.findChild(cls, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return found if isinstance(found, cls) else cls(editor)

    @property
    def matches(self) -> Matches:
        return self._matches

    @property
    def current(self) -> int:
        """The index of the selected match, -1 when none."""
        return self._current

    # -- opening and closing ---------------------------------------------------------------

    def open(self) -> None:
        """Show the bar with the editor's selection (one line of it) as the term, or the
        last term, all selected, and search."""
        cursor = self._editor.textCursor()
        self._anchor = cursor.selectionStart()
        selected = cursor.selectedText()
        if selected and "\u2029" not in selected and len(selected) <= 200:
            self.query.blockSignals(True)
            self.query.setText(selected)
            self.query.blockSignals(False)
        # The app's font, not the editor's monospace one it would inherit (read at each
        # opening: the font size preference may have changed meanwhile).
        self.setFont(QApplication.font())
        self._place()
        self.show()
        self.raise_()
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()
        self._search()

    def dismiss(self) -> None:
        """Hide the bar, drop the tints and give the editor the focus back (the current
        match stays selected there)."""
        self._generation += 1
        self._typing.stop()
        self._edits.stop()
        self.hide()
        self._editor.setExtraSelections([])
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _place(self) -> None:
        editor = self._editor
        self.adjustSize()
        width = min(self.sizeHint().width(), max(120, editor.width() - 8))
        bar = editor.verticalScrollBar()
        right = editor.width() - editor.frameWidth() - (bar.width() if bar.isVisible() else 0)
        self.setGeometry(
            right - width - 4, editor.frameWidth() + 4, width, self.sizeHint().height()
        )

    # -- searching -------------------------------------------------------------------------

    def _on_query_text_changed(self) -> None:
        if self._editor.document().characterCount() > SYNC_CHARS:
            self._typing.start()
        else:
            self._search()

    def _on_document_changed(self) -> None:
        if self.isVisible():
            self._edits.start()

    def _search(self) -> None:
        """Find the term in the whole text: at once when short, else in a thread."""
        self._generation += 1
        needle = self.query.text()
        if not needle:
            self._show(Matches([], []))
            return
        text = self._editor.toPlainText()
        if len(text) <= SYNC_CHARS:
            self._show(find_all(text, needle))
            return
        self.count.setText("Searching…")
        self._task = start_task(self._search_in_worker(text, needle, self._generation))

    async def _search_in_worker(self, text: str, needle: str, generation: int) -> None:
        matches = await asyncio.to_thread(find_all, text, needle)
        if isValid(self) and generation == self._generation:  # not closed meanwhile
            self._show(matches)

    def _show(self, matches: Matches) -> None:
        self._matches = matches
        at = bisect_left(matches.starts, self._anchor)
        self._current = (at if at < len(matches.starts) else 0) if matches.starts else -1
        self._select_current()
        self.searched.emit()

    def step(self, direction: int) -> None:
        """Select the next (1) or previous (-1) match, wrapping around."""
        total = len(self._matches.starts)
        if not total:
            return
        self._current = (self._current + direction) % total
        self._anchor = self._matches.starts[self._current]
        self._select_current()

    def _select_current(self) -> None:
        matches, index = self._matches, self._current
        total = len(matches.starts)
        self.previous.setEnabled(total > 0)
        self.next.setEnabled(total > 0)
        if not total:
            self.count.setText("No matches" if self.query.text() else "")
            self._editor.setExtraSelections([])
            return
        more = "+" if matches.capped else ""
        self.count.setText(f"{index + 1:,} of {total:,}{more}")
        cursor = QTextCursor(self._editor.document())
        cursor.setPosition(min(matches.starts[index], self._last_position()))
        cursor.setPosition(
            min(matches.ends[index], self._last_position()), QTextCursor.MoveMode.KeepAnchor
        )
        self._editor.setTextCursor(cursor)
        if isinstance(self._editor, QPlainTextEdit):
            self._editor.centerCursor()
        else:
            self._editor.ensureCursorVisible()
        self._tint()

    def _last_position(self) -> int:
        return self._editor.document().characterCount() - 1

    def _tint(self) -> None:
        """Tint the matches on screen, and the current one more strongly."""
        if not self.isVisible() or not self._matches.starts:
            return
        editor = self._editor
        viewport = editor.viewport()
        first = editor.cursorForPosition(QPoint(0, 0)).position()
        last = editor.cursorForPosition(QPoint(viewport.width(), viewport.height())).position()
        starts, ends = self._matches.starts, self._matches.ends
        low = max(0, bisect_left(starts, first) - 1)
        high = min(bisect_left(starts, last + 1), low + TINT_LIMIT)
        dark = is_dark(editor.palette())
        plain, strong = _format("match", dark), _format("current", dark)
        end_of_text = self._last_position()
        selections = []
        for index in range(low, high):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(editor.document())
            cursor.setPosition(min(starts[index], end_of_text))
            cursor.setPosition(min(ends[index], end_of_text), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor  # type: ignore[attr-defined]
            selection.format = strong if index == self._current else plain  # type: ignore[attr-defined]
            selections.append(selection)
        editor.setExtraSelections(selections)

    # -- keys and layout -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._editor:
            if kind == QEvent.Type.Resize and self.isVisible():
                self._place()
                self._tint()
            return False
        # Esc closes the bar here; the window's Esc (Cancel the send) must not win.
        if (
            watched is self.query
            and kind == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        if watched is self.query and kind == QEvent.Type.KeyPress:
            return self._on_query_key(event)  # type: ignore[arg-type]
        return super().eventFilter(watched, event)

    def _on_query_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            backwards = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.step(-1 if backwards else 1)
            return True
        if key == Qt.Key.Key_Escape:
            self.dismiss()
            return True
        return False


def _format(kind: str, dark: bool) -> QTextCharFormat:
    fmt = QTextCharFormat()
    light_shade, dark_shade = _SHADES[kind]
    fmt.setBackground(QColor(dark_shade if dark else light_shade))
    if dark:
        fmt.setForeground(QColor("#ffffff"))
    return fmt


def overlay_of(widget: QWidget | None) -> FindOverlay | None:
    """The find bar ``widget`` is in, if any."""
    while widget is not None:
        if isinstance(widget, FindOverlay):
            return widget
        widget = widget.parentWidget()
    return None
