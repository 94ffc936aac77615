"""YAML text of collection files: PyYAML's safe loader, and a dumper that writes for
people and git (see ``apiclient.core.store_format`` for what the files hold).

Apart from ``store_format`` so that PyYAML loads when a file is first read or written,
in a worker, not while the window's modules are imported at start-up.
"""

from __future__ import annotations

from typing import Any

import yaml

# Long lines stay on one line: folding them would make every edit a multi-line diff.
_NO_WRAP = 1 << 30
_OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")

# libyaml's safe loader (same safe types, ten times faster: opening a collection parses
# one file per request) unless PyYAML was built without it.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """The text is not YAML; the message says where and what, for a person."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text as ``|`` blocks and indents lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
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
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YamlSyntaxError(f"{where}{exc.problem or exc.context or 'invalid YAML'}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML ({exc})") from exc
