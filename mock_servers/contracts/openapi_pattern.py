"""Text that matches a schema's ``pattern``, for the strings a made-up value would miss
(``^[A-Z]{2}-\\d{4}$``).

Walks the pattern as Python's own regular-expression parser reads it; what it cannot
imitate (back-references, look-arounds) gives None, and the caller keeps its value.
"""

from __future__ import annotations

import random
import re
import string

# Python's own pattern parser (the public sre_parse is its deprecated alias since 3.11).
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_EXTRA_REPEATS = 3
_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.,:;!@ ",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}
_PRINTABLE = string.ascii_letters + string.digits + "-_."


class _Unsupported(Exception):
    pass


def matching_text(pattern: str, rng: random.Random) -> str | None:
    """A string ``re.search(pattern, ...)`` accepts, or None when none could be made."""
    try:
        parsed = sre_parse.parse(pattern)
        text = _emit(list(parsed), rng)
    except (re.error, _Unsupported, RecursionError, ValueError, IndexError):
        return None
    return text if re.search(pattern, text) else None


def _emit(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    return "".join(_one(str(op), av, rng) for op, av in items)


def _one(op: str, av: Any, rng: random.Random) -> str:
    if op == "LITERAL":
        return chr(av)
    if op == "NOT_LITERAL":
        return next(c for c in _PRINTABLE if ord(c) != av)
    if op == "ANY":
        return rng.choice(string.ascii_lowercase)
    if op == "IN":
        return _from_set(av, rng)
    if op == "CATEGORY":
        return rng.choice(_CATEGORIES[str(av)])
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = av
        high = min(high, low + MAX_EXTRA_REPEATS)
        return "".join(_emit(list(sub), rng) for _ in range(rng.randint(low, high)))
    if op in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _emit(list(av[-1]), rng)
    if op == "BRANCH":
        return _emit(list(rng.choice(av[1])), rng)
    if op == "AT":
        return ""
    raise _Unsupported(op)


def _from_set(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = _set_members(items[1:])
        return next(c for c in _PRINTABLE if c not in excluded)
    return rng.choice(_set_members(items))


def _set_members(items: list[tuple[Any, Any]]) -> str:
    members = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            members.append(chr(av))
        elif name == "RANGE":
            members.extend(chr(c) for c in range(av[0], min(av[1], av[0] + 200) + 1))
        elif name == "CATEGORY":
            members.append(_CATEGORIES[str(av)])
        else:
            raise _Unsupported(name)
    return "".join(members)
