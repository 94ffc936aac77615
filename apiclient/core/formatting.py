"""Turning response bodies into text a person can read: pretty JSON/XML/HTML, hex dumps.

Pure functions with no Qt, so the UI can run them in a worker thread or process
(a 20 MB JSON body takes about a second to parse and indent, far too long for the
GUI thread).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Literal

BodyKind = Literal["json", "xml", "html", "text", "binary"]

_TEXT_TYPES = ("text/", "application/javascript", "application/x-www-form-urlencoded")
_BINARY_SNIFF_BYTES = 4096


def body_kind(content_type: str, body: bytes) -> BodyKind:
    """Classify a body by its declared type, falling back to a look at its first bytes."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime.endswith("json") or mime.endswith("+json"):
        return "json"
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime.endswith("/xml") or mime.endswith("+xml"):
        return "xml"
    if mime.startswith(_TEXT_TYPES):
        return "text"
    if looks_binary(body):
        return "binary"
    head = body[:64].lstrip()
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] == b"<":
        return "html" if head[:15].lower().startswith((b"<!doctype html", b"<html")) else "xml"
    return "text"


def looks_binary(body: bytes) -> bool:
    """True when the start of ``body`` holds NUL bytes or is not valid UTF-8."""
    sample = body[:_BINARY_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start < len(sample) - 3
    return False


def decode_body(body: bytes, charset: str | None) -> str:
    """Decode with the declared charset (UTF-8 if none or unknown); never raises."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except (LookupError, UnicodeError):  # unknown, or a codec "replace" cannot cover (idna)
        return body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Pretty:
    """The result of pretty-printing: the text, or why it stayed raw."""

    text: str
    problem: str = ""


# A string a JSON text may hold (as "\ud83d") but no UTF-8 text, nor Qt, can.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def pretty_json(text: str) -> Pretty:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Pretty(text, f"Not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    if "\\u" in text:  # an escaped lone surrogate ("\ud83d") is kept escaped
        pretty = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", pretty)
    return Pretty(pretty)


# A document type declaration before the root element, after any XML declaration,
# comments and processing instructions.
# Possessive (``*+``): a body of many comments and no DOCTYPE must not make the engine try
# every way of grouping them (24 empty comments took 4.7 s without it).
_DOCTYPE_RE = re.compile(
    r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?.*?\?>\s*)*+<!DOCTYPE", re.S
)


def pretty_xml(text: str, html: bool = False) -> Pretty:
    """Indent XML (or HTML) with lxml, refusing entities and network access.

    XML that declares a DTD is shown as received, saying so: its entities could expand
    to gigabytes or name local files, and indenting around unexpanded references would
    show a document that is not the one sent."""
    from lxml import etree
    from lxml import html as lxml_html

    if not html and _DOCTYPE_RE.match(text):
        return Pretty(
            text,
            "The body declares a DTD (<!DOCTYPE>), so it is shown as received: no entity"
            " was expanded and no file or URL it names was read.",
        )
    try:
        if html:
            root = lxml_html.document_fromstring(text)
            etree.indent(root)
            return Pretty(lxml_html.tostring(root, encoding="unicode", pretty_print=True))
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=True
        )
        root = etree.fromstring(text.encode("utf-8"), parser)
        etree.indent(root)
        return Pretty(etree.tostring(root, encoding="unicode", pretty_print=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        what = "HTML" if html else "XML"
        return Pretty(text, f"Not well-formed {what}: {exc}")


def pretty_body(kind: BodyKind, text: str) -> Pretty:
    """Pretty-print ``text`` of the given kind; text and binary come back unchanged."""
    if kind == "json":
        return pretty_json(text)
    if kind in ("xml", "html"):
        return pretty_xml(text, html=kind == "html")
    return Pretty(text)


def hex_dump(data: bytes, limit: int = 64 * 1024) -> str:
    """Classic offset / hex / ASCII dump of the first ``limit`` bytes."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hex_part = " ".join(f"{b:02x}" for b in chunk)
        text_part = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hex_part:<47}  {text_part}")
    return "\n".join(lines)


def human_size(n: int) -> str:
    """``1536`` -> ``"1.5 KB"``: sizes as a person reads them."""
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def human_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def json_problem(text: str) -> str:
    """Empty when ``text`` is valid JSON, else where and why it is not (for a hint)."""
    if not text.strip():
        return ""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return ""


@dataclass(frozen=True)
class RenderedBody:
    """A response body ready for display: raw text, pretty text, or a hex dump."""

    kind: BodyKind
    raw: str
    pretty: str
    problem: str = ""


def render_body(content_type: str, charset: str | None, body: bytes) -> RenderedBody:
    """Everything the body view shows, computed in one go off the GUI thread."""
    kind = body_kind(content_type, body)
    if kind == "binary":
        dump = hex_dump(body)
        return RenderedBody(kind, dump, dump)
    raw = decode_body(body, charset)
    pretty = pretty_body(kind, raw)
    return RenderedBody(kind, raw, pretty.text, pretty.problem)


def page_starts(text: str, page_chars: int) -> list[int]:
    """Offsets where parts of about ``page_chars`` characters begin, cut after a newline;
    a part with no newline near its end (one long line) is cut at ``page_chars``."""
    starts = [0]
    while len(text) - starts[-1] > page_chars:
        target = starts[-1] + page_chars
        cut = text.find("\n", target, target + max(1, page_chars // 4))
        following = cut + 1 if cut >= 0 else target
        if following >= len(text):
            break
        starts.append(following)
    return starts


# Qt's text document (QPlainTextEdit.setPlainText) ends a block at each of these, one
# position each, except "\r\n", which is one position for two characters.
_BLOCK_ENDS = "\n\r\u2029\ufdd0\ufdd1"
# A line longer than the view lays out quickly: one that starts at a block start (the
# lookbehind makes a short line fail once, not at each of its characters).
_LONG_LINE = "(?<![^{ends}])[^{ends}]{{{least},}}"


@dataclass(frozen=True)
class DisplayPart:
    """One part of a long text, ``text[start:end]``, as a text view shows it.

    Lines longer than the view can lay out quickly are broken by inserted newlines
    (``breaks``: offsets into the part before which one was inserted), so a 5 MB
    single-line body scrolls as easily as a pretty one. Positions map both ways between
    offsets in the whole text and positions in the view, which count UTF-16 code units
    (two for a character outside the BMP) and one position for a "\r\n". The mapping
    is counted when asked (a few C-speed passes over the part, a few times a search),
    never built character by character on the GUI thread.
    """

    start: int
    end: int
    shown: str
    breaks: tuple[int, ...] = ()

    def to_view(self, offset: int) -> int:
        """The view position where the character at ``offset`` in the whole text begins
        (after a break inserted before it; a "\r\n" begins at its "\r")."""
        return self._view(self._shown_index(offset, after_break=True), round_up=False)

    def to_view_end(self, offset: int) -> int:
        """The view position where the character before ``offset`` ends (before a break
        inserted at ``offset``; past the whole "\r\n" when ``offset`` splits one)."""
        return self._view(self._shown_index(offset, after_break=False), round_up=True)

    def to_text(self, position: int) -> int:
        """The offset in the whole text of the view position ``position``; a position
        inside a character (between the halves of one outside the BMP) goes to its start."""
        return self._text(self._shown_at(position, round_up=False))

    def to_text_end(self, position: int) -> int:
        """As :meth:`to_text`, but a position inside a character goes past it."""
        return self._text(self._shown_at(position, round_up=True))

    def _shown_index(self, offset: int, *, after_break: bool) -> int:
        index = min(max(offset, self.start), self.end) - self.start
        return index + (bisect_right if after_break else bisect_left)(self.breaks, index)

    def _text(self, index: int) -> int:
        """The offset in the whole text of ``shown[index]``."""
        inserted = [b + k for k, b in enumerate(self.breaks)]
        return self.start + index - bisect_left(inserted, index)

    def _splits(self, index: int) -> bool:
        """Whether ``index`` falls between the two characters of a "\r\n"."""
        return 0 < index < len(self.shown) and self.shown[index - 1 : index + 1] == "\r\n"

    def _view(self, index: int, *, round_up: bool) -> int:
        """The view position of ``shown[index]``; inside a "\r\n", the position before
        it or, with ``round_up``, after it."""
        head = self.shown[:index]
        units = index if head.isascii() else len(head.encode("utf-16-le", "surrogatepass")) // 2
        return units - head.count("\r\n") - (self._splits(index) and not round_up)

    def _shown_at(self, position: int, *, round_up: bool) -> int:
        """The index into ``shown`` of a view position: by bisection, as the view
        position grows with the index."""
        low, high = 0, len(self.shown)
        if round_up:  # the first index at or after the position
            while low < high:
                middle = (low + high) // 2
                if self._view(middle, round_up=True) < position:
                    low = middle + 1
                else:
                    high = middle
            return low + self._splits(low)
        while low < high:  # the last index at or before the position
            middle = (low + high + 1) // 2
            if self._view(middle, round_up=False) > position:
                high = middle - 1
            else:
                low = middle
        return low - self._splits(low)


def display_part(part: str, start: int, line_chars: int) -> DisplayPart:
    """``part``, found at ``start`` in a longer text, with every line longer than
    ``line_chars`` broken into pieces."""
    pieces: list[str] = []
    breaks: list[int] = []
    done = 0
    for long_line in re.finditer(_LONG_LINE.format(ends=_BLOCK_ENDS, least=line_chars + 1), part):
        for cut in range(long_line.start() + line_chars, long_line.end(), line_chars):
            pieces.append(part[done:cut])
            breaks.append(cut)
            done = cut
    pieces.append(part[done:])
    return DisplayPart(start, start + len(part), "\n".join(pieces), tuple(breaks))
