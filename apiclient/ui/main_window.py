"""The main window: collections sidebar, protocol tabs, environment picker, mock servers.

It wires the parts together and owns what spans them: opening and saving requests,
asking before unsaved work is dropped, and remembering the layout between runs.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)
from qasync import asyncSlot

from apiclient import __version__
from apiclient.core.errors import CoreError
from apiclient.core.models import RestRequest
from apiclient.core.paths import data_dir, resources_dir
from apiclient.core.store import RequestNode
from apiclient.ui.actions import make_action
from apiclient.ui.collections_sidebar import CollectionsSidebar
from apiclient.ui.environment_editor import EnvironmentEditor
from apiclient.ui.mocks_panel import MocksPanel
from apiclient.ui.settings import AppSettings
from apiclient.ui.tabs.rest import RestTab
from apiclient.ui.workspace import NoCollectionError, Workspace

SAMPLE_COLLECTION = "sample-collection"
NO_ENVIRONMENT = "No environment"


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings, ephemeral_mocks: bool = False) -> None:
        super().__init__()
        self.setObjectName("apiclient")
        self.setWindowTitle("apiclient")
        self.resize(1280, 820)
        self._settings = settings
        self._closing_confirmed = False
        self._new_request_folder = ""
        self._confirming: asyncio.Future[None] | None = None
        self.workspace = Workspace(self)

        self.sidebar = CollectionsSidebar(self.workspace)
        self.rest = RestTab(self.workspace)
        self.tabs = QTabWidget(objectName="protocol.tabs")
        self.tabs.addTab(self.rest, "REST")
        self.splitter = QSplitter(objectName="main.splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])
        self.setCentralWidget(self.splitter)

        self.environment_picker = QComboBox(objectName="environment.picker")
        self.environment_picker.setMinimumWidth(180)
        self.environment_picker.setToolTip("Variables of the chosen environment apply to sends")
        self.edit_environments = QPushButton("Environments…", objectName="environment.edit")
        self.mocks = MocksPanel(ephemeral=ephemeral_mocks)
        self._build_toolbar()
        self._build_menus()
        self.statusBar().setObjectName("status")
        self.statusBar().showMessage("Ready")

        self.sidebar.request_activated.connect(self._on_sidebar_request_activated)
        self.sidebar.new_request_requested.connect(self._on_new_request)
        self.sidebar.problem_reported.connect(self.report_problem)
        self.rest.dirty_changed.connect(self._on_rest_dirty_changed)
        self.workspace.environments_changed.connect(self._fill_environment_picker)
        self.workspace.node_moved.connect(self._on_node_moved)
        self.workspace.tree_changed.connect(self._on_tree_changed)
        self.workspace.environment_selected.connect(self._remember_environment)
        self.environment_picker.currentIndexChanged.connect(self._on_picker_changed)
        self.edit_environments.clicked.connect(self.open_environment_editor)
        self._restore_layout()
        self._fill_environment_picker()

    # -- start-up ------------------------------------------------------------------------

    async def startup(self, collection: Path | None = None, start_mocks: bool = False) -> None:
        """Open ``collection``, else the last one, else a copy of the sample; maybe start mocks."""
        problem = await self.workspace.load_globals()
        if problem:
            self.report_problem(problem)
        target = collection or self._settings.last_collection() or await self._sample_copy()
        if target is not None:
            await self.open_collection(target)
        if start_mocks:
            await self.mocks.start()

    async def _sample_copy(self) -> Path | None:
        """Copy the bundled sample into the data dir once, so edits never touch resources/."""
        copy = data_dir() / "collections" / SAMPLE_COLLECTION
        if not copy.exists():
            try:
                await asyncio.to_thread(shutil.copytree, resources_dir() / SAMPLE_COLLECTION, copy)
            except OSError as exc:
                self.report_problem(f"Could not copy the sample collection to {copy}: {exc}")
                return None
        return copy

    async def open_collection(self, root: Path) -> bool:
        try:
            await self.workspace.open_collection(root)
        except CoreError as exc:
            self.report_problem(str(exc))
            self.sidebar.show_problems(str(exc))
            return False
        self._collection_shown(root)
        return True

    def _collection_shown(self, root: Path) -> None:
        """After opening or creating: title, remembered collection and environment."""
        store = self.workspace.store
        assert store is not None
        self._settings.set_last_collection(root)
        self.setWindowTitle(f"{store.name} — apiclient")
        chosen = self._settings.environment_for(root)
        if chosen is None:
            # First time with this collection: its first environment (the sample's mocks).
            chosen = store.environments[0].name if store.environments else ""
        self._select_environment(chosen)
        if store.problems:
            self.report_problem(
                f"{len(store.problems)} file(s) of {store.name} could not be loaded; "
                "see the sidebar. They were left untouched."
            )
        else:
            self.statusBar().showMessage(f"Opened {store.name} ({root})", 5000)

    # -- toolbar and menus --------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", objectName="toolbar.main", movable=False)
        bar.addWidget(QLabel(" Environment: "))
        bar.addWidget(self.environment_picker)
        bar.addWidget(self.edit_environments)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.mocks)
        self.addToolBar(bar)

    def _build_menus(self) -> None:
        def action(menu: QMenu, text: str, slot: Callable[[], object], *keys: str) -> QAction:
            act = make_action(self, text, slot, keys)
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "New request", lambda: self._on_new_request(""), "Ctrl+N")
        action(file_menu, "Open collection…", self._on_open_collection, "Ctrl+O")
        action(file_menu, "New collection…", self._on_new_collection)
        file_menu.addSeparator()
        self.save_action = action(file_menu, "Save", self.save, "Ctrl+S")
        action(file_menu, "Save as…", self.save_as, "Ctrl+Shift+S")
        file_menu.addSeparator()
        action(file_menu, "Quit", self.close, "Ctrl+Q")
        request_menu = self.menuBar().addMenu("&Request")
        self.send_action = action(request_menu, "Send", self.rest.send, "Ctrl+Return", "Ctrl+Enter")
        action(request_menu, "Cancel", self.rest.cancel, "Esc")
        action(request_menu, "Focus URL", self.rest.focus_url, "Ctrl+L")
        action(request_menu, "Environments…", self.open_environment_editor, "Ctrl+E")
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "About apiclient", self._on_about)

    # -- requests ------------------------------------------------------------------------

    async def confirm_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to drop it."""
        if not self.rest.dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"'{self.rest.current_request().name}' has unsaved changes. Save them?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return await self._save()
        return answer == QMessageBox.StandardButton.Discard

    def _on_sidebar_request_activated(self, relpath: str) -> None:
        self._after_confirm(lambda: self._show_request(relpath))

    def _on_new_request(self, folder: str) -> None:
        self._after_confirm(lambda: self._start_new_request(folder))

    def _after_confirm(self, step: Callable[[], None]) -> None:
        """Do ``step`` now if nothing is unsaved, else after the user chose what to do."""
        if not self.rest.dirty:
            step()
            return

        async def confirm_then_step() -> None:
            if await self.confirm_discard():
                step()

        self._confirming = asyncio.ensure_future(confirm_then_step())

    def _show_request(self, relpath: str) -> None:
        self.tabs.setCurrentWidget(self.rest)
        if relpath == self.rest.relpath:
            return
        try:
            node = self.workspace.find(relpath)
        except CoreError as exc:  # deleted while the user answered the unsaved-changes prompt
            self.report_problem(str(exc))
            return
        if isinstance(node, RequestNode):
            self.rest.open_request(node.request, relpath)
            self.sidebar.select(relpath)

    def _start_new_request(self, folder: str) -> None:
        self._new_request_folder = folder
        self.rest.open_request(RestRequest(), None)
        self.tabs.setCurrentWidget(self.rest)
        self.rest.focus_url()

    @asyncSlot()
    async def save(self) -> bool:
        return await self._save()

    async def _save(self) -> bool:
        if self.rest.relpath is None:
            return await self._save_as()
        return await self._write(self.rest.current_request(), self.rest.relpath, "")

    @asyncSlot()
    async def save_as(self) -> bool:
        return await self._save_as()

    async def _save_as(self) -> bool:
        request = self.rest.current_request()
        name, ok = QInputDialog.getText(self, "Save request", "Request name:", text=request.name)
        if not ok or not name.strip():
            return False
        folder = self._new_request_folder or self.sidebar.current_folder()
        return await self._write(request.model_copy(update={"name": name.strip()}), None, folder)

    async def _write(self, request: RestRequest, relpath: str | None, folder: str) -> bool:
        try:
            saved_path = await self.workspace.save_request(request, relpath, folder)
        except (CoreError, NoCollectionError) as exc:
            self.rest.show_notice(f"Not saved: {exc}")
            self.report_problem(f"Not saved: {exc}")
            return False
        self._new_request_folder = ""
        self.rest.mark_saved(saved_path, request)
        self.sidebar.select(saved_path)
        self.statusBar().showMessage(f"Saved {saved_path}", 4000)
        return True

    def _on_node_moved(self, old: str, new: str) -> None:
        """The open request's file (or a folder around it) was renamed or moved."""
        current = self.rest.relpath
        if current is not None and (current == old or current.startswith(old + "/")):
            node = self.workspace.find(new + current[len(old) :])
            if isinstance(node, RequestNode):
                self.rest.mark_saved(node.relpath, node.request)

    def _on_tree_changed(self) -> None:
        """A deleted open request becomes an unsaved draft rather than vanishing."""
        relpath = self.rest.relpath
        if relpath is None or self.workspace.store is None:
            return
        try:
            self.workspace.find(relpath)
        except CoreError:
            self.rest.detach()

    def _on_rest_dirty_changed(self, dirty: bool) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.rest), "REST ●" if dirty else "REST")

    # -- environments ------------------------------------------------------------------

    def _fill_environment_picker(self) -> None:
        picker = self.environment_picker
        picker.blockSignals(True)
        picker.clear()
        picker.addItem(NO_ENVIRONMENT, "")
        for env in self.workspace.environments():
            picker.addItem(env.name, env.name)
        picker.setCurrentIndex(max(0, picker.findData(self.workspace.environment_name)))
        picker.blockSignals(False)

    def _select_environment(self, name: str) -> None:
        index = self.environment_picker.findData(name)
        self.environment_picker.setCurrentIndex(max(0, index))
        self._on_picker_changed()

    def _on_picker_changed(self) -> None:
        self.workspace.select_environment(self.environment_picker.currentData() or "")

    def _remember_environment(self, name: str) -> None:
        store = self.workspace.store
        if store is not None:
            self._settings.set_environment_for(store.root, name)

    def open_environment_editor(self) -> EnvironmentEditor:
        editor = EnvironmentEditor(self.workspace, self)
        editor.open()
        return editor

    # -- collections -------------------------------------------------------------------

    @asyncSlot()
    async def _on_open_collection(self) -> None:
        if not await self.confirm_discard():
            return
        path = QFileDialog.getExistingDirectory(self, "Open collection folder")
        if path:
            self.rest.open_request(RestRequest(), None)
            await self.open_collection(Path(path))

    @asyncSlot()
    async def _on_new_collection(self) -> None:
        if not await self.confirm_discard():
            return
        name, ok = QInputDialog.getText(self, "New collection", "Collection name:")
        if not ok or not name.strip():
            return
        path = QFileDialog.getExistingDirectory(self, "Choose an empty folder for the collection")
        if not path:
            return
        try:
            await self.workspace.create_collection(Path(path), name.strip())
        except CoreError as exc:
            self.report_problem(str(exc))
            return
        self.rest.open_request(RestRequest(), None)
        self._collection_shown(Path(path))

    # -- feedback and shutdown -------------------------------------------------------------

    def report_problem(self, text: str) -> None:
        self.statusBar().showMessage(f"⚠ {text}")

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About apiclient",
            f"apiclient {__version__}\nEvery API style in one window, with bundled mock servers.",
        )

    def _restore_layout(self) -> None:
        geometry, state = self._settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        for name, splitter in (("main", self.splitter), ("rest", self.rest.splitter)):
            saved = self._settings.splitter(name)
            if saved is not None:
                splitter.restoreState(saved)

    def save_layout(self) -> None:
        self._settings.set_window_state(self.saveGeometry(), self.saveState())
        self._settings.set_splitter("main", self.splitter.saveState())
        self._settings.set_splitter("rest", self.rest.splitter.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.rest.dirty and not self._closing_confirmed:
            event.ignore()
            self._confirm_close()
            return
        self.save_layout()
        self.rest.cancel()
        event.accept()

    async def shutdown(self) -> None:
        """Release what outlives the window: open connections and the mock servers."""
        await self.rest.aclose()
        await self.mocks.stop()

    @asyncSlot()
    async def _confirm_close(self) -> None:
        if await self.confirm_discard():
            self._closing_confirmed = True
            self.close()
