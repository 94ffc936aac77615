"""The sidebar's filter: which requests and folders stay in view while the user types.

Qt's own recursive filter asks the model for each row's text through Python, for every
row of the tree, at each keystroke; for thousands of requests that takes longer than a
keystroke should. Here the model works out the rows to keep in one pass over its tree
(``CollectionTreeModel.matching``, over search texts it keeps from one keystroke to the
next), and the proxy only looks rows up in that set, lazily: rows inside a folder are
looked at when the view shows the folder's children.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from apiclient.core.store_nodes import FolderNode
from apiclient.ui.collection_model import CollectionTreeModel


class CollectionFilter(QSortFilterProxyModel):
    """Keeps the requests whose name, target or body holds the text (any case), the
    folders whose name does (with everything in them), and the folders above either."""

    def __init__(self, model: CollectionTreeModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._needle = ""
        self._shown: set[int] = set()
        self._parents: set[int] = set()
        self._shown_for = -1  # the model generation the sets were worked out for
        self.setSourceModel(model)

    def set_text(self, text: str) -> None:
        """Filter by ``text`` ("" shows everything)."""
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.10
            self._set_needle(text)
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()
        self._set_needle(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _set_needle(self, text: str) -> None:
        self._needle = text.casefold()
        self._shown_for = -1

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._needle:
            return True
        if self._shown_for != self._model.generation:
            self._refresh()
        folder = source_parent.internalPointer() if source_parent.isValid() else self._model.tree
        children = getattr(folder, "children", ())
        return 0 <= source_row < len(children) and id(children[source_row]) in self._shown

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        # Answered from the tree, not by filtering the folder's rows as Qt would: the view
        # asks this of every row it lays out, and each folder filtered once is filtered
        # again at every keystroke.
        if not parent.isValid():
            return super().hasChildren(parent)
        folder = self.mapToSource(parent).internalPointer()
        if not isinstance(folder, FolderNode) or not folder.children:
            return False
        if not self._needle:
            return True
        if self._shown_for != self._model.generation:
            self._refresh()
        return id(folder) in self._parents

    def _refresh(self) -> None:
        # After the model shows a new tree the ids are those of its nodes: work them out
        # again (on the first row Qt asks about, before it asks about any other).
        self._shown, self._parents = self._model.matching(self._needle)
        self._shown_for = self._model.generation
