"""What the checks, captures and WebSocket script editors accept, in words.

Qt-free checks of what a person typed: a regular expression that does not compile, a
JSONPath or XPath that does not parse, a word where a number belongs, a variable name
that ``{{name}}`` cannot hold. Each returns "" when fine, else a sentence for the cell's
tooltip. ``jsonpath`` and ``lxml`` load on first use, not when the window starts.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from apiclient.core.variables import VARIABLE_PATTERN

if TYPE_CHECKING:
    from jsonpath import JSONPathEnvironment

_NAME = re.compile(r"[^{}\s](?:[^{}]*[^{}\s])?")  # what VARIABLE_PATTERN accepts as a name
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@cache
def _jsonpath_environment() -> JSONPathEnvironment:
    from jsonpath import JSONPathEnvironment

    return JSONPathEnvironment(strict=True)  # as apiclient.protocols.checks reads them


CHECK_SOURCES = {
    "status": "Status",
    "header": "Header",
    "jsonpath": "JSONPath",
    "xpath": "XPath",
    "body": "Body",
    "time_ms": "Time (ms)",
}
CHECK_OPS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches regex",
    "exists": "exists",
    "not_exists": "does not exist",
    "less_than": "less than",
    "greater_than": "greater than",
}
OPS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "status": ("equals", "not_equals", "matches", "less_than", "greater_than"),
    "header": tuple(CHECK_OPS),
    "jsonpath": tuple(CHECK_OPS),
    "xpath": tuple(CHECK_OPS),
    "body": ("equals", "not_equals", "contains", "not_contains", "matches"),
    "time_ms": ("less_than", "greater_than"),
}
"""The operators offered for each source: the ones whose result says something."""

CAPTURE_SOURCES = {
    "jsonpath": "JSONPath",
    "xpath": "XPath",
    "header": "Header",
    "status": "Status",
    "body": "Body",
    "regex": "Regex",
}
EXPRESSION_HINTS = {
    "header": "Content-Type",
    "jsonpath": "$.data.items[0].id",
    "xpath": "//item/id",
    "regex": 'token="([^"]+)"',
}
NO_EXPECTED = ("exists", "not_exists")


# ---- checking what was typed ----------------------------------------------------------------


def _has_variables(text: str) -> bool:
    return VARIABLE_PATTERN.search(text) is not None


def regex_problem(text: str) -> str:
    """Empty when ``text`` compiles as a regular expression, else why not.
    ``{{variables}}`` are resolved when run, so they count as plain text here."""
    try:
        re.compile(VARIABLE_PATTERN.sub("x", text))
    except re.error as exc:
        return f"This regular expression is not valid: {exc}."
    return ""


def expression_problem(source: str, text: str) -> str:
    """Empty when ``text`` is a usable header name, JSONPath, XPath or regex for
    ``source`` (sources that take no expression accept anything), else why not."""
    text = text.strip()
    if source not in EXPRESSION_HINTS:
        return ""
    if not text:
        label = {"header": "the header name", "regex": "a regular expression"}.get(
            source, f"a {CHECK_SOURCES.get(source, source)}"
        )
        return f"Type {label}, for example {EXPRESSION_HINTS[source]}."
    if source == "regex":
        return regex_problem(text)
    if _has_variables(text):
        return ""
    if source == "jsonpath":
        from jsonpath import JSONPathError

        try:
            _jsonpath_environment().compile(text)
        except JSONPathError as exc:
            start = "" if text.startswith("$") else " (a JSONPath starts with $)"
            return f"This JSONPath is not valid: {exc.message}{start}."
    if source == "xpath":
        from lxml import etree

        try:
            etree.XPath(text)
        except etree.XPathSyntaxError as exc:
            return f"This XPath is not valid: {exc}."
    return ""


def expected_problem(source: str, op: str, text: str) -> str:
    if op in NO_EXPECTED:
        return ""
    if op == "matches":
        return regex_problem(text)
    if op in ("less_than", "greater_than") or source == "time_ms":
        if _has_variables(text) or _NUMBER.fullmatch(text.strip()):
            return ""
        if source == "time_ms":
            return "Time is in milliseconds: type a number, for example 500."
        return f"{CHECK_OPS[op].capitalize()} needs a number, for example 250."
    return ""


def variable_name_problem(name: str) -> str:
    """Empty when ``name`` can be used as ``{{name}}``, else why not."""
    if not name:
        return "Type the name later requests use as {{name}}, for example token."
    if not _NAME.fullmatch(name):
        return "A variable name cannot hold { or }, nor start or end with a space."
    if name.startswith("$"):
        return "Names starting with $ are dynamic values such as {{$uuid}}: choose another."
    return ""
