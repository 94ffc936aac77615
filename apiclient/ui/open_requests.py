"""The requests open in one protocol tab, as sub-tabs.

Each sub-tab is a whole :class:`RequestTab` (its own editor, response, send and
connection), so a person keeps several requests of one kind open side by side. The
group shows them in a document-mode tab bar: the request's badge and name, " ●" while it
holds unsaved edits, and its name in italics while it was never saved. It only shows
and orders them; the window decides what opens where and asks before one is closed.

Every sub-tab has a *slot*, the name its autosaved draft is kept under: the first of a
kind is ``<kind>``, later ones ``<kind>-2``, ``<kind>-3``... (the lowest number free), so
a draft comes back into the same place after a crash.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionTab,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.ui.focus_style import FocusRingStyle
from apiclient.ui.method_style import badge_icon
from apiclient.ui.tabs.request_tab import RequestTab

DIRTY_MARK = " ●"
DRAFT_TOOLTIP = "Not saved yet"
# Longer names are cut with "…" (the tooltip has the whole name and where it is saved).
MAX_LABEL_PX = 220
BADGE_SIZE = QSize(32, 16)


def slot_name(kind: str, number: int) -> str:
    """The draft slot of the ``number``-th sub-tab of ``kind`` (1 is the kind itself)."""
    return kind if number == 1 else f"{kind}-{number}"


class _DraftTabStyle(QProxyStyle):
    """Draws the label of a never-saved request in italics (a tab bar has one font for
    all its tabs; the style is the one place that paints each tab's label)."""

    def __init__(self, bar: _RequestTabBar) -> None:
        super().__init__(FocusRingStyle())  # the app's style (apiclient.ui.theme)
        self._bar = bar

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        italic = (
            element == QStyle.ControlElement.CE_TabBarTabLabel
            and widget is self._bar
            and isinstance(option, QStyleOptionTab)
            and self._bar.is_draft(option.tabIndex)
        )
        if italic:
            painter.save()
            font = QFont(painter.font())
            font.setItalic(True)
            painter.setFont(font)
            super().drawControl(element, option, painter, widget)
            painter.restore()
        else:
            super().drawControl(element, option, painter, widget)


class _RequestTabBar(QTabBar):
    """A tab bar whose never-saved tabs read in italics and where a middle-click closes."""

    middle_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pressed = -1
        self._draft_style = _DraftTabStyle(self)  # kept: a widget does not own its style
        self.setStyle(self._draft_style)

    def is_draft(self, index: int) -> bool:
        tab = self.tabData(index)
        return isinstance(tab, RequestTab) and tab.relpath is None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pressed = self.tabAt(event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            index = self.tabAt(event.position().toPoint())
            pressed, self._pressed = self._pressed, -1
            if index >= 0 and index == pressed:
                self.middle_clicked.emit(index)
            event.accept()
            return
        super().mouseReleaseEvent(event)


class OpenRequests(QWidget):
    """The sub-tabs of one protocol tab (objectName ``tab.<kind>.open``).

    Signals:
        close_requested(object): the user asked to close a sub-tab (its ×, a
            middle-click); the window asks about unsaved edits, then calls ``remove``.
        current_changed(object): another sub-tab (a ``RequestTab``) is in front.
        dirty_changed(bool): whether some sub-tab holds unsaved edits changed.
        tabs_changed: a sub-tab was opened, closed, moved, saved or renamed.
    """

    close_requested = Signal(object)
    current_changed = Signal(object)
    dirty_changed = Signal(bool)
    tabs_changed = Signal()

    def __init__(
        self,
        kind: str,
        label: str,
        make_tab: Callable[[], RequestTab],
        on_built: Callable[[RequestTab], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"tab.{kind}.open")
        self.kind = kind
        self._make_tab = make_tab
        self._on_built = on_built
        self._any_dirty = False
        # The sub-tabs in order, kept here too: the window stops their sends and
        # connections at shutdown, when the widgets may already be deleted.
        self._open: list[RequestTab] = []
        self._icons: dict[tuple[str, bool], QIcon] = {}
        self.bar = _RequestTabBar()
        self.bar.setObjectName(f"{kind}.open.tabs")
        self.pages = QTabWidget()
        self.pages.setObjectName(f"{kind}.open.pages")
        self.pages.setTabBar(self.bar)
        self.pages.setDocumentMode(True)
        self.pages.setTabsClosable(True)
        self.pages.setMovable(True)
        self.pages.setUsesScrollButtons(True)
        self.bar.setElideMode(Qt.TextElideMode.ElideRight)
        self.bar.setIconSize(BADGE_SIZE)  # badges are wider than tall
        self.bar.setAccessibleName(f"Open {label} requests")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.pages.tabCloseRequested.connect(self._on_pages_close_requested)
        self.bar.middle_clicked.connect(self._on_pages_close_requested)
        self.pages.currentChanged.connect(self._on_pages_current_changed)
        self.bar.tabMoved.connect(self._on_bar_tab_moved)
        self.open_tab()

    # -- what is open ----------------------------------------------------------------------

    def tabs(self) -> list[RequestTab]:
        """The open requests, in the order of their sub-tabs."""
        return list(self._open)

    def current(self) -> RequestTab:
        return self._tab_at(self.pages.currentIndex())

    def find(self, relpath: str) -> RequestTab | None:
        """The sub-tab showing the saved request at ``relpath``, if one does."""
        return next((tab for tab in self.tabs() if tab.relpath == relpath), None)

    def find_slot(self, slot: str) -> RequestTab | None:
        return next((tab for tab in self.tabs() if tab.slot == slot), None)

    def any_dirty(self) -> bool:
        return any(tab.dirty for tab in self.tabs())

    def _tab_at(self, index: int) -> RequestTab:
        tab = self.pages.widget(index)
        assert isinstance(tab, RequestTab)
        return tab

    # -- opening, focusing, closing -----------------------------------------------------------

    def open_tab(self, slot: str | None = None, focus: bool = True) -> RequestTab:
        """A new sub-tab with a blank request, after the current one; ``slot`` its draft
        slot (None: the lowest free)."""
        tab = self._make_tab()
        tab.slot = slot if slot is not None else self._free_slot()
        index = self.pages.currentIndex() + 1 if self.pages.count() else 0
        self.pages.insertTab(index, tab, "")
        self._open.insert(index, tab)
        self.bar.setTabData(index, tab)
        tab.title_changed.connect(lambda name, badge, tab=tab: self._show_label(tab, name, badge))
        tab.dirty_changed.connect(lambda _dirty: self._update_dirty())
        tab.refresh_title()
        self._on_built(tab)
        if focus:
            self.focus(tab)
        else:
            self._put_first(self.current())  # the stack lowered the new one below it
        self.tabs_changed.emit()
        return tab

    def focus(self, tab: RequestTab) -> None:
        self.pages.setCurrentWidget(tab)

    def remove(self, tab: RequestTab) -> None:
        """Take ``tab`` out of the group (the window has stopped it and deletes it);
        the last one is replaced by a blank request, so a kind always has one."""
        index = self.pages.indexOf(tab)
        if index < 0:
            return
        self.pages.removeTab(index)
        tab.hide()
        tab.setParent(None)  # no longer part of the window (lookups by name skip it)
        self._open.remove(tab)
        if self.pages.count() == 0:
            self.open_tab()
        self._update_dirty()
        self.tabs_changed.emit()

    def cycle(self, step: int) -> None:
        """Bring the next (``step`` 1) or previous (-1) sub-tab to the front, wrapping."""
        count = self.pages.count()
        if count > 1:
            self.pages.setCurrentIndex((self.pages.currentIndex() + step) % count)

    def _free_slot(self) -> str:
        taken = {tab.slot for tab in self.tabs()}
        number = 1
        while slot_name(self.kind, number) in taken:
            number += 1
        return slot_name(self.kind, number)

    def _on_bar_tab_moved(self, source: int, target: int) -> None:
        self._open.insert(target, self._open.pop(source))
        self.tabs_changed.emit()

    def _on_pages_close_requested(self, index: int) -> None:
        if 0 <= index < self.pages.count():
            self.close_requested.emit(self._tab_at(index))

    def _on_pages_current_changed(self, index: int) -> None:
        if index < 0:
            return
        tab = self._tab_at(index)
        self._put_first(tab)
        self.current_changed.emit(tab)

    @staticmethod
    def _put_first(tab: RequestTab) -> None:
        """Make ``tab`` the first among its siblings: a lookup by objectName
        (``findChild(QLineEdit, "rest.url")``, which tools and tests use) then finds the
        controls of the request in front before those of the ones behind it."""
        tab.lower()

    # -- labels ------------------------------------------------------------------------------

    def _show_label(self, tab: RequestTab, name: str, badge: str) -> None:
        index = self.pages.indexOf(tab)
        if index < 0:
            return
        name = name or "Untitled"
        mark = DIRTY_MARK if tab.dirty else ""
        metrics = QFontMetrics(self.bar.font())
        shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, MAX_LABEL_PX)
        self.pages.setTabText(index, shown + mark)
        self.pages.setTabIcon(index, self._icon(badge))
        where = tab.relpath or DRAFT_TOOLTIP
        self.pages.setTabToolTip(index, f"{name}{mark}\n{where}")
        unsaved = ", unsaved changes" if mark else ""
        self.bar.setAccessibleTabName(index, name + unsaved + ("" if tab.relpath else ", draft"))
        self.tabs_changed.emit()
        self.bar.update()

    def _icon(self, badge: str) -> QIcon:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        icon = self._icons.get((badge, dark))
        if icon is None:
            icon = self._icons[(badge, dark)] = badge_icon(badge, dark, BADGE_SIZE.height())
        return icon

    def _update_dirty(self) -> None:
        dirty = self.any_dirty()
        if dirty != self._any_dirty:
            self._any_dirty = dirty
            self.dirty_changed.emit(dirty)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: badges redrawn
            for tab in self.tabs():
                tab.refresh_title()
        super().changeEvent(event)
