"""A big collection in the window: 5,000 requests open, show and filter; an outline shows
while a big one is read; files that cannot be read among hundreds are listed, the rest
loads."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from big_collection import request_name, request_sku, request_url, write_big_collection
from PySide6.QtCore import QModelIndex, Qt

from apiclient.core.store import CollectionStore, RequestNode
from apiclient.ui.collections_sidebar import PROBLEM_LINES


def shown_requests(sidebar) -> list[str]:
    """The names of the requests the sidebar's (filtered) tree holds, expanded or not."""
    proxy = sidebar.proxy
    names: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            node = sidebar.model.node(proxy.mapToSource(index))
            if isinstance(node, RequestNode):
                names.append(node.request.name)
            walk(index)

    walk(QModelIndex())
    return names


def type_filter(qtbot, sidebar, text: str) -> list[str]:
    sidebar.filter.clear()
    qtbot.keyClicks(sidebar.filter, text)
    return shown_requests(sidebar)


def test_five_thousand_requests_open_and_filter_by_name_url_and_body(qtbot, make_window, tmp_path):
    root = write_big_collection(tmp_path / "big", folders=200, per_folder=25)
    window = make_window(root)
    sidebar = window.sidebar
    assert window.workspace.store.root == root
    assert sidebar.tree.isVisible() and not sidebar.loading.isVisible()
    assert sidebar.model.rowCount() == 200
    assert len(shown_requests(sidebar)) == 5000
    first = sidebar.model.index(0, 0, sidebar.model.index(0, 0))
    assert first.data() == request_name(0, 0)  # the method is the row's badge icon
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == f"GET {request_name(0, 0)}"

    by_name = type_filter(qtbot, sidebar, request_name(57, 3).lower())
    assert by_name == [request_name(57, 3)]
    folder = sidebar.proxy.index(0, 0)
    assert folder.data() == "Folder 57"
    assert sidebar.tree.isExpanded(folder)  # the match is in view
    assert type_filter(qtbot, sidebar, request_url(123, 1).split("v1/")[1]) == [
        request_name(123, 1)
    ]
    assert type_filter(qtbot, sidebar, request_sku(42, 17).upper()) == [request_name(42, 17)]
    assert type_filter(qtbot, sidebar, "no such request") == []
    # A folder found by its name comes with everything in it.
    assert type_filter(qtbot, sidebar, "folder 199") == [request_name(199, r) for r in range(25)]

    # A short text matches everything: all of it stays reachable, a screenful opens.
    everything = type_filter(qtbot, sidebar, "e")
    assert len(everything) == 5000
    opened = [sidebar.proxy.index(r, 0) for r in range(sidebar.proxy.rowCount())]
    assert 0 < sum(sidebar.tree.isExpanded(i) for i in opened) < 200

    sidebar.filter.clear()
    assert sidebar.proxy.rowCount() == 200
    assert len(shown_requests(sidebar)) == 5000
    assert not any(sidebar.tree.isExpanded(sidebar.proxy.index(r, 0)) for r in range(200))


def test_a_filter_stays_applied_while_the_tree_changes(qtbot, make_window, tmp_path, run):
    root = write_big_collection(tmp_path / "big", folders=20, per_folder=20)
    window = make_window(root)
    sidebar = window.sidebar
    assert type_filter(qtbot, sidebar, request_sku(3, 4)) == [request_name(3, 4)]
    run(window.workspace.rename("folder-003/request-3-4.yaml", "Renamed"))
    assert shown_requests(sidebar) == ["Renamed"]  # found by its body still
    run(window.workspace.rename("folder-005/request-5-5.yaml", request_sku(3, 4)))
    assert sorted(shown_requests(sidebar)) == ["Renamed", request_sku(3, 4)]


def test_a_big_collection_shows_its_outline_while_it_is_read(
    qtbot, make_window, tmp_path, monkeypatch, sample
):
    window = make_window(sample)
    sidebar = window.sidebar
    root = write_big_collection(tmp_path / "big", folders=12, per_folder=30)
    release = threading.Event()
    read = CollectionStore.open

    def held_read(path: Path, *args: object, **kwargs: Any) -> CollectionStore:
        if path == root:
            release.wait(timeout=30)
        return read(path, *args, **kwargs)

    monkeypatch.setattr(CollectionStore, "open", held_read)
    opening = asyncio.ensure_future(window.open_collection(root))
    qtbot.waitUntil(lambda: sidebar.model.outline)
    assert sidebar.tree.isVisible() and sidebar.loading.isVisible()
    assert "360 requests" in sidebar.loading.text()
    assert sidebar.title.text() == "<b>Big</b>"
    assert sidebar.model.rowCount() == 12
    assert len(shown_requests(sidebar)) == 360
    assert window.workspace.store.root == sample  # nothing is open from the outline yet
    assert type_filter(qtbot, sidebar, request_name(4, 7)) == [request_name(4, 7)]
    sidebar.filter.clear()

    folder = sidebar.proxy.index(4, 0)
    sidebar.tree.expand(folder)
    target = sidebar.proxy.index(7, 0, folder)
    sidebar.tree.setCurrentIndex(target)
    assert sidebar.current_relpath() is None  # no rename, move or delete on an outline
    assert not sidebar.model.flags(sidebar.proxy.mapToSource(target)) & (
        Qt.ItemFlag.ItemIsDragEnabled
    )
    sidebar.tree.doubleClicked.emit(target)  # opened once the collection is read

    release.set()
    qtbot.waitUntil(opening.done)
    assert opening.result()
    assert not sidebar.model.outline and not sidebar.loading.isVisible()
    assert window.workspace.store.root == root
    assert window.rest.relpath == "folder-004/request-4-7.yaml"
    assert window.rest.editor.url.text() == request_url(4, 7)
    assert sidebar.tree.isExpanded(
        sidebar.proxy.mapFromSource(sidebar.model.index_of("folder-004"))
    )


def test_files_that_cannot_be_read_among_hundreds_are_listed_and_the_rest_loads(
    make_window, tmp_path
):
    root = write_big_collection(tmp_path / "big", folders=20, per_folder=20)
    items = root / "items"
    for n in range(30):
        (items / f"folder-{n % 20:03d}" / f"bad-{n}.yaml").write_bytes(b"kind: rest\nname: \xff\n")
    (items / "folder-000" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(items / "folder-001" / "pipe.yaml")  # reading it would block forever
    (items / "folder-002" / "dir.yaml").mkdir()  # a folder with a .yaml name is a folder

    window = make_window(root)
    store = window.workspace.store
    assert sum(isinstance(n, RequestNode) for n in _walk(store.tree)) == 400
    reasons = {p.path.name: p.reason for p in store.problems}
    assert len(reasons) == 32
    assert "not UTF-8" in reasons["bad-0.yaml"]
    assert "symbolic link" in reasons["gone.yaml"]
    assert "not a regular file" in reasons["pipe.yaml"]

    text = window.sidebar.problems.text()
    assert window.sidebar.problems.isVisible()
    assert text.startswith("32 files could not be loaded")
    assert len(text.splitlines()) == 1 + PROBLEM_LINES + 1
    assert text.splitlines()[-1] == f"… and {32 - PROBLEM_LINES} more"
    assert "folder-000/bad-0.yaml: not UTF-8" in text  # paths inside the collection
    assert str(root) not in text
    assert len(window.sidebar.problems.toolTip().splitlines()) == 1 + 32  # all of them


def _walk(folder):
    for child in folder.children:
        yield child
        if hasattr(child, "children"):
            yield from _walk(child)


class HeldReads:
    """``CollectionStore.open`` held for some roots until released, with how each read ended."""

    def __init__(self, monkeypatch, *roots: Path) -> None:
        self.release = {root: threading.Event() for root in roots}
        self.ended: dict[Path, str] = {}
        read = CollectionStore.open

        def held_read(path: Path, *args: object, **kwargs: Any) -> CollectionStore:
            if path in self.release:
                self.release[path].wait(timeout=30)
            try:
                store = read(path, *args, **kwargs)
            except Exception as exc:
                self.ended[path] = type(exc).__name__
                raise
            self.ended[path] = "read"
            return store

        monkeypatch.setattr(CollectionStore, "open", held_read)


def _set_url(root: Path, relpath: str, folder: int, request: int, url: str) -> Path:
    """Give a request of a generated collection another URL on disk; returns its file."""
    path = root / "items" / relpath
    path.write_text(path.read_text().replace(request_url(folder, request), url))
    return path


def _activate(qtbot, sidebar, folder: int, request: int) -> None:
    """Double-click a request of a generated collection in the sidebar."""
    folder_index = sidebar.proxy.index(folder, 0)
    sidebar.tree.expand(folder_index)
    sidebar.tree.doubleClicked.emit(sidebar.proxy.index(request, 0, folder_index))


def test_changes_to_the_open_collection_never_replace_the_outline(
    qtbot, make_window, tmp_path, monkeypatch, run
):
    open_ = write_big_collection(tmp_path / "open", folders=6, per_folder=10, name="Open")
    window = make_window(open_)
    sidebar = window.sidebar
    big = write_big_collection(tmp_path / "big", folders=12, per_folder=30)
    held = HeldReads(monkeypatch, big)
    opening = asyncio.ensure_future(window.open_collection(big))
    qtbot.waitUntil(lambda: sidebar.model.outline)

    # The open collection changes on disk and is read again meanwhile.
    _set_url(open_, "folder-004/request-4-7.yaml", 4, 7, "http://open.example/4-7")
    assert run(window.workspace.reload())
    assert sidebar.model.outline and sidebar.loading.isVisible()
    assert sidebar.title.text() == "<b>Big</b>"
    assert sidebar.model.rowCount() == 12
    _activate(qtbot, sidebar, 4, 7)
    assert window.rest.relpath is None  # opened once the big collection is read

    held.release[big].set()
    qtbot.waitUntil(opening.done)
    assert opening.result() and window.workspace.store.root == big
    assert window.rest.relpath == "folder-004/request-4-7.yaml"
    assert window.rest.editor.url.text() == request_url(4, 7)


def test_a_request_of_the_collection_open_before_is_never_saved_into_the_next(
    qtbot, make_window, tmp_path, run, dialogs
):
    open_ = write_big_collection(tmp_path / "open", folders=6, per_folder=10, name="Open")
    _set_url(open_, "folder-004/request-4-7.yaml", 4, 7, "http://open.example/4-7")
    window = make_window(open_)
    _activate(qtbot, window.sidebar, 4, 7)
    assert window.rest.relpath == "folder-004/request-4-7.yaml"
    other = write_big_collection(tmp_path / "other", folders=6, per_folder=10, name="Other")
    kept = (other / "items" / "folder-004" / "request-4-7.yaml").read_bytes()

    # Opened by a way that does not first clear the tabs (as a drop or an import does).
    assert run(window.open_collection(other))
    assert window.rest.relpath is None and window.rest.dirty  # an unsaved draft now
    assert window.rest.editor.url.text() == "http://open.example/4-7"  # nothing lost
    assert not run(window.save())  # asks for a name (answered with Cancel here)
    assert dialogs.asked == ["Save request: Request name:"]
    assert (other / "items" / "folder-004" / "request-4-7.yaml").read_bytes() == kept


def test_a_failed_new_collection_leaves_the_big_one_opening(
    qtbot, make_window, tmp_path, monkeypatch, dialogs, sample
):
    from apiclient.ui import dialogs as app_dialogs

    window = make_window(sample)
    sidebar = window.sidebar
    big = write_big_collection(tmp_path / "big", folders=12, per_folder=30)
    held = HeldReads(monkeypatch, big)
    opening = asyncio.ensure_future(window.open_collection(big))
    qtbot.waitUntil(lambda: sidebar.model.outline)

    taken = tmp_path / "taken"
    (taken / "notes.txt").parent.mkdir()
    (taken / "notes.txt").write_text("not empty")

    async def chosen(*_args: object) -> str:
        return str(taken)

    monkeypatch.setattr(app_dialogs, "existing_directory", chosen)
    dialogs.texts.append("New one")
    creating = window._on_new_collection()
    qtbot.waitUntil(creating.done)
    assert "not an empty folder" in window.statusBar().currentMessage()
    assert sidebar.model.outline and sidebar.loading.isVisible()  # still opening

    held.release[big].set()
    qtbot.waitUntil(opening.done)
    assert opening.result() and window.workspace.store.root == big
    assert not sidebar.model.outline and not sidebar.loading.isVisible()


def test_a_new_collection_made_while_a_big_one_opens_wins_and_stops_its_read(
    qtbot, make_window, tmp_path, monkeypatch, run, sample
):
    window = make_window(sample)
    sidebar = window.sidebar
    big = write_big_collection(tmp_path / "big", folders=12, per_folder=30)
    held = HeldReads(monkeypatch, big)
    opening = asyncio.ensure_future(window.open_collection(big))
    qtbot.waitUntil(lambda: sidebar.model.outline)
    _activate(qtbot, sidebar, 4, 7)  # to be opened once the big one is read

    new = tmp_path / "new"
    run(window.workspace.create_collection(new, "New"))
    assert not sidebar.model.outline and not sidebar.loading.isVisible()
    assert sidebar.title.text() == "<b>New</b>"
    held.release[big].set()
    qtbot.waitUntil(opening.done)
    assert opening.result() is False
    assert held.ended[big] == "_Superseded"  # stopped after its first 250 files
    assert window.workspace.store.root == new
    assert sidebar.title.text() == "<b>New</b>" and not sidebar.loading.isVisible()
    assert window.rest.relpath is None  # the request chosen on the outline is not New's


def test_a_superseded_read_neither_reports_its_progress_nor_goes_on(
    qtbot, make_window, tmp_path, monkeypatch, sample
):
    window = make_window(sample)
    sidebar = window.sidebar
    first = write_big_collection(tmp_path / "first", folders=12, per_folder=50, name="First")
    second = write_big_collection(tmp_path / "second", folders=10, per_folder=40, name="Second")
    held = HeldReads(monkeypatch, first, second)
    opening_first = asyncio.ensure_future(window.open_collection(first))
    qtbot.waitUntil(lambda: sidebar.model.outline)
    opening_second = asyncio.ensure_future(window.open_collection(second))
    qtbot.waitUntil(lambda: sidebar.title.text() == "<b>Second</b>")

    held.release[first].set()
    qtbot.waitUntil(opening_first.done)
    assert opening_first.result() is False
    qtbot.wait(50)  # any progress the first read sent has arrived by now
    assert sidebar.loading.text() == "Reading the 400 requests…"
    assert held.ended[first] == "_Superseded"  # stopped after its first 250 files

    held.release[second].set()
    qtbot.waitUntil(opening_second.done)
    assert opening_second.result() and window.workspace.store.root == second


def test_a_failed_open_keeps_the_open_collections_folders_expanded(qtbot, make_window, tmp_path):
    open_ = write_big_collection(tmp_path / "open", folders=6, per_folder=10, name="Open")
    window = make_window(open_)
    sidebar = window.sidebar
    sidebar.tree.expand(sidebar.proxy.index(1, 0))
    sidebar.tree.expand(sidebar.proxy.index(3, 0))
    newer = write_big_collection(tmp_path / "newer", folders=12, per_folder=30, name="Newer")
    settings = newer / "collection.yaml"
    settings.write_text(settings.read_text().replace("schema_version: 1", "schema_version: 99"))

    with qtbot.waitSignal(window.workspace.outline_read):  # the outline does not check it
        opening = asyncio.ensure_future(window.open_collection(newer))
    qtbot.waitUntil(opening.done)
    assert opening.result() is False
    assert "schema" in sidebar.problems.text()
    assert window.workspace.store.root == open_ and not sidebar.model.outline
    expanded = [r for r in range(6) if sidebar.tree.isExpanded(sidebar.proxy.index(r, 0))]
    assert expanded == [1, 3]


def test_a_read_whose_window_is_gone_stops_quietly(qtbot, qt_loop, tmp_path, monkeypatch):
    import shiboken6

    from apiclient.ui.workspace import Workspace

    workspace = Workspace()
    big = write_big_collection(tmp_path / "big", folders=12, per_folder=30)
    held = HeldReads(monkeypatch, big)
    with qtbot.waitSignal(workspace.outline_read):
        opening = asyncio.ensure_future(workspace.open_collection(big))
    shiboken6.delete(workspace)  # the window closed while the worker reads
    held.release[big].set()
    qtbot.waitUntil(opening.done)
    assert opening.result() is None
    assert held.ended[big] == "_Superseded"
