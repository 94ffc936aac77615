"""Building QActions the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    # Only for the annotation: the first use of QtCore.Qt builds its ~100 enum classes
    # (~20 ms), which the window's frame does without at start-up.
    from PySide6.QtCore import QObject, Qt


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[[], object],
    shortcuts: Sequence[str | QKeySequence] = (),
    context: Qt.ShortcutContext | None = None,
) -> QAction:
    """An action calling ``slot``; its shortcuts work anywhere in the window unless a
    narrower ``context`` is given."""
    action = QAction(text, parent)
    action.triggered.connect(slot)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if context is not None:
        action.setShortcutContext(context)
    return action


def without_mnemonic(text: str) -> str:
    """A menu or label text as shown: "&File" -> "File", "Save && close" -> "Save & close"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")
