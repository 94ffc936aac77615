"""``json.loads`` in many short steps, so a worker parsing a 10 MB export never holds the
GIL long enough to freeze the window.

``json.loads`` runs in C from start to end without letting other threads run: 200 ms for
a 10 MB Postman collection, all of it a stall of the GUI thread. Here the containers that
hold the bulk of an export (the top-level value and the lists under ``item``,
``resources``, ``entries``, ``paths``) are walked in Python, and each value inside them (one
request, one header list) goes to the C parser on its own, so the interpreter can switch
threads between two of them. The result, and the errors (``json.JSONDecodeError`` with
the same messages and positions), are those of ``json.loads``.
"""

from __future__ import annotations

import json
import re
from json.decoder import JSONDecodeError, scanstring  # type: ignore[attr-defined]
from typing import Any

SPLIT_KEYS = frozenset({"item", "resources", "entries", "paths", "requests", "folders"})
"""Keys whose value holds the bulk of an export (Postman, Insomnia, HAR, OpenAPI)."""

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_skip_match = _WHITESPACE.match
_DECODER = json.JSONDecoder()


def loads_in_steps(text: str, split_keys: frozenset[str] = SPLIT_KEYS) -> Any:
    """The JSON value in ``text``, as ``json.loads(text)`` gives it."""
    parser = _Parser(text, split_keys)
    end = _skip(text, 0)
    value, end = parser.container(end) if text[end : end + 1] in ("{", "[") else parser.scalar(end)
    end = _skip(text, end)
    if end != len(text):
        raise JSONDecodeError("Extra data", text, end)
    return value


def _skip(text: str, index: int) -> int:
    """The index of the first character at or after ``index`` that is not whitespace."""
    return _skip_match(text, index).end()  # type: ignore[union-attr]  # matches ""


class _Parser:
    def __init__(self, text: str, split_keys: frozenset[str]) -> None:
        self.text = text
        self.split_keys = split_keys

    def scalar(self, index: int) -> tuple[Any, int]:
        """Any value, parsed whole by the C parser."""
        value, end = _DECODER.raw_decode(self.text, index)
        return value, end

    def container(self, index: int) -> tuple[Any, int]:
        if self.text[index] == "{":
            return self.object(index)
        return self.array(index)

    def object(self, index: int) -> tuple[dict[str, Any], int]:
        """An object walked key by key: values under a split key are walked too."""
        text = self.text
        result: dict[str, Any] = {}
        index = _skip(text, index + 1)
        if text[index : index + 1] == "}":
            return result, index + 1
        while True:
            if text[index : index + 1] != '"':
                raise JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, index
                )
            key, index = scanstring(text, index + 1, True)
            index = _skip(text, index)
            if text[index : index + 1] != ":":
                raise JSONDecodeError("Expecting ':' delimiter", text, index)
            index = _skip(text, index + 1)
            if key in self.split_keys and text[index : index + 1] in ("{", "["):
                result[key], index = self.container(index)
            else:
                result[key], index = self.scalar(index)
            index = _skip(text, index)
            found = text[index : index + 1]
            if found == "}":
                return result, index + 1
            if found != ",":
                raise JSONDecodeError("Expecting ',' delimiter", text, index)
            index = _skip(text, index + 1)

    def array(self, index: int) -> tuple[list[Any], int]:
        """A list walked item by item: an object in it is walked key by key."""
        text = self.text
        result: list[Any] = []
        index = _skip(text, index + 1)
        if text[index : index + 1] == "]":
            return result, index + 1
        while True:
            if text[index : index + 1] == "{":
                value, index = self.object(index)
            else:
                value, index = self.scalar(index)
            result.append(value)
            index = _skip(text, index)
            found = text[index : index + 1]
            if found == "]":
                return result, index + 1
            if found != ",":
                raise JSONDecodeError("Expecting ',' delimiter", text, index)
            index = _skip(text, index + 1)
