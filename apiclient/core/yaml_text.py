"""YAML text of collection files: PyYAML's safe loader, and a dumper that writes for
people and git (see ``apiclient.core.store_format`` for what the files hold). The
importers read YAML through :func:`load` too.

Apart from ``store_format`` so that PyYAML loads when a file is first read or written,
in a worker, not while the window's modules are imported at start-up.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# Long lines stay on one line: folding them would make every edit a multi-line diff.
_NO_WRAP = 1 << 30
_OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

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


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _LONE_SURROGATE.search(value):
        # JSON's "\ud800" escapes bring them in; YAML cannot hold one, so the file would
        # never load again. Each becomes U+FFFD, as a browser shows it.
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    # Other line breaks would be read back as "\n" from a block or a single-quoted
    # scalar, so only a double-quoted one (which escapes them) keeps them.
    style = None
    if any(ch in value for ch in _OTHER_LINE_BREAKS):
        style = '"'
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(doc: dict[str, Any]) -> str:
    """``doc`` as YAML text, keys in the given order, ending with a newline."""
    text: str = yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_NO_WRAP, indent=2
    )
    return text


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
