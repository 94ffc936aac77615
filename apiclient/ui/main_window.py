"""The main window: collections sidebar, protocol tabs, environment picker, mock servers.

It wires the parts together and owns what spans them: the menus, the environment, which
collection is open, and remembering the layout between runs. The open requests (where
one opens, saving, asking before unsaved work is dropped) are
:mod:`apiclient.ui.open_requests_controller`'s.

The window is built in two steps so it shows at once: the frame (menus, tool bar, tab
labels, status bar) needs Qt and a few light modules only; the parts that need the
collection models (workspace, sidebar, drafts, watcher and the first tab) are built by
:meth:`MainWindow.build_parts`, the first step of :meth:`MainWindow.startup`, after
their modules were imported by a worker while the frame was already on screen.
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from PySide6 import QtCore
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient import __version__
from apiclient.core.errors import CoreError
from apiclient.core.paths import data_dir, resources_dir
from apiclient.ui import dialogs
from apiclient.ui.actions import make_action
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.lazy_page import LazyPage
from apiclient.ui.mocks_panel import MocksPanel
from apiclient.ui.open_requests_controller import OpenRequestsController
from apiclient.ui.request_tabs import ProtocolTabs, RequestTabs
from apiclient.ui.settings import AppSettings
from apiclient.ui.shortcut_guard import ShortcutGuard
from apiclient.ui.status_indicators import StatusIndicators
from apiclient.ui.tasks import start_task
from apiclient.ui.theme import ThemeController

if TYPE_CHECKING:
    from apiclient.core.history import HistoryEntry
    from apiclient.core.models import AnyRequest
    from apiclient.ui.collection_watcher import CollectionWatcher
    from apiclient.ui.collections_sidebar import CollectionsSidebar
    from apiclient.ui.command_palette import CommandPalette
    from apiclient.ui.contract_mocks_panel import ContractMocksPanel
    from apiclient.ui.cookie_manager import CookieManager
    from apiclient.ui.draft_keeper import DraftKeeper
    from apiclient.ui.environment_editor import EnvironmentEditor
    from apiclient.ui.history_panel import HistoryPanel
    from apiclient.ui.import_dialog import ImportController
    from apiclient.ui.open_requests import OpenRequests
    from apiclient.ui.settings_dialog import SettingsDialog
    from apiclient.ui.tabs.batch import BatchTab
    from apiclient.ui.tabs.graphql import GraphqlTab
    from apiclient.ui.tabs.grpc import GrpcTab
    from apiclient.ui.tabs.request_tab import RequestTab
    from apiclient.ui.tabs.rest import RestTab
    from apiclient.ui.tabs.soap import SoapTab
    from apiclient.ui.tabs.webhook import WebhookTab
    from apiclient.ui.tabs.websocket import WebsocketTab
    from apiclient.ui.workspace import Workspace

SAMPLE_COLLECTION = "sample-collection"
NO_ENVIRONMENT = "No environment"
# What build_parts needs beyond the frame: the collection models (pydantic) and the
# first tab's widgets, about two thirds of start-up's import time.
_PARTS_MODULES = (
    "apiclient.ui.workspace",
    "apiclient.ui.collections_sidebar",
    "apiclient.ui.draft_keeper",
    "apiclient.ui.collection_watcher",
    "apiclient.core.drafts",
    "apiclient.ui.open_requests",
    RequestTabs.module_of(RequestTabs.kinds()[0][0]),
)


def import_parts_modules() -> None:
    """Import what :meth:`MainWindow.build_parts` needs (run in a worker at start-up, so
    the frame stays live meanwhile; a module imported twice is imported once)."""
    for name in _PARTS_MODULES:
        importlib.import_module(name)
    # The first tab opens with a blank request, whose validator pydantic builds on first
    # use (~50 ms): build it here rather than on the GUI thread.
    from apiclient.core.models import RestRequest

    RestRequest()


class WindowParts(NamedTuple):
    workspace: Workspace
    sidebar: CollectionsSidebar
    drafts: DraftKeeper
    watcher: CollectionWatcher


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings, ephemeral_mocks: bool = False) -> None:
        super().__init__()
        self.setObjectName("apiclient")
        self.setWindowTitle("apiclient")
        self.resize(1280, 820)
        self._settings = settings
        self._closing_confirmed = False
        self._parts: WindowParts | None = None
        # Menu actions that need the parts: disabled until they are built.
        self._part_actions: list[QAction] = []

        self._collections_page = QWidget(objectName="collections.page")
        QVBoxLayout(self._collections_page).setContentsMargins(0, 0, 0, 0)
        self._history_page = LazyPage(self._build_history, "history.page")
        self.tabs = ProtocolTabs()
        self._request_tabs = RequestTabs(
            self.tabs,
            lambda tab: self.requests.on_tab_built(tab),
            lambda group: self.requests.on_group_built(group),
        )
        self.requests = OpenRequestsController(self, self._request_tabs, settings)
        self.side_tabs = QTabWidget(objectName="sidebar.tabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self._collections_page, "Collections")
        self.side_tabs.addTab(self._history_page, "History")
        self.splitter = QSplitter(objectName="main.splitter")
        self.splitter.addWidget(self.side_tabs)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])
        self.setCentralWidget(self.splitter)

        self.environment_picker = QComboBox(objectName="environment.picker")
        self.environment_picker.setMinimumWidth(180)
        self.environment_picker.setToolTip("Variables of the chosen environment apply to sends")
        self.edit_environments = QPushButton("Environments…", objectName="environment.edit")
        self.mocks = MocksPanel(ephemeral=ephemeral_mocks)
        self.mocks.contracts_requested.connect(self.open_contract_mocks)
        self._contract_mocks: ContractMocksPanel | None = None  # built on first use
        self._importer: ImportController | None = None  # built on first import
        self._cookie_manager: CookieManager | None = None  # built on first use
        self._palette: CommandPalette | None = None  # built on first use
        self.setAcceptDrops(True)  # a file dropped on the window is imported
        self.preferences = app_preferences()
        self.theme = ThemeController(self.preferences, self)
        self._build_toolbar()
        self._build_menus()
        self.statusBar().setObjectName("status")
        self.statusBar().setContentsMargins(8, 0, 0, 0)
        self.indicators = StatusIndicators(self.mocks)
        self.statusBar().addPermanentWidget(self.indicators)
        self.statusBar().showMessage("Starting…")
        self._restore_layout()
        self._enable_part_controls(False)

    def _enable_part_controls(self, enabled: bool) -> None:
        """The frame's controls that need the parts: off until ``build_parts``."""
        for action in self._part_actions:
            action.setEnabled(enabled)
        for widget in (self.environment_picker, self.edit_environments, self.mocks.contracts):
            widget.setEnabled(enabled)
        self.side_tabs.setTabEnabled(self.side_tabs.indexOf(self._history_page), enabled)

    def build_parts(self) -> WindowParts:
        """The parts beyond the frame, built now if they were not yet (``startup`` builds
        them once the frame is on screen; anything needing them earlier builds them)."""
        if self._parts is None:
            from apiclient.ui.accessibility import label_controls_soon

            self._parts = self._build_parts()
            self._request_tabs.attach(self._parts.workspace)
            self._fill_environment_picker()
            self._enable_part_controls(True)
            label_controls_soon(self)
            if self.statusBar().currentMessage() == "Starting…":  # not a problem told meanwhile
                self.statusBar().showMessage("Ready")
        return self._parts

    def _build_parts(self) -> WindowParts:
        from apiclient.core.drafts import DraftStore
        from apiclient.ui.collection_watcher import CollectionWatcher
        from apiclient.ui.collections_sidebar import CollectionsSidebar
        from apiclient.ui.draft_keeper import DraftKeeper
        from apiclient.ui.workspace import Workspace

        workspace = Workspace(self)
        # First, before the sidebar opens a request on the collection just opened.
        workspace.collection_opened.connect(self.requests.on_collection_opened)
        sidebar = CollectionsSidebar(workspace, RequestTabs.kinds())
        self._collections_page.layout().addWidget(sidebar)
        # Never lose work: drafts of unsaved edits, and changes made outside the app.
        drafts = DraftKeeper(
            DraftStore(data_dir() / "drafts"), workspace, self.requests.tab_for_slot, self
        )
        watcher = CollectionWatcher(workspace, lambda: self.request_tabs, sidebar, self)

        sidebar.request_activated.connect(self.requests.open_saved_request)
        sidebar.new_request_requested.connect(
            lambda folder, kind: self.requests.new_request(kind, folder)
        )
        sidebar.problem_reported.connect(self.report_problem)
        sidebar.run_requested.connect(self.run_folder)
        drafts.problem_reported.connect(self.report_problem)
        workspace.cookies.problem_reported.connect(self.report_problem)
        watcher.problem_reported.connect(self.report_problem)
        drafts.conflict_found.connect(watcher.show_conflict)
        drafts.draft_swapped.connect(self.requests.close_clean_twins)
        workspace.environments_changed.connect(self._fill_environment_picker)
        workspace.node_moved.connect(self.requests.on_node_moved)
        workspace.tree_changed.connect(self.requests.on_tree_changed)
        workspace.environment_selected.connect(self._remember_environment)
        workspace.environment_selected.connect(self.indicators.show_environment)
        self.environment_picker.currentIndexChanged.connect(self._on_picker_changed)
        self.edit_environments.clicked.connect(self.open_environment_editor)
        return WindowParts(workspace, sidebar, drafts, watcher)

    @property
    def app_settings(self) -> AppSettings:
        """What the window remembers between runs (layout, last collection, recents)."""
        return self._settings

    @property
    def parts(self) -> WindowParts | None:
        """The parts beyond the frame, None until they are built (nothing builds them)."""
        return self._parts

    @property
    def workspace(self) -> Workspace:
        return self.build_parts().workspace

    @property
    def sidebar(self) -> CollectionsSidebar:
        return self.build_parts().sidebar

    @property
    def drafts(self) -> DraftKeeper:
        return self.build_parts().drafts

    @property
    def watcher(self) -> CollectionWatcher:
        return self.build_parts().watcher

    # -- start-up ------------------------------------------------------------------------

    async def startup(self, collection: Path | None = None, start_mocks: bool = False) -> None:
        """Open ``collection``, else the last one, else a copy of the sample; maybe start mocks.

        Runs once the window is shown: files are read by workers while the window already
        takes input, and the sidebar says what is loading meanwhile."""
        if self._parts is None:
            # QtCore.Qt builds its ~90 enum classes when first touched, which is not safe
            # from two threads at once ("Qt has no attribute ItemDataRole"): build them
            # here, before the worker imports the widget modules that use them.
            QtCore.Qt.ItemDataRole.DisplayRole  # noqa: B018
            await asyncio.to_thread(import_parts_modules)
            self.build_parts()
        target = collection or self._settings.last_collection() or await self._sample_copy()
        if target is not None:
            self.sidebar.show_loading(target)
        problem = await self.workspace.load_globals()
        if problem:
            self.report_problem(problem)
        if target is not None:
            await self.open_collection(target)
        store = self.workspace.store
        self.workspace.cookies.follow()  # the "no collection" jar when none opened
        await self.drafts.restore(store.root if store is not None else None)
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
        """Open ``root``; False when it failed (said in the sidebar and status bar) or
        when another collection was opened or created meanwhile (dropped silently: the
        sidebar shows that one)."""
        self.sidebar.show_loading(root)
        try:
            opened = await self.workspace.open_collection(root)
        except CoreError as exc:
            self.report_problem(str(exc))
            self.sidebar.loading_failed(str(exc))
            return False
        if opened is None:
            if not self.workspace.loading:  # nothing newer is being read: show what is open
                self.sidebar.loading_dropped()
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
        bar.setContentsMargins(8, 4, 8, 4)
        bar.layout().setSpacing(6)
        bar.addWidget(QLabel("Environment:"))
        bar.addWidget(self.environment_picker)
        bar.addWidget(self.edit_environments)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.mocks)
        self.addToolBar(bar)

    def _build_menus(self) -> None:
        def action(
            menu: QMenu,
            text: str,
            slot: Callable[[], object],
            *keys: str,
            needs_parts: bool = True,
        ) -> QAction:
            act = make_action(self, text, slot, keys)
            menu.addAction(act)
            if needs_parts:
                self._part_actions.append(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        request_menu = self.menuBar().addMenu("&Request")
        view_menu = self.menuBar().addMenu("&View")
        help_menu = self.menuBar().addMenu("&Help")
        action(
            file_menu,
            "New request",
            lambda: self.new_request(self.current_tab().kind),
            "Ctrl+N",
        ).setObjectName("action.new_request")
        action(file_menu, "Close request", lambda: self.close_request(), "Ctrl+W").setObjectName(
            "action.close_request"
        )
        action(file_menu, "Open collection…", self._on_open_collection, "Ctrl+O")
        action(file_menu, "New collection…", self._on_new_collection)
        action(file_menu, "Import…", lambda: self.importer.choose_file(), "Ctrl+I").setObjectName(
            "action.import"
        )
        action(file_menu, "Import curl…", lambda: self.importer.ask_curl()).setObjectName(
            "action.import_curl"
        )

        def export() -> None:
            from apiclient.ui.export_dialog import ExportController  # built on first use

            ExportController.of(self).start()

        action(file_menu, "Export collection…", export).setObjectName("action.export")
        file_menu.addSeparator()
        self.save_action = action(file_menu, "Save", self.save, "Ctrl+S")
        action(file_menu, "Save as…", self.save_as, "Ctrl+Shift+S")
        file_menu.addSeparator()
        action(file_menu, "Settings…", self.open_settings, "Ctrl+,").setObjectName(
            "action.settings"
        )
        file_menu.addSeparator()
        action(file_menu, "Quit", self.close, "Ctrl+Q", needs_parts=False)
        self.send_action = action(
            request_menu, "Send", lambda: self.current_tab().send(), "Ctrl+Return", "Ctrl+Enter"
        )
        action(request_menu, "Cancel", lambda: self.current_tab().cancel(), "Esc")
        action(request_menu, "Focus URL", lambda: self.current_tab().focus_main_field(), "Ctrl+L")
        environments_action = action(
            request_menu, "Environments…", self.open_environment_editor, "Ctrl+E"
        )
        action(request_menu, "Cookies…", self.open_cookie_manager).setObjectName("action.cookies")
        action(request_menu, "Find", self.find_in_focus, "Ctrl+F").setObjectName("action.find")
        request_menu.addSeparator()
        action(request_menu, "Start mock servers", self.start_mocks).setObjectName(
            "action.start_mocks"
        )
        action(request_menu, "Stop mock servers", self.stop_mocks).setObjectName(
            "action.stop_mocks"
        )
        palette_action = action(
            view_menu, "Command palette…", self.open_palette, "Ctrl+K", "Ctrl+Shift+P"
        )
        palette_action.setObjectName("action.palette")
        action(
            view_menu,
            "Next open request",
            lambda: self.cycle_requests(1),
            "Ctrl+Tab",
            "Ctrl+PgDown",
        ).setObjectName("action.next_request")
        action(
            view_menu,
            "Previous open request",
            lambda: self.cycle_requests(-1),
            "Ctrl+Shift+Tab",
            "Ctrl+Shift+Backtab",
            "Ctrl+PgUp",
        ).setObjectName("action.previous_request")
        action(view_menu, "Collections", lambda: self.side_tabs.setCurrentIndex(0), "Ctrl+Shift+C")
        action(view_menu, "History", self.show_history, "Ctrl+H")
        action(
            view_menu, "Contract mocks…", self.open_contract_mocks, "Ctrl+Shift+M"
        ).setObjectName("action.contract_mocks")
        theme_menu = view_menu.addMenu("Theme")
        for theme, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            act = QAction(label, self, objectName=f"action.theme.{theme}")
            theme_menu.addAction(act)
            self.theme.track_action(theme, act)  # it runs the action
        action(help_menu, "About apiclient", self._on_about, needs_parts=False)
        # Text fields take Ctrl+K and Ctrl+E as editing keys on Linux and macOS.
        self._shortcut_guard = ShortcutGuard(self, [palette_action, environments_action])

    # -- requests ------------------------------------------------------------------------

    @property
    def request_tabs(self) -> tuple[RequestTab, ...]:
        """The tabs built so far (a tab never shown holds nothing to save or stop)."""
        return self._request_tabs.built()

    @property
    def rest(self) -> RestTab:
        return cast("RestTab", self.tab_for("rest"))

    @property
    def soap(self) -> SoapTab:
        return cast("SoapTab", self.tab_for("soap"))

    @property
    def graphql(self) -> GraphqlTab:
        return cast("GraphqlTab", self.tab_for("graphql"))

    @property
    def grpc(self) -> GrpcTab:
        return cast("GrpcTab", self.tab_for("grpc"))

    @property
    def websocket(self) -> WebsocketTab:
        return cast("WebsocketTab", self.tab_for("websocket"))

    @property
    def webhook(self) -> WebhookTab:
        return cast("WebhookTab", self.tab_for("webhook"))

    @property
    def batch(self) -> BatchTab:
        return cast("BatchTab", self.tab_for("batch"))

    def current_tab(self) -> RequestTab:
        """The open request in front (the current REST one when another kind of page is)."""
        page = self.tabs.widget(self.tabs.currentIndex())
        group = next((g for g in self._request_tabs.groups() if g is page), None)
        return group.current() if group is not None else self.rest

    def tab_for(self, kind: str) -> RequestTab | None:
        """The current open request of ``kind`` (its tab built now if it was not yet)."""
        self.build_parts()
        return self._request_tabs.get(kind)

    def open_requests(self, kind: str) -> OpenRequests:
        """The sub-tabs of the requests of ``kind`` (built now if they were not yet)."""
        self.build_parts()
        group = self._request_tabs.group(kind)
        if group is None:
            raise ValueError(f"This version of apiclient has no tab for {kind} requests.")
        return group

    # -- public API: what the sidebar, the palette and the history call ------------------

    def open_saved_request(self, relpath: str) -> None:
        self.requests.open_saved_request(relpath)

    def open_history_entry(self, entry: HistoryEntry) -> None:
        self.requests.open_history_entry(entry)

    def open_draft(self, request: AnyRequest, notice: str = "") -> RequestTab | None:
        return self.requests.open_draft(request, notice)

    def new_request(self, kind: str, folder: str = "") -> None:
        self.requests.new_request(kind, folder)

    def close_request(self, tab: RequestTab | None = None) -> None:
        self.requests.close_request(tab)

    def cycle_requests(self, step: int) -> None:
        self.requests.cycle_requests(step)

    async def confirm_discard(self, tab: RequestTab | None = None) -> bool:
        return await self.requests.confirm_discard(tab)

    def select_environment(self, name: str) -> None:
        """Make ``name`` the active environment ("" for none)."""
        self._select_environment(name)

    def run_folder(self, relpath: str) -> None:
        """Show the Batch tab's runner with the folder at ``relpath`` ("" for the whole
        collection) chosen, ready to run."""
        group = self.requests.group_or_report("batch")
        if group is None:
            return
        tab = cast("BatchTab", group.current())
        self.requests.focus_tab(tab)
        tab.pages.setCurrentWidget(tab.runner)
        tab.runner.select_folder(relpath)

    # -- history -------------------------------------------------------------------------

    @property
    def history(self) -> HistoryPanel:
        """The History page's panel, built when first shown or first needed (a send is
        recorded into it)."""
        return cast("HistoryPanel", self._history_page.content())

    def _build_history(self) -> HistoryPanel:
        from apiclient.ui.history_panel import HistoryPanel  # not needed to show the window

        panel = HistoryPanel(self.workspace, self.sidebar.current_folder)
        panel.open_requested.connect(self.requests.open_history_entry)
        panel.request_saved.connect(self._on_history_request_saved)
        panel.problem_reported.connect(self.report_problem)
        panel.refresh()
        return panel

    def show_history(self) -> None:
        self.side_tabs.setCurrentWidget(self._history_page)
        self.history.search.setFocus()

    def _on_history_request_saved(self, relpath: str) -> None:
        self.sidebar.select(relpath)
        self.statusBar().showMessage(f"Saved {relpath}", 4000)

    @asyncSlot()
    async def save(self) -> bool:
        return await self.requests.save(self.current_tab())

    @asyncSlot()
    async def save_as(self) -> bool:
        return await self.requests.save_as(self.current_tab())

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
            self._settings.sync()  # a crash must not forget it either

    def open_environment_editor(self) -> EnvironmentEditor:
        from apiclient.ui.environment_editor import EnvironmentEditor  # not needed at start

        editor = EnvironmentEditor(self.workspace, self)
        editor.open()
        return editor

    def open_cookie_manager(self) -> CookieManager:
        """Show the cookies of the chosen environment (the dialog is built on first use)."""
        if self._cookie_manager is None:
            from apiclient.ui.cookie_manager import CookieManager

            self._cookie_manager = CookieManager(self.workspace.cookies, self)
        self._cookie_manager.show()
        self._cookie_manager.raise_()
        self._cookie_manager.activateWindow()
        return self._cookie_manager

    def open_palette(self) -> CommandPalette:
        """Ctrl+K: jump to a request, an environment, a history entry or an action."""
        if self._palette is None:
            from apiclient.ui.command_palette import CommandPalette  # built on first use

            self._palette = CommandPalette(self)
        self._palette.popup()
        return self._palette

    def open_settings(self) -> SettingsDialog:
        from apiclient.ui.settings_dialog import SettingsDialog  # built on first use

        dialog = SettingsDialog(self.preferences, self)
        dialog.open()
        return dialog

    def find_in_focus(self) -> None:
        """Ctrl+F: search the text view that has the focus (or the response's body)."""
        from apiclient.ui.text_find import find_in_focus

        find_in_focus(self)

    def start_mocks(self) -> None:
        start_task(self.mocks.start())

    def stop_mocks(self) -> None:
        start_task(self.mocks.stop())

    # -- contract mocks ------------------------------------------------------------------

    def open_contract_mocks(self) -> ContractMocksPanel:
        """Show the window of the collection's contract mocks (built on first use; its
        controller stops the mocks itself when another collection opens)."""
        if self._contract_mocks is None:
            from apiclient.ui.contract_mocks_controller import ContractMocksController
            from apiclient.ui.contract_mocks_panel import ContractMocksPanel

            controller = ContractMocksController(self.workspace, self)
            controller.rows_changed.connect(
                lambda: self.mocks.show_contract_mocks(controller.running)
            )
            self._contract_mocks = ContractMocksPanel(controller, self)
        self._contract_mocks.show()
        self._contract_mocks.raise_()
        self._contract_mocks.activateWindow()
        return self._contract_mocks

    # -- collections -------------------------------------------------------------------

    @asyncSlot()
    async def _on_open_collection(self) -> None:
        if not await self.confirm_discard():
            return
        path = await dialogs.existing_directory(self, "Open collection folder")
        if path:
            self.requests.clear()
            await self.open_collection(Path(path))

    @asyncSlot()
    async def _on_new_collection(self) -> None:
        if not await self.confirm_discard():
            return
        name, ok = await dialogs.get_text(self, "New collection", "Collection name:")
        if not ok or not name.strip():
            return
        path = await dialogs.existing_directory(self, "Choose an empty folder for the collection")
        if not path:
            return
        try:
            await self.workspace.create_collection(Path(path), name.strip())
        except CoreError as exc:  # a collection being opened meanwhile goes on opening
            self.report_problem(str(exc))
            return
        self.requests.clear()
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
        saved = self._settings.splitter("main")
        if saved is not None:
            self.splitter.restoreState(saved)

    def save_layout(self) -> None:
        self._settings.set_window_state(self.saveGeometry(), self.saveState())
        self._settings.set_splitter("main", self.splitter.saveState())
        for group in self._request_tabs.groups():
            self._settings.set_splitter(group.kind, group.current().splitter.saveState())
        self.requests.remember_open_requests()
        self._settings.sync()

    @property
    def importer(self) -> ImportController:
        """File > Import…, dropped files and Import curl…; the importers (and their
        libraries) load on first use, not at start-up."""
        if self._importer is None:
            from apiclient.ui.import_dialog import ImportController

            self._importer = ImportController(self)
        return self._importer

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.importer.drag_entered(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.importer.dropped(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if any(tab.dirty for tab in self.request_tabs) and not self._closing_confirmed:
            event.ignore()
            self._confirm_close()
            return
        self.save_layout()
        if self._parts is not None:
            self._parts.drafts.forget_all()  # every unsaved edit was saved or dropped by choice
        for tab in self.request_tabs:
            tab.cancel()
        event.accept()

    async def shutdown(self) -> None:
        """Release what outlives the window: open connections and the mock servers (the
        bundled ones and the contract mocks)."""
        parts = self._parts
        if parts is not None:
            parts.watcher.stop()
        for tab in self.request_tabs:
            await tab.aclose()
        await self.requests.wait_disposed()
        if self._history_page.built:
            await self.history.aclose()
        if parts is not None:
            await parts.drafts.aclose()
            await parts.workspace.cookies.flush()  # after the tabs: no send adds more
            parts.workspace.cookies.detach()
        if self._contract_mocks is not None:
            await self._contract_mocks.controller.aclose()
        await self.mocks.stop()

    @asyncSlot()
    async def _confirm_close(self) -> None:
        if await self.confirm_discard():
            self._closing_confirmed = True
            self.close()
