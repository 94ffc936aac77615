"""The protocol tabs of the window, each built the first time it is needed.

Importing and building a tab costs 30-50 ms (its widgets, its module's imports), and a
person starting the app looks at one tab. So the tab bar starts with every label and
empty pages; once the workspace is attached, the tab in front is built, and the others
when first shown or when a request of their kind is opened.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

if TYPE_CHECKING:
    from apiclient.ui.tabs.request_tab import RequestTab
    from apiclient.ui.workspace import Workspace


@dataclass(frozen=True)
class TabKind:
    kind: str  # the request kind the tab edits, and its objectName ``tab.<kind>``
    label: str
    module: str
    class_name: str


TAB_KINDS: tuple[TabKind, ...] = (
    TabKind("rest", "REST", "apiclient.ui.tabs.rest", "RestTab"),
    TabKind("batch", "Batch", "apiclient.ui.tabs.batch", "BatchTab"),
    TabKind("soap", "SOAP", "apiclient.ui.tabs.soap", "SoapTab"),
    TabKind("graphql", "GraphQL", "apiclient.ui.tabs.graphql", "GraphqlTab"),
    TabKind("grpc", "gRPC", "apiclient.ui.tabs.grpc", "GrpcTab"),
    TabKind("websocket", "WebSocket", "apiclient.ui.tabs.websocket", "WebsocketTab"),
    TabKind("webhook", "Webhook", "apiclient.ui.tabs.webhook", "WebhookTab"),
)


class RequestTabs:
    """Owns the tabs in a ``QTabWidget``: builds each on first use and tells ``on_built``."""

    def __init__(self, tabs: QTabWidget, on_built: Callable[[RequestTab], None]) -> None:
        self._tabs = tabs
        self._workspace: Workspace | None = None
        self._on_built = on_built
        self._built: dict[str, RequestTab] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._swapping = False
        for spec in TAB_KINDS:
            placeholder = QWidget(objectName=f"tab.{spec.kind}.unbuilt")
            self._placeholders[spec.kind] = placeholder
            tabs.addTab(placeholder, spec.label)
        tabs.currentChanged.connect(self._on_current_changed)

    def attach(self, workspace: Workspace) -> None:
        """Tabs can be built from now on; the one in front is built at once."""
        self._workspace = workspace
        self._on_current_changed(self._tabs.currentIndex())

    @staticmethod
    def kinds() -> list[tuple[str, str]]:
        """(kind, label) of every tab, built or not."""
        return [(spec.kind, spec.label) for spec in TAB_KINDS]

    @staticmethod
    def label(kind: str) -> str:
        return next(spec.label for spec in TAB_KINDS if spec.kind == kind)

    @staticmethod
    def module_of(kind: str) -> str:
        """The module defining the tab for ``kind`` (imported when it is first built)."""
        return next(spec.module for spec in TAB_KINDS if spec.kind == kind)

    def built(self) -> tuple[RequestTab, ...]:
        """The tabs built so far: the only ones that can hold unsaved work or a send."""
        return tuple(self._built.values())

    def get(self, kind: str) -> RequestTab | None:
        """The tab for ``kind``, built now if needed; None for a kind without a tab."""
        tab = self._built.get(kind)
        if tab is not None:
            return tab
        spec = next((spec for spec in TAB_KINDS if spec.kind == kind), None)
        if spec is None:
            return None
        assert self._workspace is not None, "a tab is built only once attached"
        tab_class = getattr(importlib.import_module(spec.module), spec.class_name)
        tab = tab_class(self._workspace)
        assert tab.kind == kind
        placeholder = self._placeholders.pop(kind)
        index = self._tabs.indexOf(placeholder)
        was_current = self._tabs.currentIndex() == index
        self._swapping = True
        try:
            self._tabs.removeTab(index)
            self._tabs.insertTab(index, tab, spec.label)
            if was_current:
                self._tabs.setCurrentIndex(index)
        finally:
            self._swapping = False
        placeholder.deleteLater()
        self._built[kind] = tab
        self._on_built(tab)
        return tab

    def _on_current_changed(self, index: int) -> None:
        if self._swapping or self._workspace is None:
            return
        widget = self._tabs.widget(index)
        for kind, placeholder in list(self._placeholders.items()):
            if placeholder is widget:
                self.get(kind)
