"""The comparison of a response with the previous one of the same request: a summary
("+3 −1 lines", "No differences"), what changed in the status and headers, and the
unified diff of the bodies with added lines green and removed ones red.

The line colours are painted under the text, the whole width of the view, only for the
lines on screen: a 20,000-line diff costs nothing more than its text. The shades are
the theme's (``added``/``removed`` of :mod:`apiclient.ui.theme`), read at each paint, so
a theme switch recolours the lines.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QShowEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from apiclient.core.text_diff import TextDiff
from apiclient.ui.response_memory import Comparison, RememberedResponse, compare
from apiclient.ui.theme import is_dark, semantic_color
from apiclient.ui.widgets.code_editor import CodeEditor

NO_RESPONSE = "No response yet: send the request to compare its response with the next one."
NO_EARLIER = "No earlier response of this request to compare with yet"
COMPARING = "Comparing…"

__all__ = ["DiffText", "DiffView", "line_colors"]


def line_colors(palette: QPalette) -> dict[str, QColor]:
    """The background of a diff line by its first character, for ``palette``'s theme:
    the theme's added and removed shades, and the highlight, faint, for hunk headers."""
    dark = is_dark(palette)
    hunk = QColor(palette.color(QPalette.ColorRole.Highlight))
    hunk.setAlpha(60 if dark else 35)
    return {"+": semantic_color("added", dark), "-": semantic_color("removed", dark), "@": hunk}


class DiffText(CodeEditor):
    """A read-only view of a unified diff, its lines coloured by kind."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(object_name, read_only=True, parent=parent)
        self.setAccessibleName("Differences from the previous response")

    def paintEvent(self, event: QPaintEvent) -> None:
        colors = line_colors(self.palette())
        painter = QPainter(self.viewport())
        width = self.viewport().width()
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        bottom = event.rect().bottom()
        while block.isValid():
            rect = self.blockBoundingGeometry(block).translated(offset)
            if rect.top() > bottom:
                break
            color = colors.get(block.text()[:1])
            if color is not None and block.isVisible():
                rect.setLeft(0)
                rect.setWidth(width)
                painter.fillRect(rect, color)
            block = block.next()
        painter.end()
        super().paintEvent(event)


class DiffView(QWidget):
    """``prefix`` names the parts: ``<prefix>.summary``, ``<prefix>.changes`` (status
    and headers) and ``<prefix>.text`` (the diff).

    Given two responses (:meth:`set_responses`), it compares them in a worker thread
    when it is shown, once; a comparison that ends after newer responses came is
    dropped."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pair: tuple[RememberedResponse | None, RememberedResponse] | None = None
        self._done = False  # the pair on screen is compared (or being compared)
        self._tickets = 0
        self._task: asyncio.Future[None] | None = None  # held, or it may be collected
        self.summary = QLabel(objectName=f"{prefix}.summary", wordWrap=True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.changes = QLabel(objectName=f"{prefix}.changes", wordWrap=True, visible=False)
        self.changes.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.text = DiffText(f"{prefix}.text")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.changes)
        layout.addWidget(self.text, 1)

    def set_responses(
        self, previous: RememberedResponse | None, current: RememberedResponse | None
    ) -> None:
        """The responses to compare (``current`` None: none yet); compared when shown."""
        self._tickets += 1
        self._pair = None if current is None else (previous, current)
        self._done = False
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._done:
            self.refresh()

    def refresh(self) -> None:
        """Show the comparison of the responses given, starting it if need be."""
        self._done = True
        if self._pair is None:
            self.show_message(NO_RESPONSE)
            return
        previous, current = self._pair
        if previous is None:
            self.show_message(NO_EARLIER)
            return
        self.show_message(COMPARING)
        self._task = asyncio.ensure_future(self._compare(previous, current, self._tickets))

    async def _compare(
        self, previous: RememberedResponse, current: RememberedResponse, ticket: int
    ) -> None:
        try:
            comparison = await asyncio.to_thread(compare, previous, current)
        except Exception as exc:  # e.g. out of memory on huge texts: say so, do not crash
            if shiboken6.isValid(self) and ticket == self._tickets:
                self.show_message(f"Could not compare the responses ({exc or type(exc).__name__}).")
            return
        if shiboken6.isValid(self) and ticket == self._tickets:
            self.show_comparison(comparison)

    def show_comparison(self, comparison: Comparison) -> None:
        if comparison.problem:
            self.show_message(comparison.problem)
            self.changes.setText(" · ".join(comparison.changes))
            self.changes.setVisible(bool(comparison.changes))
            return
        self.show_diff(comparison.diff, comparison.changes, comparison.caption)

    def find_text(self, needle: str, backward: bool, here: bool) -> bool:
        """Select the next (previous) ``needle`` in the diff, wrapping around."""
        cursor = self.text.textCursor()
        if here:
            cursor.setPosition(cursor.selectionStart())
            self.text.setTextCursor(cursor)
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if self.text.find(needle, flags):
            return True
        cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
        self.text.setTextCursor(cursor)
        return self.text.find(needle, flags)

    def set_wrap(self, wrap: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode
        self.text.setLineWrapMode(mode.WidgetWidth if wrap else mode.NoWrap)

    def show_message(self, message: str) -> None:
        """No diff to show: why (no earlier response, comparing, a body too large...)."""
        self.summary.setText(message)
        self.changes.setVisible(False)
        self.text.set_text("")

    def show_diff(self, diff: TextDiff, changes: list[str], caption: str) -> None:
        """``diff`` of the bodies, ``changes`` in the status line and headers, and
        ``caption`` saying what is compared (e.g. the two responses' times)."""
        if diff.lines:
            shown = diff.summary
        else:
            shown = "No differences in the body" if changes else "No differences"
        if diff.truncated:
            shown += f" (the first {len(diff.lines):,} lines of the diff are shown)"
        self.summary.setText(f"{shown} · {caption}")
        self.changes.setText(" · ".join(changes))
        self.changes.setVisible(bool(changes))
        self.text.set_text(diff.text)
