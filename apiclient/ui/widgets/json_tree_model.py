"""The model behind the JSON tree: rows made only when the view asks for them, and
long arrays and objects shown in ranges of at most ``GROUP_ROWS`` rows.

A row's node is made when the view first asks for that row (scrolled into view, a
branch unfolded). The ranges keep every level short: QTreeView lays out all the rows of
an unfolded level, and 100,000 rows cost over a second of Python calls; grouped as
``[0 … 999]``, ``[1000 … 1999]``... they cost a hundred rows, and each range another
thousand when unfolded (nested ranges past a million), as browsers' developer tools do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from apiclient.core.response_filter import JsonPart, json_path_of

__all__ = ["COLUMNS", "GROUP_ROWS", "JsonNode", "JsonTreeModel", "json_type", "value_text"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Key", "Value", "Type")
GROUP_ROWS = 1_000
_SHOWN_CHARS = 300  # of a long string, in the value column
_TIP_CHARS = 2_000


def json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _shown(value: Any) -> str:
    """The value column: a summary for objects and arrays, the text of a scalar."""
    if isinstance(value, dict):
        return f"{{…}} {len(value):,} key{'' if len(value) == 1 else 's'}"
    if isinstance(value, list):
        return f"[…] {len(value):,} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, str):
        one_line = value.replace("\r", "").replace("\n", " ⏎ ")
        return one_line[:_SHOWN_CHARS] + ("…" if len(one_line) > _SHOWN_CHARS else "")
    return json.dumps(value)


def value_text(value: Any) -> str:
    """What Copy value puts on the clipboard: a string as it is, anything else as JSON
    (objects and arrays indented)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return json.dumps(value)


class JsonNode:
    """One row: a value (its key, label and path), or a range ``[lo, hi)`` of the
    members of its parent's value. Children are made on demand and kept."""

    __slots__ = (
        "_children",
        "_keys",
        "hi",
        "is_range",
        "label",
        "lo",
        "matches",
        "parent",
        "path",
        "row",
        "value",
    )

    def __init__(
        self,
        parent: JsonNode | None,
        row: int,
        value: Any,
        path: tuple[JsonPart, ...],
        label: str,
        span: tuple[int, int] | None = None,
    ) -> None:
        self.parent = parent
        self.row = row
        self.value = value
        self.path = path
        self.label = label
        self.is_range = span is not None
        size = len(value) if isinstance(value, dict | list) else 0
        self.lo, self.hi = span if span is not None else (0, size)
        # The filter's matches: the paths of this list's items, which are not their keys.
        self.matches: Sequence[tuple[JsonPart, ...]] | None = None
        self._children: dict[int, JsonNode] = {}
        self._keys: list[str] | None = None
        if parent is not None and self.is_range:  # a range lists its parent's members
            self._keys = parent._keys
            self.matches = parent.matches

    def _step(self) -> int:
        """How many members each child row stands for (1: the members themselves)."""
        size = self.hi - self.lo
        step = 1
        while -(-size // step) > GROUP_ROWS:
            step *= GROUP_ROWS
        return step

    def count(self) -> int:
        step = self._step()
        return -(-(self.hi - self.lo) // step)

    def child(self, row: int) -> JsonNode:
        node = self._children.get(row)
        if node is None:
            node = self._make_child(row)
            self._children[row] = node
        return node

    def _make_child(self, row: int) -> JsonNode:
        step = self._step()
        if isinstance(self.value, dict) and self._keys is None:
            self._keys = list(self.value)  # in insertion order, as the body has them
        if step > 1:
            lo = self.lo + row * step
            hi = min(self.hi, lo + step)
            label = f"[{lo} … {hi - 1}]"
            return JsonNode(self, row, self.value, self.path, label, (lo, hi))
        at = self.lo + row
        key: JsonPart = self._keys[at] if self._keys is not None else at
        value = self.value[key]
        if self.matches is not None:
            path = self.matches[at]
            return JsonNode(self, row, value, path, json_path_of(path))
        label = f"[{key}]" if isinstance(key, int) else str(key)
        return JsonNode(self, row, value, (*self.path, key), label)

    def members(self) -> Any:
        """The value this row stands for: a range's members as a list or an object."""
        if not self.is_range:
            return self.value
        if isinstance(self.value, dict):
            keys = self._keys if self._keys is not None else list(self.value)
            return {key: self.value[key] for key in keys[self.lo : self.hi]}
        return self.value[self.lo : self.hi]


class JsonTreeModel(QAbstractItemModel):
    """A read-only tree over a JSON value, made lazily (see the module's docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root = JsonNode(None, 0, [], (), "")

    def set_document(self, value: Any) -> None:
        """Show a whole document: the members (or items) of an object (array) at the
        top, or a single row ``$`` for a scalar."""
        self.beginResetModel()
        if isinstance(value, dict | list):
            self._root = JsonNode(None, 0, value, (), "$")
        else:
            self._root = JsonNode(None, 0, [value], (), "")
            self._root.matches = [()]
        self.endResetModel()

    def set_matches(self, values: Sequence[Any], paths: Sequence[tuple[JsonPart, ...]]) -> None:
        """Show a filter's matches, each labelled with (and copied as) its own path."""
        self.beginResetModel()
        self._root = JsonNode(None, 0, list(values), (), "")
        self._root.matches = paths
        self.endResetModel()

    def clear(self) -> None:
        self.set_document([])

    def node(self, index: _Index) -> JsonNode | None:
        return index.internalPointer() if index.isValid() else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self.node(parent) or self._root
        return node.count()

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:
        node = self.node(parent) or self._root
        return node.hi > node.lo and (not parent.isValid() or parent.column() == 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        node = self.node(parent) or self._root
        if not 0 <= row < node.count() or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, node.child(row))

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return node.label
            if node.is_range:
                return f"{node.hi - node.lo:,} of {len(node.value):,}" if column == 1 else ""
            return _shown(node.value) if column == 1 else json_type(node.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return json_path_of(node.path)
            if column == 1 and isinstance(node.value, str) and len(node.value) > _SHOWN_CHARS:
                return node.value[:_TIP_CHARS]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def depth_to_expand(self, limit: int) -> int | None:
        """How many levels below the top can be unfolded with at most ``limit`` rows in
        view: ``None`` when the whole tree fits, else the depth for ``expandToDepth``
        (-1: not even one level). Makes at most about ``limit`` nodes."""
        level = [self._root]
        rows = 0
        depth = -2  # the top level's rows are in view before any unfolding
        while level:
            following: list[JsonNode] = []
            for node in level:
                count = node.count()
                rows += count
                if rows > limit:
                    return max(depth, -1)
                following.extend(c for c in map(node.child, range(count)) if c.hi > c.lo)
            level = following
            depth += 1
        return None
