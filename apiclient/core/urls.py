"""The URL field and the params table are two views of one text; this keeps them in step.

Pure text work: nothing is encoded, decoded or normalised, so whatever the user typed
(``{{variables}}``, ``%20``, spaces, a stray ``=``) comes back exactly. Delimiters inside a
``{{variable}}`` reference are not delimiters.

A ``#fragment`` stays with the base: ``split_url("http://h/p?a=1#top")`` gives the base
``http://h/p#top`` and ``join_url`` puts the query back in front of the ``#``. A ``?`` that
comes after the ``#`` belongs to the fragment (as in RFC 3986), so that URL has no query.
Round trip: ``join_url(*split_url(text)) == text`` for every text.
"""

from __future__ import annotations

from apiclient.core.models import KeyValue
from apiclient.core.variables import find_variables


def _find_outside_vars(text: str, char: str, start: int = 0) -> int:
    """Index of the first ``char`` at or after ``start`` not inside ``{{...}}``, or -1."""
    spans = [(ref.start, ref.end) for ref in find_variables(text)]
    index = text.find(char, start)
    while index != -1:
        inside = next((end for begin, end in spans if begin <= index < end), None)
        if inside is None:
            return index
        index = text.find(char, inside)
    return -1


def _split_outside_vars(text: str, char: str) -> list[str]:
    parts = []
    start = 0
    while (index := _find_outside_vars(text, char, start)) != -1:
        parts.append(text[start:index])
        start = index + 1
    parts.append(text[start:])
    return parts


def _parse_row(segment: str) -> KeyValue:
    eq = _find_outside_vars(segment, "=")
    if eq == -1:
        return KeyValue(name=segment, bare=True)
    return KeyValue(name=segment[:eq], value=segment[eq + 1 :])


def _render_row(row: KeyValue) -> str:
    if row.bare and not row.value:
        return row.name
    return f"{row.name}={row.value}"


def split_url(raw: str) -> tuple[str, list[KeyValue]]:
    """The base (with any ``#fragment``) and one enabled row per ``&``-separated query part.

    ``http://h/p`` has no rows; ``http://h/p?`` has one empty row, so the ``?`` survives.
    A part without ``=`` becomes a ``bare`` row and is written back without ``=``.
    """
    question = _find_outside_vars(raw, "?")
    hash_ = _find_outside_vars(raw, "#")
    if question == -1 or (hash_ != -1 and hash_ < question):
        return raw, []
    if hash_ == -1:
        base, query = raw[:question], raw[question + 1 :]
    else:
        base, query = raw[:question] + raw[hash_:], raw[question + 1 : hash_]
    return base, [_parse_row(part) for part in _split_outside_vars(query, "&")]


def join_url(base: str, params: list[KeyValue]) -> str:
    """``base`` with the enabled rows as its query (before any ``#fragment``).

    Without enabled rows there is no ``?`` at all.
    """
    enabled = [row for row in params if row.enabled]
    if not enabled:
        return base
    query = "?" + "&".join(_render_row(row) for row in enabled)
    hash_ = _find_outside_vars(base, "#")
    if hash_ == -1:
        return base + query
    return base[:hash_] + query + base[hash_:]


def merge_params(old: list[KeyValue], typed: list[KeyValue]) -> list[KeyValue]:
    """The params table after the user edited the URL text.

    The enabled rows become exactly ``typed``; the disabled rows of ``old`` (which the URL
    text cannot show) are kept, each after as many typed rows as it had enabled rows
    before it. A typed row that matches an old enabled row by name keeps its description.
    """
    descriptions: dict[str, list[str]] = {}
    for row in old:
        if row.enabled and row.description:
            descriptions.setdefault(row.name, []).append(row.description)
    enabled_rows = []
    for row in typed:
        kept = descriptions.get(row.name)
        if kept and not row.description:
            row = row.model_copy(update={"description": kept.pop(0)})
        enabled_rows.append(row.model_copy(update={"enabled": True}))

    anchored: list[list[KeyValue]] = [[] for _ in range(len(enabled_rows) + 1)]
    seen_enabled = 0
    for row in old:
        if row.enabled:
            seen_enabled += 1
        else:
            anchored[min(seen_enabled, len(enabled_rows))].append(row)
    merged = list(anchored[0])
    for row, disabled_after in zip(enabled_rows, anchored[1:], strict=True):
        merged.append(row)
        merged.extend(disabled_after)
    return merged
