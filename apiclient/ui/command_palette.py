"""The command palette (Ctrl+K): jump to a saved request, an environment, a history
entry or a menu action by typing a few letters of its name.

It opens at once with what the window holds in memory (the tree, the environments,
the menus) and the History panel's newest entries, and shows recently used items first.
Typing ranks every name by fuzzy match (:mod:`apiclient.core.fuzzy`); a query starting
with ">" looks at actions only, as in VS Code. Small collections are ranked on the GUI
thread (a few milliseconds); above ``SYNC_ITEMS`` names the index is built and each
query ranked in a worker thread, one at a time, the newest query winning, so typing
never waits on a 5,000-request collection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QIcon, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from apiclient.core.fuzzy import FuzzyIndex
from apiclient.ui.method_style import badge_icon, request_badge, request_icon
from apiclient.ui.palette_sources import (
    HISTORY_LIMIT,
    PaletteItem,
    action_items,
    environment_items,
    history_items,
    request_items,
)
from apiclient.ui.tasks import start_task

if TYPE_CHECKING:
    from apiclient.ui.main_window import MainWindow

ROW_LIMIT = 50
# Up to this many names, indexing and ranking run on the GUI thread (under 10 ms).
SYNC_ITEMS = 1500
RECENT_LIMIT = 20
# The empty palette shows this many requests, then the newest history entries.
DEFAULT_REQUESTS = 10
DEFAULT_HISTORY = 5
VISIBLE_ROWS = 12
ACTIONS_PREFIX = ">"
# Which kind wins a tie in score.
_KIND_ORDER = {"action": 0, "request": 1, "environment": 2, "history": 3}
_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_POSITIONS_ROLE = Qt.ItemDataRole.UserRole + 2
_ICON_SLOT = 56  # wide enough for the widest badge (OPTIONS) at 16 px
_PAD = 6
HINT = "↑↓ move · Enter open · Esc close · start with > for actions only"


@dataclass(frozen=True)
class _Row:
    item: PaletteItem
    positions: tuple[int, ...]


@dataclass(frozen=True)
class _Group:
    """Items searched together: one index over their names."""

    items: list[PaletteItem]
    index: FuzzyIndex

    @classmethod
    def of(cls, items: list[PaletteItem]) -> _Group:
        return cls(items, FuzzyIndex([item.name for item in items]))


def rank(groups: Sequence[_Group], query: str, actions_only: bool = False) -> list[_Row]:
    """The best ``ROW_LIMIT`` items of ``groups`` for ``query`` (a non-empty text)."""
    scored = []
    for group in groups:
        limit = None if actions_only else ROW_LIMIT
        for match in group.index.search(query, limit):
            item = group.items[match.index]
            if actions_only and item.kind != "action":
                continue
            key = (-match.score, _KIND_ORDER[item.kind], len(item.name))
            scored.append((key, len(scored), _Row(item, match.positions)))
    scored.sort(key=lambda entry: entry[:2])
    return [row for _key, _order, row in scored[:ROW_LIMIT]]


class PaletteModel(QAbstractListModel):
    """The rows shown: an item and the positions of its name's matched characters."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[_Row] = []

    def set_rows(self, rows: list[_Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.item.name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.StatusTipRole):
            return row.item.detail
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.item.name}, {row.item.detail}"
        if role == _ITEM_ROLE:
            return row.item
        if role == _POSITIONS_ROLE:
            return row.positions
        return None


class PaletteDelegate(QStyledItemDelegate):
    """Draws a row: the badge icon, the name with its matched characters in bold, and
    the detail in grey on the right."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons: dict[tuple[str, bool], QIcon] = {}

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(200, max(option.fontMetrics.height(), 16) + 2 * _PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item = index.data(_ITEM_ROLE)
        if not isinstance(item, PaletteItem):
            return
        painter.save()
        try:
            self._paint(painter, option, item, index.data(_POSITIONS_ROLE) or ())
        finally:
            painter.restore()

    def _paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        item: PaletteItem,
        positions: tuple[int, ...],
    ) -> None:
        widget: QWidget | None = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget
            )
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = option.rect.adjusted(_PAD, 0, -_PAD, 0)
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        icon = self._icon(item, dark)
        icon_size = icon.actualSize(QSize(_ICON_SLOT, 16))
        icon_rect = QRect(
            rect.left(),
            rect.top() + (rect.height() - icon_size.height()) // 2,
            icon_size.width(),
            icon_size.height(),
        )
        if selected:  # the badge's pale fill would vanish into the highlight
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(icon_rect, 3, 3)
        icon.paint(painter, icon_rect, Qt.AlignmentFlag.AlignLeft)

        left = rect.left() + _ICON_SLOT + _PAD
        middle = Qt.AlignmentFlag.AlignVCenter
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        # +2: an advance rounded down would elide a text that fits.
        detail_width = min(metrics.horizontalAdvance(item.detail) + 2, (rect.right() - left) // 2)
        detail = metrics.elidedText(item.detail, Qt.TextElideMode.ElideLeft, detail_width)
        painter.setPen(dim)
        detail_rect = QRect(rect.right() - detail_width, rect.top(), detail_width, rect.height())
        painter.drawText(detail_rect, middle | Qt.AlignmentFlag.AlignRight, detail)

        name_right = detail_rect.left() - 2 * _PAD
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setPen(text_color)
        x = left
        for text, strong in _runs(item.name, positions):
            room = name_right - x
            if room <= 0:
                break
            painter.setFont(bold if strong else option.font)
            run_metrics = painter.fontMetrics()
            shown = run_metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.drawText(QRect(x, rect.top(), room, rect.height()), middle, shown)
            x += run_metrics.horizontalAdvance(shown)
            if shown != text:
                break

    def _icon(self, item: PaletteItem, dark: bool) -> QIcon:
        """The item's badge icon, drawn once per badge and theme."""
        request = item.request
        badge = request_badge(request) if request is not None else item.badge
        key = (badge, dark)
        if key not in self._icons:
            self._icons[key] = (
                request_icon(request, dark) if request is not None else badge_icon(badge, dark)
            )
        return self._icons[key]


def _parse(text: str) -> tuple[str, bool]:
    """The query typed, and whether it asks for actions only (it starts with ">")."""
    text = text.strip()
    if text.startswith(ACTIONS_PREFIX):
        return text[len(ACTIONS_PREFIX) :].strip(), True
    return text, False


def _runs(name: str, positions: tuple[int, ...]) -> list[tuple[str, bool]]:
    """``name`` cut into runs of matched (True) and unmatched characters."""
    marked = set(positions)
    runs: list[tuple[str, bool]] = []
    for at, char in enumerate(name):
        strong = at in marked
        if runs and runs[-1][1] == strong:
            runs[-1] = (runs[-1][0] + char, strong)
        else:
            runs.append((char, strong))
    return runs


class CommandPalette(QFrame):
    """A popup over the window: a search field, the best matches, a hint line."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, Qt.WindowType.Popup)
        self.setObjectName("palette")
        self.setAccessibleName("Command palette")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._window = window
        self._memory: _Group | None = None  # requests, environments, actions
        self._memory_build: asyncio.Future[_Group] | None = None
        self._history = _Group.of([])
        self._recent = window.app_settings.palette_recent()  # kept across restarts
        self._pending: str | None = None  # the query a worker ranks next
        self._ranking: asyncio.Task[None] | None = None
        self._watched_history: object | None = None
        self._all_items: list[PaletteItem] = []

        self.search = QLineEdit(objectName="palette.search")
        self.search.setPlaceholderText("Go to a request, environment, history entry or action")
        self.search.setAccessibleName("Command palette search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(30)
        self.model = PaletteModel(self)
        self.results = QListView(objectName="palette.results")
        self.results.setAccessibleName("Matches")
        self.results.setModel(self.model)
        self.results.setItemDelegate(PaletteDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the keys
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel(objectName="palette.empty", wordWrap=True, visible=False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(HINT, objectName="palette.hint")
        for label in (self.hint, self.empty):
            label.setStyleSheet("color: palette(placeholder-text)")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.empty)
        layout.addWidget(self.hint)

        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.installEventFilter(self)
        self.results.clicked.connect(self._run_index)

    # -- opening -------------------------------------------------------------------------

    def popup(self) -> None:
        """Show the palette centred near the top of the window, empty and focused, with
        what is in memory now; the history's entries come as the History panel has them."""
        window = self._window
        items = [*action_items(window), *request_items(window), *environment_items(window)]
        self._memory = None
        self._memory_build = None
        if len(items) <= SYNC_ITEMS:
            self._memory = _Group.of(items)
        else:
            self._memory_build = asyncio.ensure_future(asyncio.to_thread(_Group.of, items))
        self._all_items = items
        self._watch_history()
        self._take_history()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._refresh()
        self._place()
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)

    def _place(self) -> None:
        window = self._window
        width = int(min(720, max(460, window.width() * 0.55)))
        origin = window.mapToGlobal(QPoint(0, 0))
        top = window.menuBar().height() + 24
        self.setGeometry(
            origin.x() + (window.width() - width) // 2,
            origin.y() + top,
            width,
            self.sizeHint().height(),
        )

    def _watch_history(self) -> None:
        panel = self._window.history
        if self._watched_history is not panel:
            panel.entries_shown.connect(self._on_history_changed)
            panel.entry_added.connect(self._on_history_changed)
            self._watched_history = panel

    def _take_history(self) -> None:
        """Read the newest history entries in a worker (whatever the History panel's
        search shows), then offer them."""
        start_task(self._read_history())

    async def _read_history(self) -> None:
        entries = await self._window.history.recent(HISTORY_LIMIT)
        if not isValid(self):  # the window closed meanwhile
            return
        self._history = _Group.of(history_items(self._window, entries))
        if self.isVisible():
            self._refresh()

    def _on_history_changed(self) -> None:
        self._take_history()

    # -- ranking -------------------------------------------------------------------------

    def _on_search_text_changed(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        query, actions_only = _parse(self.search.text())
        if not query:
            self._pending = None
            self._show(self._default_rows(actions_only), query)
            return
        if self._memory is not None and len(self._all_items) <= SYNC_ITEMS:
            self._show(rank([self._memory, self._history], query, actions_only), query)
            return
        self._pending = self.search.text()
        if self._ranking is None or self._ranking.done():
            self._ranking = start_task(self._rank_in_worker())

    async def _rank_in_worker(self) -> None:
        """Rank the newest query in a thread until no newer one is waiting."""
        while self._pending is not None:
            text, self._pending = self._pending, None
            memory, build = self._memory, self._memory_build
            if memory is None and build is not None:
                memory = await build
                if build is self._memory_build:  # not reopened meanwhile
                    self._memory = memory
            query, actions_only = _parse(text)
            groups = [group for group in (memory, self._history) if group is not None]
            rows = await asyncio.to_thread(rank, groups, query, actions_only)
            if self._pending is None and text == self.search.text():
                self._show(rows, query)

    def _default_rows(self, actions_only: bool) -> list[_Row]:
        """What the empty palette offers: recently used items, the actions, the first
        requests, the newest history entries, the environments, then more requests."""
        items = [*self._all_items, *self._history.items]
        if actions_only:
            items = [item for item in items if item.kind == "action"]
        by_kind: dict[str, list[PaletteItem]] = {kind: [] for kind in _KIND_ORDER}
        for item in items:
            by_kind[item.kind].append(item)
        requests = by_kind["request"]
        by_key = {item.key: item for item in items}
        ordered = [
            *(by_key[key] for key in self._recent if key in by_key),
            *by_kind["action"],
            *requests[:DEFAULT_REQUESTS],
            *by_kind["history"][:DEFAULT_HISTORY],
            *by_kind["environment"],
            *requests[DEFAULT_REQUESTS:],
        ]
        rows: list[_Row] = []
        seen: set[str] = set()
        for item in ordered:
            if item.key not in seen:
                seen.add(item.key)
                rows.append(_Row(item, ()))
                if len(rows) == ROW_LIMIT:
                    break
        return rows

    def _show(self, rows: list[_Row], query: str) -> None:
        self.model.set_rows(rows)
        self.results.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if rows:
            self.results.setCurrentIndex(self.model.index(0))
        else:
            self.empty.setText(
                f"Nothing matches “{query}”. Try fewer letters, or the first letters of "
                "each word (“gpl” for “Get playlists”)."
                if query
                else "Nothing to show: open a collection or send a request first."
            )
        self._fit(len(rows))

    def _fit(self, rows: int) -> None:
        """As tall as the rows shown (up to ``VISIBLE_ROWS``), as palettes are."""
        if rows:
            height = self.results.sizeHintForRow(0) * min(rows, VISIBLE_ROWS)
            self.results.setFixedHeight(height + 2 * self.results.frameWidth())
        self.layout().activate()  # the size hint of the rows shown, not of the last ones
        self.resize(self.width(), self.sizeHint().height())

    # -- keys and running ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            return self._on_search_key(event)  # type: ignore[arg-type]
        return super().eventFilter(watched, event)

    def _on_search_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        steps = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: self._page(),
            Qt.Key.Key_PageUp: -self._page(),
        }
        if key in steps:
            self._move(steps[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._run_index(self.results.currentIndex())
            return True
        if key == Qt.Key.Key_Escape:
            self.close()
            return True
        return False

    def _page(self) -> int:
        row = self.results.sizeHintForRow(0)
        return max(1, self.results.viewport().height() // row - 1) if row > 0 else 10

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        row = self.results.currentIndex().row()
        target = max(0, min(count - 1, row + step))
        if abs(step) == 1 and row >= 0:  # Up and Down wrap around, as in other palettes
            target = (row + step) % count
        self.results.setCurrentIndex(self.model.index(target))

    def _run_index(self, index: QModelIndex) -> None:
        item = index.data(_ITEM_ROLE) if index.isValid() else None
        if not isinstance(item, PaletteItem):
            return
        self._recent = [item.key, *(key for key in self._recent if key != item.key)][:RECENT_LIMIT]
        self._window.app_settings.set_palette_recent(self._recent)
        self.close()
        item.run()
