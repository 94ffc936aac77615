"""A plain-text code view with syntax highlighting for JSON, XML and HTML.

Highlighting runs per visible block in Qt, but it is still switched off for very large
documents, where it would cost more than it helps.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QMimeData
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from apiclient.core.variables import VARIABLE_PATTERN

# QSyntaxHighlighter colours the whole document on the GUI thread (0.75-2 µs a character
# here, more on a busy machine): past this size a text is shown plain, so it never
# stalls the window (60,000 characters took up to 97 ms under load).
HIGHLIGHT_LIMIT_CHARS = 30_000


def _fmt(color: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


_VARIABLE_FORMAT = _fmt("#c2185b", bold=True)
_RULES: dict[str, list[tuple[re.Pattern[str], QTextCharFormat]]] = {
    "json": [
        (re.compile(r"-?\b\d+(\.\d+)?([eE][+-]?\d+)?\b"), _fmt("#b05a00")),
        (re.compile(r"\b(true|false|null)\b"), _fmt("#7a3e9d", bold=True)),
        (re.compile(r'"(?:[^"\\]|\\.)*"'), _fmt("#28794a")),
        (re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)'), _fmt("#1f5fa8", bold=True)),
        (VARIABLE_PATTERN, _VARIABLE_FORMAT),
    ],
    "xml": [
        (re.compile(r"</?[\w:.\-]+|/?>"), _fmt("#1f5fa8", bold=True)),
        (re.compile(r"\b[\w:.\-]+(?==)"), _fmt("#b05a00")),
        (re.compile(r'"[^"]*"|\'[^\']*\''), _fmt("#28794a")),
        (re.compile(r"<!--.*?-->"), _fmt("#808080")),
        (VARIABLE_PATTERN, _VARIABLE_FORMAT),
    ],
    "graphql": [
        (re.compile(r"-?\b\d+(\.\d+)?([eE][+-]?\d+)?\b"), _fmt("#b05a00")),
        (re.compile(r"\b[A-Za-z_]\w*(?=\s*:)"), _fmt("#6a1b9a")),
        (
            re.compile(
                r"\b(query|mutation|subscription|fragment|on|true|false|null|schema|type"
                r"|input|enum|union|interface|scalar|extend|implements|directive)\b"
            ),
            _fmt("#7a3e9d", bold=True),
        ),
        (re.compile(r"\$\w+"), _fmt("#c2185b")),
        (re.compile(r"@\w+"), _fmt("#00695c")),
        (re.compile(r'"""[^"]*"""|"(?:[^"\\]|\\.)*"'), _fmt("#28794a")),
        (re.compile(r"#.*$"), _fmt("#808080")),
        (VARIABLE_PATTERN, _VARIABLE_FORMAT),
    ],
}
_RULES["html"] = _RULES["xml"]


class SyntaxHighlighter(QSyntaxHighlighter):
    """Regex rules per language; later rules win where they overlap."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = []

    def set_language(self, language: str) -> None:
        rules = _RULES.get(language, [])
        if rules is not self._rules:
            self._rules = rules
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


class CodeEditor(QPlainTextEdit):
    """Monospace editor or viewer; ``set_language`` picks the highlighting."""

    def __init__(self, object_name: str, read_only: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setReadOnly(read_only)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self._highlighter = SyntaxHighlighter(self.document())
        self._language = "text"

    def set_language(self, language: str) -> None:
        self._language = language
        self._apply_highlighting()

    def set_text(self, text: str) -> None:
        """Replace the text; highlighting is skipped above ``HIGHLIGHT_LIMIT_CHARS``."""
        self._highlighter.setDocument(None)
        self.setPlainText(text)
        self._apply_highlighting()

    def replace_text(self, text: str) -> None:
        """Replace the text as one edit the user can undo (Ctrl+Z brings the old text back)."""
        self._highlighter.setDocument(None)
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        self.setTextCursor(cursor)
        self._apply_highlighting()

    def go_to(self, line: int, column: int) -> None:
        """Put the cursor at a 1-based line and column (where a parser found a mistake)."""
        block = self.document().findBlockByLineNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right,
            QTextCursor.MoveMode.MoveAnchor,
            min(max(0, column - 1), max(0, block.length() - 1)),
        )
        self.setTextCursor(cursor)
        self.setFocus()

    def insertFromMimeData(self, source: QMimeData) -> None:
        """A paste that makes the text too long for highlighting goes in unhighlighted."""
        if self.document().characterCount() + len(source.text()) > HIGHLIGHT_LIMIT_CHARS:
            self._highlighter.setDocument(None)
        super().insertFromMimeData(source)

    def _apply_highlighting(self) -> None:
        if self.document().characterCount() > HIGHLIGHT_LIMIT_CHARS:
            self._highlighter.setDocument(None)
            return
        if self._highlighter.document() is None:
            self._highlighter.setDocument(self.document())
        self._highlighter.set_language(self._language)
