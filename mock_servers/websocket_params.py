"""Query parameters of the WebSocket mock: each one knows its form, range and default.

A bad value refuses the handshake with HTTP 400 and a body naming the parameter, what
it must be and an example URL, so a person can fix the URL without reading the code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "SERVER_CLOSE_CODES",
    "CloseCodeParam",
    "FloatParam",
    "IntParam",
    "Param",
    "ParamError",
    "TextParam",
    "parse_params",
]

_WHOLE = re.compile(r"-?[0-9]{1,12}")
_DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?|\.[0-9]{1,9}")
# Codes a server may put in a close frame (RFC 6455 section 7.4, IANA registry, and the
# 3000-4999 ranges for libraries and applications). 1002 is left out on purpose: it
# means a protocol error, which the mock never commits.
SERVER_CLOSE_CODES = frozenset({1000, 1001, 1003, *range(1007, 1015), *range(3000, 5000)})


class ParamError(ValueError):
    """A query parameter is malformed or out of range; the message says how to fix it."""


class _Invalid(ValueError):
    """Raised by a parameter's parse(); the text says what is wrong with the value."""


class Param(Protocol):
    """One query parameter: `parse` turns the raw text into a value or raises _Invalid."""

    @property
    def name(self) -> str: ...

    def describe(self) -> str:
        """What the value must be, e.g. 'a whole number from 1 to 50000 (default 10)'."""
        ...

    def default_value(self) -> object: ...

    def parse(self, raw: str) -> object: ...


@dataclass(frozen=True)
class IntParam:
    name: str
    low: int
    high: int
    default: int

    def describe(self) -> str:
        return f"a whole number from {self.low} to {self.high} (default {self.default})"

    def default_value(self) -> int:
        return self.default

    def parse(self, raw: str) -> int:
        if not _WHOLE.fullmatch(raw):
            raise _Invalid("is not a whole number")
        value = int(raw)
        if not self.low <= value <= self.high:
            raise _Invalid("is out of range")
        return value


@dataclass(frozen=True)
class FloatParam:
    name: str
    low: float
    high: float
    default: float
    unit: str

    def describe(self) -> str:
        return (
            f"a number of {self.unit} from {self.low:g} to {self.high:g} (default {self.default:g})"
        )

    def default_value(self) -> float:
        return self.default

    def parse(self, raw: str) -> float:
        if not _DECIMAL.fullmatch(raw):
            raise _Invalid("is not a plain decimal number")
        value = float(raw)
        if not self.low <= value <= self.high:
            raise _Invalid("is out of range")
        return value


@dataclass(frozen=True)
class CloseCodeParam:
    name: str
    default: int

    def describe(self) -> str:
        return (
            "a close code a server may send: 1000, 1001, 1003, 1007-1014 or 3000-4999 "
            f"(default {self.default})"
        )

    def default_value(self) -> int:
        return self.default

    def parse(self, raw: str) -> int:
        if not _WHOLE.fullmatch(raw):
            raise _Invalid("is not a whole number")
        value = int(raw)
        if value not in SERVER_CLOSE_CODES:
            raise _Invalid("is not a close code a server may send")
        return value


@dataclass(frozen=True)
class TextParam:
    """Free text, limited in characters and, where it ends up in a frame, UTF-8 bytes."""

    name: str
    default: str | None
    min_chars: int
    max_chars: int
    max_bytes: int | None = None

    def describe(self) -> str:
        limits = f"{self.min_chars} to {self.max_chars} characters"
        if self.max_bytes is not None:
            limits += f", at most {self.max_bytes} bytes in UTF-8"
        default = "none" if self.default is None else repr(self.default)
        return f"text of {limits} (default {default})"

    def default_value(self) -> str | None:
        return self.default

    def parse(self, raw: str) -> str:
        if len(raw) < self.min_chars:
            raise _Invalid("is too short")
        if len(raw) > self.max_chars:
            raise _Invalid("is too long")
        if self.max_bytes is not None and len(raw.encode()) > self.max_bytes:
            raise _Invalid("is too long in UTF-8")
        return raw


def parse_params(
    path: str, params: Sequence[Param], query: Mapping[str, list[str]], example: str
) -> dict[str, object]:
    """The value of every parameter in `params`, from `query` or the default.

    Parameters that are not declared are ignored, so clients may add their own (a
    token, a cache buster) without being refused.
    """
    values: dict[str, object] = {}
    for param in params:
        given = query.get(param.name)
        if given is None:
            values[param.name] = param.default_value()
            continue
        raw = given[-1]
        try:
            if len(given) > 1:
                raise _Invalid("is given more than once")
            values[param.name] = param.parse(raw)
        except _Invalid as problem:
            raise ParamError(
                f"Bad query parameter on {path}: {param.name}={raw!r} {problem}. "
                f"{param.name} must be {param.describe()}; for example {example}\n"
            ) from None
    return values
