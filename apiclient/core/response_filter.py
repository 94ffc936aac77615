"""Filtering a response body: JSONPath (RFC 9535, ``python-jsonpath`` in strict mode, as
the runner's checks use it) over JSON, XPath 1.0 (lxml) over XML.

A body is parsed once (:class:`ParsedBody`) and filtered at each keystroke; both steps
are CPU-bound on a large body, so the UI runs them in a worker thread. A bad expression
raises :class:`FilterError` saying what is wrong and at which column (counted from 1),
for example ``JSONPath: unexpected ']' at column 10``.

XML is parsed without network access, without expanding entities and with lxml's
limits on (``huge_tree`` off); a body that declares a DTD is not filtered at all.

python-jsonpath and lxml are imported on first use (together ~90 ms): the response
view imports this module when the window opens.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from apiclient.core.formatting import decode_body

if TYPE_CHECKING:
    from jsonpath import JSONPath, JSONPathEnvironment
    from lxml import etree

__all__ = [
    "FilterError",
    "FilterResult",
    "JsonPart",
    "ParsedBody",
    "compile_jsonpath",
    "json_path_of",
]

JsonPart = str | int
FilterKind = Literal["json", "xml"]

_SHORTHAND = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN_NAMES = {
    "TOKEN_ROOT": "'$'",
    "TOKEN_NAME": "a name",
    "TOKEN_EOF": "the end",
    "TOKEN_RBRACKET": "']'",
    "TOKEN_LBRACKET": "'['",
    "TOKEN_DOT": "'.'",
}
_KEYS_SHOWN = 8
_PREFIX = re.compile(r"(?<![\w.:-])([A-Za-z_][\w.-]*):(?=[A-Za-z_*])")
_LAST_NAME = re.compile(r"([A-Za-z_][\w.-]*)\s*(?:\[[^\]]*\]\s*)*\Z")
# The DTD check looks at the start of the document only: a DOCTYPE must come first.
_DOCTYPE = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?.*?\?>\s*)*+<!DOCTYPE", re.S)


class FilterError(ValueError):
    """A filter that cannot run: a bad expression, or a body that cannot be read as
    JSON/XML. The message is for a person: what is wrong, where, what to try."""


@dataclass(frozen=True)
class FilterResult:
    """What a filter found, ready to show.

    ``text`` is the matches pretty-printed: a JSON array of them for JSON, the matched
    nodes (or values) one after another for XML; ``language`` says how to highlight it.
    For JSON, ``values`` are the matches and ``paths`` where each one is in the body.
    """

    text: str
    language: str
    count: int
    values: tuple[Any, ...] = ()
    paths: tuple[tuple[JsonPart, ...], ...] = ()
    note: str = field(default="")


def json_path_of(parts: Sequence[JsonPart]) -> str:
    """The normalized JSONPath of a place: ``$.items[2].name``, ``$['odd key']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _SHORTHAND.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            escaped = "".join(c if ord(c) >= 0x20 else f"\\u{ord(c):04x}" for c in escaped)
            out.append(f"['{escaped}']")
    return "".join(out)


def _token_words(message: str) -> str:
    def name(match: re.Match[str]) -> str:
        token = match.group(1)
        return _TOKEN_NAMES.get(token, token.removeprefix("TOKEN_").lower().replace("_", " "))

    message = re.sub(r"'(TOKEN_[A-Z_]+)'", name, message)
    return message.replace("unexpected token ", "unexpected ")


@cache
def _environment() -> JSONPathEnvironment:
    from jsonpath import JSONPathEnvironment

    return JSONPathEnvironment(strict=True)  # RFC 9535, no extensions


def compile_jsonpath(expression: str) -> JSONPath:
    """Compile ``expression`` (a leading ``.`` or ``[`` is taken to follow ``$``)."""
    from jsonpath import JSONPath, JSONPathError

    text = expression.strip()
    if text.startswith((".", "[")):
        text = "$" + text
    if not text.startswith(("$", "@")):
        raise FilterError("JSONPath: a path starts with $, for example $.data[*].name")
    try:
        path = _environment().compile(text)
    except JSONPathError as exc:
        token = getattr(exc, "token", None)
        index = getattr(token, "index", -1) if token is not None else -1
        message = _token_words(str(exc.message))
        if "end of" not in message:
            at_end = index < 0 or index >= len(text)
            message += " at the end" if at_end else f" at column {index + 1}"
        raise FilterError(f"JSONPath: {message}") from None
    if not isinstance(path, JSONPath):  # strict mode has no compound paths
        raise FilterError("JSONPath: only one path at a time (no & or |)")
    return path


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = [str(key) for key in value]
        more = f" and {len(keys) - _KEYS_SHOWN} more" if len(keys) > _KEYS_SHOWN else ""
        return "an object with keys " + ", ".join(keys[:_KEYS_SHOWN]) + more
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a string" if isinstance(value, str) else "a number"


def _json_hint(path: JSONPath, data: Any) -> str:
    """Where a path that found nothing stops finding, and what is there instead."""
    from jsonpath import JSONPathError

    segments = path.segments
    for depth in range(len(segments) - 1, -1, -1):
        prefix = "$" + "".join(str(segment) for segment in segments[:depth])
        try:
            found = _environment().findall(prefix, data)
        except JSONPathError:
            return ""
        if len(found) == 1:
            return f"{prefix} is {_describe(found[0])}"
    return ""


class ParsedBody:
    """A JSON or XML body, parsed on first use and kept for the next filters.

    Safe to use from worker threads: parsing and each XPath run hold a lock (an lxml
    tree must not be used by two threads at once).
    """

    def __init__(
        self, kind: FilterKind, body: bytes | Callable[[], bytes], charset: str | None = None
    ) -> None:
        """``body`` is the bytes, or a function that reads them (from a spooled file),
        called once, on first use, in the thread that uses it first."""
        self.kind = kind
        self._source = body
        self._body = b""
        self._charset = charset
        self._lock = threading.Lock()
        self._parsed = False
        self._document: Any = None
        self._error: FilterError | None = None

    def document(self) -> Any:
        """The JSON value or the XML root element; raises :class:`FilterError` when the
        body is not JSON/XML (the same error at every call, parsed once)."""
        with self._lock:
            if not self._parsed:
                source, self._source = self._source, b""
                try:
                    self._body = source() if callable(source) else source
                    self._document = self._parse()
                except FilterError as exc:
                    self._error = exc
                except OSError as exc:
                    self._error = FilterError(f"Cannot read the body ({exc.strerror or exc}).")
                self._parsed = True
                self._body = b""  # parsed: the bytes are no longer needed here
            if self._error is not None:
                raise self._error
            return self._document

    def _parse(self) -> Any:
        if self.kind == "json":
            text = decode_body(self._body, self._charset)
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise FilterError(
                    f"The body is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg})."
                ) from None
            except RecursionError:
                raise FilterError("The body is JSON nested too deeply to filter.") from None
        from lxml import etree

        if _DOCTYPE.match(self._body[:4096]):
            raise FilterError(
                "The body declares a DTD (<!DOCTYPE>); it is not parsed for XPath, for safety."
            )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            return etree.fromstring(self._body, parser)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise FilterError(
                f"The body is not well-formed XML (line {line}, column {column}: {exc.msg})."
            ) from None

    def filter(self, expression: str) -> FilterResult:
        """Run ``expression`` (JSONPath or XPath, by the body's kind) on the body."""
        if self.kind == "json":
            return self._filter_json(expression)
        return self._filter_xml(expression)

    def _filter_json(self, expression: str) -> FilterResult:
        from jsonpath import JSONPathError

        path = compile_jsonpath(expression)
        data = self.document()
        try:
            matches = list(path.finditer(data))
        except JSONPathError as exc:
            raise FilterError(f"JSONPath: {_token_words(str(exc.message))}") from None
        values = tuple(match.obj for match in matches)
        paths = tuple(tuple(match.parts) for match in matches)
        text = json.dumps(list(values), indent=2, ensure_ascii=False)
        note = ""
        if not matches:
            hint = _json_hint(path, data)
            note = f"No match ({hint})" if hint else "No match"
        return FilterResult(text, "json", len(values), values, paths, note)

    def _filter_xml(self, expression: str) -> FilterResult:
        from lxml import etree

        text = expression.strip()
        if not text:
            raise FilterError("XPath: type an expression, for example //item/name")
        root = self.document()
        namespaces = _declared_prefixes(root)
        try:
            xpath = etree.XPath(text, namespaces=namespaces)
        except etree.XPathSyntaxError as exc:
            raise FilterError(_xpath_message(exc, text, namespaces)) from None
        with self._lock:
            try:
                result = xpath(root)
            except etree.XPathError as exc:
                raise FilterError(_xpath_message(exc, text, namespaces)) from None
            return _xml_result(result, root, text)


def _declared_prefixes(root: Any) -> dict[str, str]:
    """The prefixes the document declares (not the default namespace), first wins."""
    from lxml import etree

    found: dict[str, str] = {}
    for _event, (prefix, uri) in etree.iterwalk(root, events=("start-ns",)):
        if prefix:
            found.setdefault(prefix, uri)
    return found


def _xpath_message(exc: etree.XPathError, expression: str, namespaces: dict[str, str]) -> str:
    """``XPath: invalid expression at column 5``; an unknown prefix or function named."""
    reason = str(exc) or "Invalid expression"
    lowered = reason.lower()
    if "namespace prefix" in lowered:
        unknown = [p for p in _PREFIX.findall(expression) if p not in namespaces]
        declared = ", ".join(sorted(namespaces)) or "none"
        name = f" {unknown[0]}:" if unknown else ""
        return f"XPath: unknown namespace prefix{name} (prefixes declared in the body: {declared})"
    if "function" in lowered:
        return (
            "XPath: unknown function (XPath 1.0 has e.g. count(), text(), contains(), local-name())"
        )
    message = f"XPath: {lowered}"
    entries = list(exc.error_log)
    if entries:
        column = entries[-1].column
        inside = 0 <= column < len(expression)
        message += f" at column {column + 1}" if inside else " at the end"
    return message


def _node_text(node: Any) -> tuple[str, bool]:
    """A node serialized and indented (``True``: the text is XML), or a value as text."""
    from lxml import etree

    if isinstance(node, etree._Element):
        if isinstance(node.tag, str):  # not a comment or processing instruction
            node = copy.deepcopy(node)  # indenting must not change the parsed body
            etree.indent(node)
        return etree.tostring(node, encoding="unicode", with_tail=False).strip(), True
    if isinstance(node, tuple):  # a namespace node: (prefix, uri)
        return f"xmlns:{node[0]}={node[1]}" if node[0] else f"xmlns={node[1]}", False
    if getattr(node, "is_attribute", False):
        return f'{node.attrname}="{node}"', False
    return str(node), False


def _xml_result(result: Any, root: Any, expression: str) -> FilterResult:
    if isinstance(result, bool):
        return FilterResult("true" if result else "false", "text", 1)
    if isinstance(result, float):
        shown = str(int(result)) if result.is_integer() else str(result)
        return FilterResult(shown, "text", 1)
    if isinstance(result, str):
        return FilterResult(str(result), "text", 1)
    pieces = [_node_text(node) for node in result]
    xml = any(is_xml for _, is_xml in pieces)
    text = "\n".join(piece for piece, _ in pieces)
    note = ""
    if not pieces:
        note = "No match"
        if any(prefix is None for prefix in _all_namespaces(root)):
            last = _LAST_NAME.search(expression)
            name = last.group(1) if last else "name"
            note += (
                " (the body has a default namespace, which XPath 1.0 cannot name without "
                f"a prefix: try //*[local-name()='{name}'])"
            )
    return FilterResult(text, "xml" if xml else "text", len(pieces), note=note)


def _all_namespaces(root: Any) -> set[str | None]:
    from lxml import etree

    prefixes: set[str | None] = set()
    for _event, (prefix, _uri) in etree.iterwalk(root, events=("start-ns",)):
        prefixes.add(prefix or None)
    return prefixes
