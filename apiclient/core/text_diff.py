"""Comparing two responses: a unified, line-based diff of their (pretty) texts, and what
changed in the status line and the headers.

difflib is CPU-bound on long texts: the UI runs :func:`diff_texts` in a worker thread.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["TextDiff", "diff_texts", "header_changes", "summary"]

MAX_DIFF_LINES = 20_000
"""The diff shown stops after this many lines (the counts still cover the whole)."""


@dataclass(frozen=True)
class TextDiff:
    """A unified diff without its ``---``/``+++`` header lines: each line starts with
    ``@@`` (a hunk), ``+`` (added), ``-`` (removed) or a space (context)."""

    lines: tuple[str, ...]
    added: int
    removed: int
    truncated: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def summary(self) -> str:
        return summary(self.added, self.removed)


def summary(added: int, removed: int) -> str:
    """``+3 −1 lines``, or ``No differences``."""
    if not added and not removed:
        return "No differences"
    return f"+{added:,} −{removed:,} lines"


def diff_texts(old: str, new: str, context: int = 3, max_lines: int = MAX_DIFF_LINES) -> TextDiff:
    """The unified diff of ``old`` to ``new``, line by line."""
    if old == new:
        return TextDiff((), 0, 0)
    lines: list[str] = []
    added = removed = 0
    truncated = False
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    for line in diff:
        if line.startswith(("---", "+++")) and not lines:
            continue  # the file header: the view says what is compared
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
        if len(lines) < max_lines:
            lines.append(line)
        else:
            truncated = True
    return TextDiff(tuple(lines), added, removed, truncated)


def header_changes(old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]) -> list[str]:
    """What changed in the headers, one phrase each: ``x-new added``, ``etag changed``,
    ``x-old removed`` (names compared without case, repeated headers joined)."""

    def joined(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
        found: dict[str, list[str]] = {}
        for name, value in headers:
            found.setdefault(name.lower(), []).append(value)
        return {name: ", ".join(values) for name, values in found.items()}

    before, after = joined(old), joined(new)
    changes = []
    for name, value in after.items():
        if name not in before:
            changes.append(f"{name} added")
        elif before[name] != value:
            changes.append(f"{name} changed")
    changes += [f"{name} removed" for name in before if name not in after]
    return changes
