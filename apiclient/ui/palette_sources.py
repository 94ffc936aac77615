"""What the command palette offers: saved requests, environments, history, menu actions.

Each source turns what the window already holds in memory into :class:`PaletteItem`s
(the collection's tree, its environments, the menus' actions, the History panel's
newest entries, which the panel read from its store in a worker). Running an item goes
through the window's own entry points, the same ones the sidebar, the environment
picker, the History panel and the menus use, so the palette adds no second path to
open, switch or trigger anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from apiclient.core.history import HistorySummary
from apiclient.core.store_nodes import FolderNode, RequestNode
from apiclient.ui.actions import without_mnemonic
from apiclient.ui.main_window import NO_ENVIRONMENT
from apiclient.ui.tasks import start_task

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from apiclient.core.models import AnyRequest
    from apiclient.ui.main_window import MainWindow

# The palette's own action: running it from the palette would only reopen the palette.
PALETTE_ACTION = "action.palette"
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class PaletteItem:
    """One row of the palette: ``kind`` is request, environment, history or action;
    ``key`` names it across openings (for "recently used"); ``badge`` is the word of its
    icon (a method or kind: GET, SOAP, ENV, CMD); ``request`` the saved request when it
    is one (its icon is the request's own)."""

    kind: str
    name: str
    detail: str
    key: str
    badge: str
    run: Callable[[], object]
    request: AnyRequest | None = None


def request_items(window: MainWindow) -> list[PaletteItem]:
    """Every saved request of the open collection, in the tree's order; the detail is
    its folder path."""
    tree = window.workspace.tree
    if tree is None:
        return []
    return [
        PaletteItem(
            "request",
            node.request.name,
            folder,
            f"request:{node.relpath}",
            "",
            lambda relpath=node.relpath: _open_saved(window, relpath),
            node.request,
        )
        for node, folder in _walk(tree, "")
    ]


def _open_saved(window: MainWindow, relpath: str) -> None:
    """Open the request and put the cursor in its main field, ready to edit or send (the
    sidebar leaves the focus in the tree instead: a person may be browsing it)."""
    window.open_saved_request(relpath)
    window.current_tab().focus_main_field()


def _walk(folder: FolderNode, path: str) -> Iterator[tuple[RequestNode, str]]:
    for child in folder.children:
        if isinstance(child, RequestNode):
            yield child, path or "Top level"
        else:
            yield from _walk(child, f"{path} / {child.name}" if path else child.name)


def environment_items(window: MainWindow) -> list[PaletteItem]:
    """Every environment of the collection, and "No environment"; the active one says so."""
    active = window.workspace.environment_name
    names = [env.name for env in window.workspace.environments()]
    return [
        PaletteItem(
            "environment",
            label,
            "Environment · active" if name == active else "Environment",
            f"environment:{name}",
            "ENV",
            lambda name=name: window.select_environment(name),
        )
        for name, label in [("", NO_ENVIRONMENT), *((name, name) for name in names)]
    ]


def action_items(window: MainWindow) -> list[PaletteItem]:
    """Every enabled action of the window's menus (not the palette's own), named as
    the menu names it ("Theme: Dark" for one in a submenu), with its shortcut."""
    items = []
    for menu in window.menuBar().actions():
        if menu.menu() is not None:
            items.extend(_menu_items(menu.menu(), _plain(menu.text()), ""))
    return items


def _menu_items(menu: QMenu, top: str, prefix: str) -> Iterator[PaletteItem]:
    for action in menu.actions():
        submenu = action.menu()
        if submenu is not None:
            yield from _menu_items(submenu, top, f"{prefix}{_plain(action.text())}: ")
            continue
        if action.isSeparator() or not action.isEnabled() or not action.text():
            continue
        if action.objectName() == PALETTE_ACTION:
            continue
        name = prefix + _plain(action.text())
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        detail = f"{top} · {keys}" if keys else top
        if action.isCheckable() and action.isChecked():
            detail += " · on"
        yield PaletteItem("action", name, detail, f"action:{name}", "CMD", action.trigger)


def _plain(text: str) -> str:
    """A menu text without its mnemonic ("&File") and ellipsis ("Import…")."""
    return without_mnemonic(text).rstrip("…").strip()


def history_items(window: MainWindow, entries: list[HistorySummary]) -> list[PaletteItem]:
    """``entries`` (the History panel's, newest first) as items; running one reopens
    it as the History panel's Open does."""
    return [
        PaletteItem(
            "history",
            _history_name(entry),
            _history_detail(entry),
            f"history:{entry.id}",
            entry.method,
            lambda entry_id=entry.id: start_task(reopen_history_entry(window, entry_id)),
        )
        for entry in entries[:HISTORY_LIMIT]
    ]


def _history_name(entry: HistorySummary) -> str:
    """The entry's name and where it went ("List playlists · GET localhost:8000/playlists"),
    so a few letters of either find it; the scheme is left out as noise."""
    target = f"{entry.method} {entry.url.split('://', 1)[-1]}".strip()
    return f"{entry.name} · {target}" if entry.name else target or "Untitled request"


def _history_detail(entry: HistorySummary) -> str:
    sent = datetime.fromisoformat(entry.sent_at).astimezone()
    today = datetime.now().astimezone().date()
    when = sent.strftime("%H:%M" if sent.date() == today else "%d %b %H:%M")
    return f"History · {when} · {entry.status}"


async def reopen_history_entry(window: MainWindow, entry_id: int) -> None:
    """Read the whole entry in a worker and reopen it as the History panel's Open does."""
    entry = await window.history.entry(entry_id)
    if entry is None:
        window.report_problem(
            "That history entry is gone (deleted meanwhile, or the history cannot be "
            "read); open the History panel (Ctrl+H) to see what it holds."
        )
        return
    window.open_history_entry(entry)
    window.current_tab().focus_main_field()
