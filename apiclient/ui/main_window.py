"""The main window: collections sidebar, protocol tabs, environment picker, mock servers.

It wires the parts together and owns what spans them: opening and saving requests,
asking before unsaved work is dropped, and remembering the layout between runs.

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
from apiclient.ui.request_tabs import ProtocolTabs, RequestTabs
from apiclient.ui.settings import AppSettings
from apiclient.ui.shortcut_guard import ShortcutGuard
from apiclient.ui.status_indicators import StatusIndicators
from apiclient.ui.tasks import start_task
from apiclient.ui.theme import ThemeController

if TYPE_CHECKING:
    from apiclient.core.history import HistoryEntry
    from apiclient.core.models import AnyRequest
    from apiclient.core.store import RequestNode
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
        # Per open request: the folder a new draft was started in, where Save puts it.
        self._new_request_folder: dict[RequestTab, str] = {}
        self._confirming: asyncio.Future[None] | None = None
        # The collection the requests open in tabs (their relpaths) belong to.
        self._tabs_collection: Path | None = None
        # Closed sub-tabs whose sends and connections are still being stopped.
        self._disposing: set[asyncio.Task[None]] = set()
        # While true, which requests are open is not remembered: the tabs are being cleared.
        self._open_requests_frozen = False
        # Reopening the requests remembered for the collection just opened (meanwhile,
        # what is open is not remembered either: it is not all there yet).
        self._reopening: asyncio.Task[None] | None = None
        self._parts: WindowParts | None = None
        # Menu actions that need the parts: disabled until they are built.
        self._part_actions: list[QAction] = []

        self._collections_page = QWidget(objectName="collections.page")
        QVBoxLayout(self._collections_page).setContentsMargins(0, 0, 0, 0)
        self._history_page = LazyPage(self._build_history, "history.page")
        self.tabs = ProtocolTabs()
        self._request_tabs = RequestTabs(self.tabs, self._on_tab_built, self._on_group_built)
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
        workspace.collection_opened.connect(self._on_workspace_collection_opened)
        sidebar = CollectionsSidebar(workspace, RequestTabs.kinds())
        self._collections_page.layout().addWidget(sidebar)
        # Never lose work: drafts of unsaved edits, and changes made outside the app.
        drafts = DraftKeeper(DraftStore(data_dir() / "drafts"), workspace, self._tab_for_slot, self)
        watcher = CollectionWatcher(workspace, lambda: self.request_tabs, sidebar, self)

        sidebar.request_activated.connect(self._on_sidebar_request_activated)
        sidebar.new_request_requested.connect(self._on_new_request)
        sidebar.problem_reported.connect(self.report_problem)
        sidebar.run_requested.connect(self.run_folder)
        drafts.problem_reported.connect(self.report_problem)
        workspace.cookies.problem_reported.connect(self.report_problem)
        watcher.problem_reported.connect(self.report_problem)
        drafts.conflict_found.connect(watcher.show_conflict)
        workspace.environments_changed.connect(self._fill_environment_picker)
        workspace.node_moved.connect(self._on_node_moved)
        workspace.tree_changed.connect(self._on_tree_changed)
        workspace.environment_selected.connect(self._remember_environment)
        workspace.environment_selected.connect(self.indicators.show_environment)
        self.environment_picker.currentIndexChanged.connect(self._on_picker_changed)
        self.edit_environments.clicked.connect(self.open_environment_editor)
        return WindowParts(workspace, sidebar, drafts, watcher)

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

    def _group_of(self, tab: RequestTab) -> OpenRequests | None:
        return next((g for g in self._request_tabs.groups() if tab in g.tabs()), None)

    def _focus_tab(self, tab: RequestTab) -> None:
        """Bring ``tab`` to the front: its protocol tab, then its sub-tab."""
        group = self._group_of(tab)
        if group is not None:
            group.focus(tab)
            self.tabs.setCurrentWidget(group)

    def _on_tab_built(self, tab: RequestTab) -> None:
        from apiclient.ui.accessibility import label_controls_soon

        label_controls_soon(tab)
        tab.request_sent.connect(lambda entry: self.history.record(entry))
        self.drafts.track(tab)
        # A new sub-tab takes the layout of the one in front of its kind, else the saved one.
        group = next((g for g in self._request_tabs.groups() if g.kind == tab.kind), None)
        shown = group.current() if group is not None else None
        saved = shown.splitter.saveState() if shown is not None else None
        saved = saved or self._settings.splitter(tab.kind)
        if saved is not None:
            tab.splitter.restoreState(saved)

    def _on_group_built(self, group: OpenRequests) -> None:
        from apiclient.ui.accessibility import label_controls

        group.close_requested.connect(self.close_request)
        group.current_changed.connect(self._on_group_current_changed)
        group.dirty_changed.connect(lambda dirty: self._on_group_dirty_changed(group, dirty))
        group.tabs_changed.connect(self._remember_open_requests)
        # Qt makes each sub-tab's close button with a tooltip only: name them too.
        group.tabs_changed.connect(lambda: label_controls(group.bar))

    def _on_group_current_changed(self, tab: RequestTab) -> None:
        """Another open request in front: the sidebar shows where it is saved."""
        if tab.relpath is not None and self._parts is not None:
            self._parts.sidebar.select(tab.relpath)

    def _tab_for_slot(self, slot: str) -> RequestTab | None:
        """The open request whose drafts are kept in ``slot`` (a sub-tab is opened for
        it, behind the others, if none is); None for a kind without a tab."""
        self.build_parts()
        group = self._request_tabs.group(slot.partition("-")[0])
        if group is None:
            return None
        return group.find_slot(slot) or group.open_tab(slot, focus=False)

    async def confirm_discard(self, tab: RequestTab | None = None) -> bool:
        """True when ``tab`` (else every open request) has nothing unsaved, or the user
        saved or chose to drop it."""
        for each in (tab,) if tab is not None else self.request_tabs:
            if each.dirty and not await self._confirm_discard_one(each):
                return False
        return True

    async def _confirm_discard_one(self, tab: RequestTab) -> bool:
        self._focus_tab(tab)
        answer = await dialogs.question(
            self,
            "Unsaved changes",
            f"'{tab.current_request().name}' has unsaved changes. Save them?",
            dialogs.Button.Save | dialogs.Button.Discard | dialogs.Button.Cancel,
            dialogs.Button.Save,
        )
        if answer == dialogs.Button.Save:
            return await self._save(tab)
        return answer == dialogs.Button.Discard

    # -- public API: what the sidebar, the palette and the history call ------------------

    def open_saved_request(self, relpath: str) -> None:
        """Show the saved request at ``relpath``: its sub-tab if it is open, else in a
        new sub-tab (or in place of an untouched blank one). Nothing is replaced."""
        from apiclient.core.store import RequestNode

        try:
            node = self.workspace.find(relpath)
        except CoreError as exc:
            self.report_problem(str(exc))
            return
        if isinstance(node, RequestNode):
            self._show_saved(node)

    def open_history_entry(self, entry: HistoryEntry) -> None:
        """Reopen a sent request from the history as an unsaved draft, in a new sub-tab,
        saying which secrets the history did not keep."""
        tab = self._vacant_tab(entry.kind)
        if tab is None:
            return
        tab.open_request(entry.request, None)
        self._focus_tab(tab)
        if entry.redacted:
            tab.show_notice(
                "Reopened from history without its secrets; type them again: "
                + ", ".join(entry.redacted)
                + "."
            )

    def open_draft(self, request: AnyRequest, notice: str = "") -> RequestTab | None:
        """Show ``request`` (imported, pasted...) as an unsaved draft in a new sub-tab of
        its kind; ``notice`` says where it came from. Closing it asks first."""
        tab = self._vacant_tab(request.kind)
        if tab is None:
            return None
        tab.open_request(request, None)
        tab.detach()  # unsaved work from the start: Save asks for a name
        self._focus_tab(tab)
        if notice:
            tab.show_notice(notice)
        return tab

    def select_environment(self, name: str) -> None:
        """Make ``name`` the active environment ("" for none)."""
        self._select_environment(name)

    def new_request(self, kind: str, folder: str = "") -> None:
        """Start a new request of ``kind`` in a new sub-tab; Save puts it in ``folder``."""
        from apiclient.core.preferences import with_default_settings

        tab = self._vacant_tab(kind)
        if tab is None:
            return
        blank = with_default_settings(tab.new_request(), self.preferences.current)
        tab.open_request(blank, None, blank=True)
        self._new_request_folder[tab] = folder
        self._focus_tab(tab)
        tab.focus_main_field()

    def close_request(self, tab: RequestTab | None = None) -> None:
        """Close ``tab`` (else the open request in front), asking first when it holds
        unsaved edits (Save / Discard / Cancel)."""
        tab = tab if tab is not None else self.current_tab()
        if not tab.dirty:
            self._close_tab(tab)
            return

        async def confirm_then_close() -> None:
            if await self.confirm_discard(tab) and self._group_of(tab) is not None:
                self._close_tab(tab)

        self._confirming = start_task(confirm_then_close())

    def cycle_requests(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous open request of the protocol
        tab in front."""
        group = self._group_of(self.current_tab())
        if group is not None:
            group.cycle(step)
            group.current().focus_main_field()

    # -- opening and closing open requests -------------------------------------------------

    def _on_sidebar_request_activated(self, relpath: str) -> None:
        self.open_saved_request(relpath)

    def _on_new_request(self, folder: str, kind: str) -> None:
        self.new_request(kind, folder)

    def _show_saved(self, node: RequestNode, focus: bool = True) -> RequestTab | None:
        """The sub-tab showing ``node``, opened if needed; brought to the front with
        ``focus``, else opened behind the one in front (unless that one was blank)."""
        group = self._group_or_report(node.request.kind)
        if group is None:
            return None
        tab = group.find(node.relpath)
        if tab is None:
            tab = self._vacant_tab(node.request.kind, focus)
            assert tab is not None
            self._new_request_folder.pop(tab, None)
            tab.open_request(node.request, node.relpath)
        if focus:
            self._focus_tab(tab)
            self.sidebar.select(node.relpath)
        return tab

    def _vacant_tab(self, kind: str, focus: bool = True) -> RequestTab | None:
        """Where a request of ``kind`` opens: the sub-tab in front if it holds a blank
        request nobody touched, else a new sub-tab (brought to the front with ``focus``)."""
        group = self._group_or_report(kind)
        if group is None:
            return None
        current = group.current()
        if current.blank and not current.is_sending():
            return current
        return group.open_tab(focus=focus)

    def _close_tab(self, tab: RequestTab) -> None:
        """Take ``tab`` away now (its draft discarded: its edits were saved or dropped by
        choice), then stop its send and connections, and delete it."""
        group = self._group_of(tab)
        if group is None:
            return
        self.drafts.forget(tab)
        self.watcher.forget(tab)
        self._new_request_folder.pop(tab, None)
        group.remove(tab)
        task = start_task(self._dispose(tab))
        self._disposing.add(task)
        task.add_done_callback(self._disposing.discard)

    @staticmethod
    async def _dispose(tab: RequestTab) -> None:
        try:
            await tab.aclose()
        finally:
            tab.deleteLater()

    def run_folder(self, relpath: str) -> None:
        """Show the Batch tab's runner with the folder at ``relpath`` ("" for the whole
        collection) chosen, ready to run."""
        tab = cast("BatchTab | None", self._tab_or_report("batch"))
        if tab is None:
            return
        self._focus_tab(tab)
        tab.pages.setCurrentWidget(tab.runner)
        tab.runner.select_folder(relpath)

    def _tab_or_report(self, kind: str) -> RequestTab | None:
        group = self._group_or_report(kind)
        return group.current() if group is not None else None

    def _group_or_report(self, kind: str) -> OpenRequests | None:
        self.build_parts()
        group = self._request_tabs.group(kind)
        if group is None:
            self.report_problem(f"This version of apiclient has no tab for {kind} requests.")
        return group

    # -- open requests across restarts ---------------------------------------------------------

    def _remember_open_requests(self) -> None:
        """Write down the saved requests open for the collection shown (reopened when it
        is opened again), unless the tabs are being cleared or refilled."""
        store = self._parts.workspace.store if self._parts is not None else None
        reopening = self._reopening is not None and not self._reopening.done()
        if self._open_requests_frozen or reopening:
            return
        if store is None or store.root != self._tabs_collection:
            return
        relpaths = [tab.relpath for tab in self.request_tabs if tab.relpath is not None]
        self._settings.set_open_requests_for(store.root, relpaths)

    async def _reopen_requests(self, root: Path, relpaths: list[str]) -> None:
        """Once the drafts of ``root`` are back, reopen the saved requests that were open
        when it was last shown (those gone since are skipped)."""
        from apiclient.core.store import RequestNode

        await self.drafts.restore(root)
        if self._tabs_collection != root:
            return  # another collection opened meanwhile
        for relpath in relpaths:
            try:
                node = self.workspace.find(relpath)
            except CoreError:
                continue
            if isinstance(node, RequestNode):
                self._show_saved(node, focus=False)

    # -- history -------------------------------------------------------------------------

    @property
    def history(self) -> HistoryPanel:
        """The History page's panel, built when first shown or first needed (a send is
        recorded into it)."""
        return cast("HistoryPanel", self._history_page.content())

    def _build_history(self) -> HistoryPanel:
        from apiclient.ui.history_panel import HistoryPanel  # not needed to show the window

        panel = HistoryPanel(self.workspace, self.sidebar.current_folder)
        panel.open_requested.connect(self._on_history_open_requested)
        panel.request_saved.connect(self._on_history_request_saved)
        panel.problem_reported.connect(self.report_problem)
        panel.refresh()
        return panel

    def show_history(self) -> None:
        self.side_tabs.setCurrentWidget(self._history_page)
        self.history.search.setFocus()

    def _on_history_open_requested(self, entry: HistoryEntry) -> None:
        self.open_history_entry(entry)

    def _on_history_request_saved(self, relpath: str) -> None:
        self.sidebar.select(relpath)
        self.statusBar().showMessage(f"Saved {relpath}", 4000)

    @asyncSlot()
    async def save(self) -> bool:
        return await self._save(self.current_tab())

    async def _save(self, tab: RequestTab) -> bool:
        if tab.relpath is None:
            return await self._save_as(tab)
        return await self._write(tab, tab.current_request(), tab.relpath, "")

    @asyncSlot()
    async def save_as(self) -> bool:
        return await self._save_as(self.current_tab())

    async def _save_as(self, tab: RequestTab) -> bool:
        request = tab.current_request()
        name, ok = await dialogs.get_text(self, "Save request", "Request name:", request.name)
        if not ok or not name.strip():
            return False
        folder = self._new_request_folder.get(tab) or self.sidebar.current_folder()
        return await self._write(
            tab, request.model_copy(update={"name": name.strip()}), None, folder
        )

    async def _write(
        self, tab: RequestTab, request: AnyRequest, relpath: str | None, folder: str
    ) -> bool:
        from apiclient.ui.workspace import NoCollectionError

        store = self.workspace.store
        try:
            saved_path = await self.workspace.save_request(request, relpath, folder)
        except (CoreError, NoCollectionError) as exc:
            tab.show_notice(f"Not saved: {exc}")
            self.report_problem(f"Not saved: {exc}")
            return False
        self._new_request_folder.pop(tab, None)
        if store is not None and self._tabs_collection != store.root:
            # Another collection opened while it was written: the tab keeps it as a draft.
            tab.detach()
            self.statusBar().showMessage(
                f"Saved {saved_path} in {store.name}, which is no longer open", 6000
            )
            return True
        tab.mark_saved(saved_path, request)
        self._remember_open_requests()
        self.sidebar.select(saved_path)
        self.statusBar().showMessage(f"Saved {saved_path}", 4000)
        return True

    def _on_node_moved(self, old: str, new: str) -> None:
        """An open request's file (or a folder around it) was renamed or moved."""
        from apiclient.core.store import RequestNode

        for tab in self.request_tabs:
            current = tab.relpath
            if current is not None and (current == old or current.startswith(old + "/")):
                node = self.workspace.find(new + current[len(old) :])
                if isinstance(node, RequestNode):
                    tab.mark_saved(node.relpath, node.request)
        self._remember_open_requests()

    def _on_tree_changed(self) -> None:
        """A deleted open request becomes an unsaved draft rather than vanishing."""
        if self.workspace.store is None:
            return
        for tab in self.request_tabs:
            if tab.relpath is None:
                continue
            try:
                self.workspace.find(tab.relpath)
            except CoreError:
                tab.detach()
        self._remember_open_requests()

    def _on_group_dirty_changed(self, group: OpenRequests, dirty: bool) -> None:
        label = RequestTabs.label(group.kind)
        self.tabs.setTabText(self.tabs.indexOf(group), f"{label} ●" if dirty else label)

    def _on_workspace_collection_opened(self) -> None:
        """Requests open in tabs belong to the collection open before: when another one
        opens, they become unsaved drafts (nothing is lost), so Save never writes one
        into the new collection at the relpath it had in the old one."""
        store = self.workspace.store
        root = store.root if store is not None else None
        if root != self._tabs_collection:
            for tab in self.request_tabs:
                if tab.relpath is not None:
                    tab.detach()
        self._tabs_collection = root
        if self._reopening is not None:
            self._reopening.cancel()  # for the collection open before
        if root is not None:
            self._reopening = start_task(
                self._reopen_requests(root, self._settings.open_requests_for(root)),
                lambda _task: self._remember_open_requests(),
            )

    def _clear_request_tabs(self) -> None:
        """A collection is being opened or created (the user chose what to do with every
        unsaved edit): every kind is left with one blank request, in its first sub-tab."""
        from apiclient.core.preferences import with_default_settings

        self._open_requests_frozen = True
        try:
            for group in self._request_tabs.groups():
                for tab in group.tabs():
                    if tab.slot != group.kind:
                        self._close_tab(tab)
                first = group.current()
                self._new_request_folder.pop(first, None)
                blank = with_default_settings(first.new_request(), self.preferences.current)
                first.open_request(blank, None, blank=True)
        finally:
            self._open_requests_frozen = False

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
            self._clear_request_tabs()
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
        self._clear_request_tabs()
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
        self._remember_open_requests()
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
        while self._disposing:
            await asyncio.gather(*self._disposing, return_exceptions=True)
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
