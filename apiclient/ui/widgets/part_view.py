"""The text view of one part of a long body, in offsets of the whole body.

A :class:`DisplayPart` may show long lines broken into pieces; this view hides that
from the rest of the UI: selections are told and made in offsets of the whole text,
and a copy puts the text as received on the clipboard, without the inserted breaks.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from apiclient.core.formatting import DisplayPart
from apiclient.core.paged_text import PagedText, TextParts
from apiclient.ui.widgets.code_editor import CodeEditor


class PartView(CodeEditor):
    """A read-only code view showing one :class:`DisplayPart` of a longer text."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(object_name, read_only=True, parent=parent)
        self._source: TextParts = PagedText.of("", 1)
        self._part = DisplayPart(0, 0, "")

    @property
    def part(self) -> DisplayPart:
        return self._part

    def show_part(self, source: TextParts, part: DisplayPart, language: str) -> None:
        """Show ``part`` of ``source`` (the whole text), highlighted as ``language``."""
        self._source = source
        self._part = part
        self.set_language(language)
        self.set_text(part.shown)

    def clear_part(self) -> None:
        self.show_part(PagedText.of("", 1), DisplayPart(0, 0, ""), "text")

    def selection_offsets(self) -> tuple[int, int]:
        """The selection (or the cursor) as offsets in the whole text."""
        cursor = self.textCursor()
        return (
            self._part.to_text(cursor.selectionStart()),
            self._part.to_text_end(cursor.selectionEnd()),
        )

    def select_offsets(self, start: int, end: int) -> None:
        """Select ``[start, end)`` of the whole text (clipped to this part) and show it."""
        cursor = self.textCursor()
        first = self._part.to_view(start)
        cursor.setPosition(first)
        last = self._part.to_view_end(end) if end > start else first
        cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy the selected text as received: without the breaks the view inserted, with
        the line ends ("\r\n", "\r", ...) that the view shows all alike."""
        start, end = self.selection_offsets()
        mime = QMimeData()
        mime.setText(self._source.slice(start, end))
        return mime
