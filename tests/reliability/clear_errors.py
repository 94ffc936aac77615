"""What every bad-input table asserts: the error is one of the app's own, and its message
is a sentence a person can act on.

An error is "clear" when it is a :class:`~apiclient.core.errors.CoreError` or a
:class:`~apiclient.protocols.errors.ProtocolError` (nothing else may escape an entry
point), its message is not empty, carries no traceback or object repr, and holds the
fragment the table expects (what failed, or where).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest

from apiclient.core.errors import CoreError
from apiclient.protocols.errors import ProtocolError

APP_ERRORS = (CoreError, ProtocolError)
_NOT_FOR_PEOPLE = re.compile(
    r"Traceback \(most recent call last\)|<[\w.]+ object at 0x|File \"[^\"]+\", line \d+"
)


def assert_clear(message: str, fragment: str) -> None:
    """``message`` reads as a sentence for a person and mentions ``fragment``
    (case-insensitive)."""
    assert message.strip(), "the message is empty"
    assert len(message.split()) >= 3, f"not a sentence: {message!r}"
    assert not _NOT_FOR_PEOPLE.search(message), f"internals in the message: {message!r}"
    assert fragment.casefold() in message.casefold(), f"{fragment!r} not in {message!r}"


def assert_clear_error(error: BaseException, fragment: str) -> None:
    """``error`` is one of the app's typed errors with a clear message."""
    assert isinstance(error, APP_ERRORS), (
        f"{type(error).__module__}.{type(error).__name__} escaped: {error!r}"
    )
    assert_clear(str(error), fragment)


def refused(call: Callable[[], Any], fragment: str) -> BaseException:
    """Run ``call``, which must fail with a clear error mentioning ``fragment``."""
    try:
        result = call()
    except Exception as exc:  # any escape is what the tables look for
        assert_clear_error(exc, fragment)
        return exc
    raise AssertionError(f"accepted without an error: {result!r}")


async def refused_async(call: Callable[[], Awaitable[Any]], fragment: str) -> BaseException:
    """As :func:`refused`, for a coroutine."""
    try:
        result = await call()
    except Exception as exc:
        assert_clear_error(exc, fragment)
        return exc
    raise AssertionError(f"accepted without an error: {result!r}")


def params(table: Sequence[tuple[Any, ...]]) -> list[Any]:
    """``pytest.param(input, fragment, id=...)`` for each ``(id, input, fragment)`` row of a
    table; a fourth item is the reason of a known bug whose fix belongs to another part
    of the code (the row then fails strictly, and passes once the fix lands)."""
    rows = []
    for case_id, given, fragment, *known_bug in table:
        marks = [pytest.mark.xfail(strict=True, reason=known_bug[0])] if known_bug else []
        rows.append(pytest.param(given, fragment, id=case_id, marks=marks))
    return rows
