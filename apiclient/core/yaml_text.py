"""YAML text of collection files: PyYAML's safe loader, and a dumper that writes for
people and git (see ``apiclient.core.store_format`` for what the files hold). The
importers read YAML through :func:`load` too.

Apart from ``store_format`` so that PyYAML loads when a file is first read or written,
in a worker, not while the window's modules are imported at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

# Long lines stay on one line: folding them would make every edit a multi-line diff.
_NO_WRAP = 1 << 30
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")

# libyaml's safe loader (same safe types, ten times faster: opening a collection parses
# one file per request) unless PyYAML was built without it.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """The text is not YAML; the message says where and what, for a person."""


class YamlValueError(yaml.YAMLError):
    """A value that YAML reads but Python cannot hold: a date that does not exist
    (2021-02-30), an integer of more than 4,300 digits. A ``YAMLError``, so that every
    caller handles it with the other problems of the text; ``problem`` says which."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def load(text: str) -> Any:
    """The value ``text`` holds, read by the safe loader; any problem is a ``YAMLError``.

    PyYAML lets ``ValueError`` out of its constructors for the values above; this is the
    one YAML reader of the app (collection files and every importer), so none escapes.
    """
    try:
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            try:
                return _build(loader, node, set(), 0)
            except _Unusual:
                return loader.construct_document(node)
        finally:
            loader.dispose()
    except (ValueError, OverflowError) as exc:
        reason = str(exc)
        if "integer string conversion" in reason:  # Python's advice is for programmers
            reason = "a number has more than 4,300 digits"
        raise YamlValueError(f"a value cannot be read ({reason})") from exc


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """A document only PyYAML's constructor builds as it should: merge keys, an alias
    of a mapping or list, an explicit tag on one, nesting deeper than ``_MAX_DEPTH``
    (which would exhaust Python's recursion limit here)."""


_MAX_DEPTH = 64


def _build(loader: yaml.SafeLoader, node: yaml.Node, seen: set[int], depth: int) -> Any:
    """What PyYAML's safe constructor builds from ``node``, built faster for the plain
    documents collection files are: strings, mappings and lists directly, other
    scalars by the constructor. Raises ``_Unusual`` for anything else, including any
    mapping or list met twice (an alias: built once and shared, as PyYAML does, a
    document of nested aliases stays small)."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if id(node) in seen or depth > _MAX_DEPTH:
        raise _Unusual
    seen.add(id(node))
    if kind is yaml.MappingNode and node.tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag not in _PLAIN_KEY_TAGS:
                raise _Unusual  # merge keys ("<<"), "=" keys, keys that are lists...
            key = _build(loader, key_node, seen, depth + 1)
            mapping[key] = _build(loader, value_node, seen, depth + 1)
        return mapping
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_build(loader, item, seen, depth + 1) for item in node.value]
    raise _Unusual


_PLAIN_KEY_TAGS = frozenset(
    {_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
)


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text as ``|`` blocks and indents lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_style(value: str) -> tuple[str, str | None]:
    """The text a string is written as and the style it asks for (``None``: any)."""
    if _LONE_SURROGATE.search(value):
        # JSON's "\ud800" escapes bring them in; YAML cannot hold one, so the file would
        # never load again. Each becomes U+FFFD, as a browser shows it.
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    # Other line breaks would be read back as "\n" from a block or a single-quoted
    # scalar, so only a double-quoted one (which escapes them) keeps them.
    if _OTHER_BREAK.search(value):
        return value, '"'
    if "\n" in value:
        return value, "|"
    return value, None


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    value, style = _str_style(value)
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(doc: dict[str, Any]) -> str:
    """``doc`` as YAML text, keys in the given order, ending with a newline.

    The documents of collection files (mappings and lists of strings, numbers, booleans
    and nulls) are written by :class:`_BlockWriter`: the text PyYAML's pure-Python emitter
    writes for them, byte for byte (files in git must not change), about twenty times
    faster (an import writes thousands). Anything else goes through PyYAML.
    """
    try:
        return _BlockWriter().document(doc)
    except Exception:  # PyYAML writes it, or raises its own error
        return _dump_with_pyyaml(doc)


def _dump_with_pyyaml(doc: Any) -> str:
    text: str = yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_NO_WRAP, indent=2
    )
    return text


# ---- the fast writer ---------------------------------------------------------------------
#
# It makes the choices of PyYAML's Emitter (emitter.py: analyze_scalar,
# choose_scalar_style, write_plain, write_literal...) for block mappings and lists with
# the options of ``_dump_with_pyyaml``, where lines never fold. Whatever it does not
# cover (a key that is not a short one-line string, a mapping or list met twice, other
# types) raises ``_Unsupported`` and PyYAML writes the whole document.

_BREAK_CHARS = "\n\x85\u2028\u2029"
_LINE_BREAK = re.compile("[\n\x85\u2028\u2029]")
# Neither printable nor "\n" (allow_unicode): only a double-quoted scalar escapes them.
_SPECIAL = re.compile(
    "[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]"
)
_WHITESPACE = "\0 \t\r\n\x85\u2028\u2029"
# After the first character: ": " or ":" at the end, and " #".
_BLOCK_INDICATOR_INSIDE = re.compile(
    "(?::(?=[\0 \t\r\n\x85\u2028\u2029]|\\Z))|(?<=[\0 \t\r\n\x85\u2028\u2029])#"
)
_BREAK_SPACE = re.compile("[\n\x85\u2028\u2029] ")
_SPACE_BREAK = re.compile(" [\n\x85\u2028\u2029]")
_TAG_LENGTH = len("!!str")  # counts towards the 128 characters of a simple key
_SIMPLE_KEY_LIMIT = 128 - _TAG_LENGTH
_LONGEST = 1 << 28  # far below the width, so no line ever folds
_CACHE_LIMIT = 20_000
_CACHED_LENGTH = 200


class _Unsupported(Exception):
    """A document ``_BlockWriter`` leaves to PyYAML."""


class _Analysis:
    """What PyYAML's ``analyze_scalar`` says of a scalar, in block context."""

    __slots__ = ("allow_block", "allow_plain", "allow_single_quoted", "empty", "multiline")

    def __init__(self, scalar: str) -> None:
        if not scalar:
            self.empty, self.multiline = True, False
            self.allow_plain, self.allow_single_quoted, self.allow_block = True, True, False
            return
        self.empty = False
        first = scalar[0]
        followed_by_space = len(scalar) == 1 or scalar[1] in _WHITESPACE
        block_indicators = (
            scalar.startswith(("---", "..."))
            or first in "#,[]{}&*!|>'\"%@`"
            or (first in "?:-" and followed_by_space)
            or _BLOCK_INDICATOR_INSIDE.search(scalar, 1) is not None
        )
        line_breaks = _LINE_BREAK.search(scalar) is not None
        special = _SPECIAL.search(scalar) is not None
        last = scalar[-1]
        edge_space = first == " " or last == " "
        edge_break = first in _BREAK_CHARS or last in _BREAK_CHARS
        break_space = line_breaks and _BREAK_SPACE.search(scalar) is not None
        space_break = line_breaks and _SPACE_BREAK.search(scalar) is not None
        self.multiline = line_breaks
        self.allow_plain = not (
            edge_space
            or edge_break
            or break_space
            or space_break
            or special
            or line_breaks
            or block_indicators
        )
        self.allow_single_quoted = not (break_space or space_break or special)
        self.allow_block = not (last == " " or space_break or special)


_IMPLICIT_RESOLVERS = _Dumper.yaml_implicit_resolvers


def _plain_tag(value: str) -> str | None:
    """The tag PyYAML's resolver gives ``value`` written plain, as the serializer asks
    it (``None``: a string)."""
    resolvers = _IMPLICIT_RESOLVERS.get(value[0] if value else "", [])
    wildcard = _IMPLICIT_RESOLVERS.get(None, [])
    for tag, regexp in resolvers + wildcard:
        if regexp.match(value):
            return str(tag)
    return None


def _plain_reads_as_str(value: str) -> bool:
    """Whether ``value`` written plain is read back as a string (not ``yes``, ``1e3``,
    ``null``, ``~``, ``2001-01-01``...)."""
    return _plain_tag(value) is None


def _single_quoted(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise _Unsupported  # never asked for: strings with breaks are blocks or "..."
    return "'" + value.replace("'", "''") + "'"


def _key_text(key: str) -> str:
    """``key:`` as PyYAML writes a simple key."""
    value, style = _str_style(key)
    analysis = _Analysis(value)
    if analysis.empty or analysis.multiline or len(value) >= _SIMPLE_KEY_LIMIT:
        raise _Unsupported  # PyYAML writes a "? " key
    if style is None and analysis.allow_plain and _plain_reads_as_str(value):
        return value + ":"
    if style is None and analysis.allow_single_quoted:
        return _single_quoted(value) + ":"
    return _double_quoted(value, split=False, whitespace=True, indent=0) + ":"


def _inline_text(value: str) -> str | None:
    """`` value`` after ``key:`` or ``-`` for a one-line string, ``None`` for a block."""
    value, style = _str_style(value)
    if style == "|":
        return None
    if style is None:
        analysis = _Analysis(value)
        if analysis.allow_plain and _plain_reads_as_str(value):
            return " " + value
        if analysis.allow_single_quoted:
            return " " + _single_quoted(value)
    return _double_quoted(value, split=True, whitespace=False, indent=0)


def _double_quoted(value: str, *, split: bool, whitespace: bool, indent: int) -> str:
    """PyYAML's own double-quoted writer (escapes), on a throwaway emitter."""
    pieces: list[str] = []
    emitter = yaml.emitter.Emitter(_Sink(pieces), indent=2, width=_NO_WRAP, allow_unicode=True)
    emitter.whitespace = whitespace
    emitter.indention = False
    emitter.column = 0
    emitter.indent = indent
    emitter.write_double_quoted(value, split)
    return "".join(pieces)


class _Sink:
    __slots__ = ("write",)

    def __init__(self, pieces: list[str]) -> None:
        self.write = pieces.append


_KEYS: dict[str, str] = {}
_INLINE: dict[str, str | None] = {}


def _cached(cache: dict[str, Any], make: Callable[[str], Any], text: str) -> Any:
    """``make(text)``, kept for short texts: keys and short values recur in every file."""
    found = cache.get(text, cache)
    if found is not cache:
        return found
    made = make(text)
    if len(text) <= _CACHED_LENGTH:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[text] = made
    return made


def _float_text(value: float) -> str:
    """``SafeRepresenter.represent_float``'s text."""
    if value != value:
        return ".nan"
    if value == _Dumper.inf_value:
        return ".inf"
    if value == -_Dumper.inf_value:
        return "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


_SCALAR_TAGS = {
    bool: "tag:yaml.org,2002:bool",
    int: "tag:yaml.org,2002:int",
    float: "tag:yaml.org,2002:float",
}


class _BlockWriter:
    """One document, written as PyYAML's emitter writes it (see above)."""

    __slots__ = ("at_line_start", "open_ended", "out", "seen")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.seen: set[int] = set()
        self.at_line_start = True  # after a "|" block (or at the start)
        self.open_ended = False  # the last thing written is a "|+" block

    def document(self, doc: Any) -> str:
        if type(doc) is not dict or not doc:
            raise _Unsupported
        self.mapping(doc, 0, inline=False)
        if not self.at_line_start:
            self.out.append("\n")
        if self.open_ended:
            self.out.append("...\n")
        return "".join(self.out)

    def _enter(self, collection: Any) -> None:
        if id(collection) in self.seen:
            raise _Unsupported  # PyYAML writes an anchor and an alias
        self.seen.add(id(collection))

    def mapping(self, mapping: dict[Any, Any], indent: int, inline: bool) -> None:
        self._enter(mapping)
        out = self.out
        pad = " " * indent
        for key, value in mapping.items():
            if inline:  # the first key of a mapping in a list, on the "-" line
                out.append(" ")
                inline = False
            else:
                out.append(pad if self.at_line_start else "\n" + pad)
            if type(key) is not str:
                raise _Unsupported
            out.append(_cached(_KEYS, _key_text, key))
            self.at_line_start = self.open_ended = False
            self.node(value, indent)

    def sequence(self, sequence: list[Any], indent: int, inline: bool) -> None:
        self._enter(sequence)
        out = self.out
        pad = " " * indent
        for item in sequence:
            if inline:
                out.append(" -")
                inline = False
            else:
                out.append(pad + "-" if self.at_line_start else "\n" + pad + "-")
            self.at_line_start = self.open_ended = False
            self.node(item, indent, in_sequence=True)

    def node(self, value: Any, indent: int, in_sequence: bool = False) -> None:
        """``value`` after ``key:`` (or ``-``) of a collection at ``indent``."""
        kind = type(value)
        if kind is str:
            if len(value) > _LONGEST:
                raise _Unsupported
            text = _cached(_INLINE, _inline_text, value)
            if text is None:
                self.block(value, indent + 2)
            else:
                self.out.append(text)
        elif kind is dict:
            if value:
                self.mapping(value, indent + 2, inline=in_sequence)
            else:
                self._enter(value)
                self.out.append(" {}")
        elif kind is list:
            if value:
                self.sequence(value, indent + 2, inline=in_sequence)
            else:
                self._enter(value)
                self.out.append(" []")
        elif value is None:
            self.out.append(" null")
        elif kind in _SCALAR_TAGS:
            if kind is bool:
                text = "true" if value else "false"
            elif kind is int:
                text = str(value)
            else:
                text = _float_text(value)
            if _plain_tag(text) != _SCALAR_TAGS[kind] or not _Analysis(text).allow_plain:
                raise _Unsupported  # PyYAML writes it with a tag
            self.out.append(" " + text)
        else:
            raise _Unsupported

    def block(self, value: str, indent: int) -> None:
        """A string with line breaks: a ``|`` block, as ``Emitter.write_literal``."""
        value, _style = _str_style(value)
        if not _Analysis(value).allow_block:
            self.out.append(_double_quoted(value, split=True, whitespace=False, indent=indent))
            return
        hints = ""
        if value[0] in " \n":
            hints = "2"
        if value[-1] != "\n":
            hints += "-"
        elif len(value) == 1 or value[-2] == "\n":
            hints += "+"
        body = value[:-1] if value[-1] == "\n" else value
        pad = " " * indent
        lines = [pad + line if line else "" for line in body.split("\n")]
        lines.append("")
        self.out.append(" |" + hints + "\n" + "\n".join(lines))
        self.at_line_start = True
        self.open_ended = hints.endswith("+")


def parse(text: str) -> Any:
    """The value ``text`` holds, or ``YamlSyntaxError`` with line, column and problem."""
    try:
        return load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YamlSyntaxError(f"{where}{exc.problem or exc.context or 'invalid YAML'}") from exc
    except YamlValueError as exc:
        raise YamlSyntaxError(exc.problem) from exc
    except yaml.reader.ReaderError as exc:
        raise YamlSyntaxError(
            f"character {exc.position + 1} is a control character (#x{exc.character:04X}) "
            "that YAML does not allow; remove it"
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML ({exc})") from exc
