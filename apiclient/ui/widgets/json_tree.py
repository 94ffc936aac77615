"""A JSON document as a tree: key, value and type columns, folded and unfolded, with
"Copy value" (Ctrl+C) and "Copy path" (Ctrl+Shift+C, as a JSONPath).

The model (:mod:`json_tree_model`) makes rows only as they are shown and groups long
levels in ranges, so a 10 MB document costs one parse (done in a worker by the body
view) and then only what is on screen. "Expand all" unfolds as many levels as fit in
``EXPAND_ROWS`` rows: unfolding a million rows would hold the window for seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.response_filter import JsonPart, json_path_of
from apiclient.ui.widgets.json_tree_model import JsonNode, JsonTreeModel, value_text

__all__ = ["EXPAND_ROWS", "JsonTreeView"]

EXPAND_ROWS = 5_000
COPY_PATH_KEYS = QKeySequence("Ctrl+Shift+C")


def _small(value: Any, limit: int = 2_000) -> bool:
    """Whether ``value`` has at most ``limit`` values in all (a bounded walk): small
    enough to indent for the clipboard on the GUI thread."""
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        if isinstance(item, dict | list):
            seen += len(item)
            if seen > limit:
                return False
            pending.extend(item.values() if isinstance(item, dict) else item)
    return True


class _TreeView(QTreeView):
    """Ctrl+C copies the value, Ctrl+Shift+C the path (not Qt's copy of the cell);
    ``*`` unfolds the current branch within the same bound as Expand all."""

    def __init__(self, panel: JsonTreeView, object_name: str) -> None:
        super().__init__(objectName=object_name)
        self._panel = panel

    def event(self, event: QEvent) -> bool:
        """Claim the copy keys before the window's shortcuts see them (View >
        Collections is Ctrl+Shift+C too, for the rest of the window)."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            keys = QKeySequence(event.keyCombination())
            if event.matches(QKeySequence.StandardKey.Copy) or keys == COPY_PATH_KEYS:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self._panel.copy_value()
        elif QKeySequence(event.keyCombination()) == COPY_PATH_KEYS:
            self._panel.copy_path()
        elif event.key() == Qt.Key.Key_Asterisk:
            self._panel.expand_all()
        else:
            super().keyPressEvent(event)


class JsonTreeView(QWidget):
    """The tree with its Expand all / Collapse all buttons; ``prefix`` names the parts
    (``<prefix>.view``, ``<prefix>.expand_all``, ``<prefix>.collapse_all``,
    ``<prefix>.note``)."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = JsonTreeModel(self)
        self.view = _TreeView(self, f"{prefix}.view")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)  # rows are laid out without asking each one
        self.view.setAlternatingRowColors(True)
        self.view.setAccessibleName("JSON tree")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.expand = QPushButton("Expand all", objectName=f"{prefix}.expand_all")
        self.expand.setToolTip(f"Unfold every branch, up to {EXPAND_ROWS:,} rows (key: *)")
        self.collapse = QPushButton("Collapse all", objectName=f"{prefix}.collapse_all")
        self.collapse.setToolTip("Fold every branch")
        self.note = QLabel(objectName=f"{prefix}.note", wordWrap=True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.copy_value_action = self._action("Copy value", QKeySequence.StandardKey.Copy)
        self.copy_value_action.triggered.connect(self.copy_value)
        self.copy_path_action = self._action("Copy path", COPY_PATH_KEYS)
        self.copy_path_action.triggered.connect(self.copy_path)
        self._copying: asyncio.Future[None] | None = None  # held, or it may be collected

        # The buttons and the note; an owner may put them elsewhere (the body view puts
        # them beside its filter, to leave the tree the room).
        self.controls = QWidget()
        bar = QHBoxLayout(self.controls)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.expand)
        bar.addWidget(self.collapse)
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.view, 1)
        self.expand.clicked.connect(self.expand_all)
        self.collapse.clicked.connect(self.collapse_all)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)

    def _action(self, text: str, keys: QKeySequence | QKeySequence.StandardKey) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setShortcutVisibleInContextMenu(True)
        self.view.addAction(action)
        return action

    def show_document(self, value: Any) -> None:
        self.model.set_document(value)
        self._after_reset()

    def show_matches(self, values: Sequence[Any], paths: Sequence[tuple[JsonPart, ...]]) -> None:
        self.model.set_matches(values, paths)
        self._after_reset()

    def clear(self) -> None:
        self.model.clear()
        self._after_reset()

    def _after_reset(self) -> None:
        self.note.clear()
        # Wide enough for nested keys ([12] three levels down), not for a huge one.
        em = self.view.fontMetrics().horizontalAdvance("M")
        self.view.resizeColumnToContents(0)
        self.view.setColumnWidth(0, max(14 * em, min(self.view.columnWidth(0) + 4 * em, 28 * em)))
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def expand_all(self) -> None:
        depth = self.model.depth_to_expand(EXPAND_ROWS)
        if depth is None:
            self.view.expandAll()
            self.note.clear()
            return
        self.view.collapseAll()
        if depth >= 0:
            self.view.expandToDepth(depth)
        self.note.setText(
            f"Unfolded {depth + 1} level{'' if depth == 0 else 's'}: the whole tree has more "
            f"than {EXPAND_ROWS:,} rows. Unfold deeper branches one by one (→)."
            if depth >= 0
            else f"Unfolding even one level would show more than {EXPAND_ROWS:,} rows: "
            "unfold branches one by one (→)."
        )

    def collapse_all(self) -> None:
        self.view.collapseAll()
        self.note.clear()

    def current_node(self) -> JsonNode | None:
        return self.model.node(self.view.currentIndex())

    def copy_path(self) -> None:
        node = self.current_node()
        if node is not None:
            QGuiApplication.clipboard().setText(json_path_of(node.path))

    def copy_value(self) -> None:
        """Copy the current value: a big object or array is indented in a worker."""
        node = self.current_node()
        if node is None:
            return
        value = node.members()
        if _small(value):
            QGuiApplication.clipboard().setText(value_text(value))
            return
        self._copying = asyncio.ensure_future(self._copy_in_worker(value))

    async def _copy_in_worker(self, value: Any) -> None:
        self.note.setText("Copying…")
        text = await asyncio.to_thread(value_text, value)
        QGuiApplication.clipboard().setText(text)
        if not shiboken6.isValid(self):  # closed with its window meanwhile
            return
        self.note.setText("Copied.")

    def _on_view_context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if index.isValid():
            self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.copy_value_action)
        menu.addAction(self.copy_path_action)
        menu.addSeparator()
        menu.addAction("Expand all", self.expand_all)
        menu.addAction("Collapse all", self.collapse_all)
        enabled = index.isValid()
        self.copy_value_action.setEnabled(enabled)
        self.copy_path_action.setEnabled(enabled)
        menu.exec(self.view.viewport().mapToGlobal(point))
        self.copy_value_action.setEnabled(True)
        self.copy_path_action.setEnabled(True)
