"""A plain-text code view with syntax highlighting for JSON, XML and HTML.

Highlighting runs per visible block in Qt, but it is still switched off for very large
documents, where it would cost more than it helps.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import QEvent, QMimeData, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QKeyEvent,
    QShowEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from apiclient.core.preferences import Preferences
from apiclient.core.variables import VARIABLE_PATTERN
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.theme import is_dark

# QSyntaxHighlighter colours the whole document on the GUI thread (0.75-2 µs a character
# here, more on a busy machine): past this size a text is shown plain, so it never
# stalls the window (60,000 characters took up to 97 ms under load).
HIGHLIGHT_LIMIT_CHARS = 30_000


# Token kind -> (shade on a light background, shade on a dark background).
_SHADES: dict[str, tuple[str, str]] = {
    "number": ("#b05a00", "#e8a866"),
    "keyword": ("#7a3e9d", "#c99ae8"),
    "string": ("#28794a", "#9ccc8c"),
    "key": ("#1f5fa8", "#82aaff"),
    "comment": ("#808080", "#8c8c8c"),
    "field": ("#6a1b9a", "#d4a6f0"),
    "argument": ("#c2185b", "#f48fb1"),
    "directive": ("#00695c", "#80cbc4"),
    "variable": ("#c2185b", "#f07aa8"),
}
_NUMBER = re.compile(r"-?\b\d+(\.\d+)?([eE][+-]?\d+)?\b")
# Per language: (pattern, token kind, bold); later rules win where they overlap.
_PATTERNS: dict[str, list[tuple[re.Pattern[str], str, bool]]] = {
    "json": [
        (_NUMBER, "number", False),
        (re.compile(r"\b(true|false|null)\b"), "keyword", True),
        (re.compile(r'"(?:[^"\\]|\\.)*"'), "string", False),
        (re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)'), "key", True),
    ],
    "xml": [
        (re.compile(r"</?[\w:.\-]+|/?>"), "key", True),
        (re.compile(r"\b[\w:.\-]+(?==)"), "number", False),
        (re.compile(r'"[^"]*"|\'[^\']*\''), "string", False),
        (re.compile(r"<!--.*?-->"), "comment", False),
    ],
    "graphql": [
        (_NUMBER, "number", False),
        (re.compile(r"\b[A-Za-z_]\w*(?=\s*:)"), "field", False),
        (
            re.compile(
                r"\b(query|mutation|subscription|fragment|on|true|false|null|schema|type"
                r"|input|enum|union|interface|scalar|extend|implements|directive)\b"
            ),
            "keyword",
            True,
        ),
        (re.compile(r"\$\w+"), "argument", False),
        (re.compile(r"@\w+"), "directive", False),
        (re.compile(r'"""[^"]*"""|"(?:[^"\\]|\\.)*"'), "string", False),
        (re.compile(r"#.*$"), "comment", False),
    ],
}
_PATTERNS["html"] = _PATTERNS["xml"]
Rules = list[tuple[re.Pattern[str], QTextCharFormat]]


def syntax_color(kind: str, dark: bool) -> QColor:
    """The colour of a token ``kind`` ("key", "string", ...) in the light or dark theme."""
    return QColor(_SHADES[kind][1 if dark else 0])


def _fmt(kind: str, dark: bool, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(syntax_color(kind, dark))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def _variable_format(dark: bool) -> QTextCharFormat:
    """{{variables}} stand out in every language."""
    return _fmt("variable", dark, bold=True)


@cache
def _rules(dark: bool) -> dict[str, Rules]:
    """Each language's rules with the light or dark theme's colours (built on first use)."""
    variable = (VARIABLE_PATTERN, _variable_format(dark))
    return {
        language: [(pattern, _fmt(kind, dark, bold)) for pattern, kind, bold in patterns]
        + [variable]
        for language, patterns in _PATTERNS.items()
    }


class SyntaxHighlighter(QSyntaxHighlighter):
    """Regex rules per language; later rules win where they overlap."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self._rules: Rules = []
        self._language = "text"
        self._dark = dark

    @property
    def dark(self) -> bool:
        return self._dark

    def set_language(self, language: str) -> None:
        self._language = language
        self._use_rules()

    def set_dark(self, dark: bool) -> None:
        """Colour with the dark (or light) theme's shades from now on."""
        self._dark = dark
        self._use_rules()

    def _use_rules(self) -> None:
        rules = _rules(self._dark).get(self._language, [])
        if rules is not self._rules:
            self._rules = rules
            if self.document() is not None:
                self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


class CodeEditor(QPlainTextEdit):
    """Monospace editor or viewer; ``set_language`` picks the highlighting.

    Its font size and tab width follow the app's preferences, its colours the theme
    (an editor hidden during a switch is coloured again when it is shown).

    Tab indents in an editable editor; Ctrl+M switches Tab to moving the focus on and
    back (the convention of VS Code and Monaco), so a keyboard user is never trapped. A
    read-only viewer always passes Tab on."""

    def __init__(self, object_name: str, read_only: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setReadOnly(read_only)
        self.setTabChangesFocus(read_only)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._highlighter = SyntaxHighlighter(self.document(), is_dark(self.palette()))
        self._language = "text"
        self._looks: tuple[int, int] | None = None  # (font size, tab width) applied
        preferences = app_preferences()
        self._apply_preferences(preferences.current)
        preferences.changed.connect(self._on_preferences_changed)

    def _on_preferences_changed(self, preferences: Preferences) -> None:
        self._apply_preferences(preferences)

    def _apply_preferences(self, preferences: Preferences) -> None:
        looks = (preferences.font_size, preferences.tab_width)
        if looks == self._looks:
            return
        self._looks = looks
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if preferences.font_size > 0:
            font.setPointSize(preferences.font_size)
        self.setFont(font)
        advance = QFontMetricsF(font).horizontalAdvance(" ")
        self.setTabStopDistance(advance * preferences.tab_width)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() == Qt.Key.Key_M
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            and not self.isReadOnly()
        ):
            self.setTabChangesFocus(not self.tabChangesFocus())
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.isVisible():
            self._follow_theme()

    def showEvent(self, event: QShowEvent) -> None:
        self._follow_theme()  # the theme may have changed while it was hidden
        super().showEvent(event)

    def _follow_theme(self) -> None:
        dark = is_dark(self.palette())
        if dark != self._highlighter.dark:
            self._highlighter.set_dark(dark)

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
