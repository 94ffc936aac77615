"""The protocol tabs of the window, each built the first time it is needed.

Importing and building a tab costs 30-50 ms (its widgets, its module's imports), and a
person starting the app looks at one tab. So the tab bar starts with every label and
empty pages; once the workspace is attached, the tab in front is built, and the others
when first shown or when a request of their kind is opened. A built protocol tab is an
:class:`~apiclient.ui.open_requests.OpenRequests` group: the requests of its kind open
as sub-tabs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

if TYPE_CHECKING:
    from apiclient.ui.open_requests import OpenRequests
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


class ProtocolTabs(QTabWidget):
    """The window's protocol tabs (objectName ``protocol.tabs``); each built page is the
    group of the open requests of its kind.

    Callers name the request a person works in rather than the group around it, so an
    open request stands for its page: ``indexOf`` and ``setCurrentWidget`` take one (the
    latter also brings it to the front of its group), and ``currentWidget`` is the open
    request in front of the current page.
    """

    def __init__(self) -> None:
        super().__init__(objectName="protocol.tabs")
        self._groups: list[OpenRequests] = []

    def insert_group(self, index: int, group: OpenRequests, label: str) -> None:
        self._groups.append(group)
        self.insertTab(index, group, label)

    def indexOf(self, widget: QWidget) -> int:
        group = self._group_holding(widget)
        return super().indexOf(group if group is not None else widget)

    def setCurrentWidget(self, widget: QWidget) -> None:
        group = self._group_holding(widget)
        if group is None:
            super().setCurrentWidget(widget)
            return
        if widget is not group:
            group.focus(widget)  # type: ignore[arg-type]  # one of its open requests
        super().setCurrentWidget(group)

    def currentWidget(self) -> QWidget:
        page = super().currentWidget()
        group = next((g for g in self._groups if g is page), None)
        return group.current() if group is not None else page

    def _group_holding(self, widget: QWidget) -> OpenRequests | None:
        """The group that is ``widget`` or holds it as one of its open requests."""
        return next((g for g in self._groups if g is widget or widget in g.tabs()), None)


class RequestTabs:
    """Owns the protocol tabs in a ``QTabWidget``: builds each kind's group of open
    requests on first use, tells ``on_built`` about every sub-tab made and
    ``on_group_built`` about every group."""

    def __init__(
        self,
        tabs: ProtocolTabs,
        on_built: Callable[[RequestTab], None],
        on_group_built: Callable[[OpenRequests], None],
    ) -> None:
        self._tabs = tabs
        self._workspace: Workspace | None = None
        self._on_built = on_built
        self._on_group_built = on_group_built
        self._groups: dict[str, OpenRequests] = {}
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
        """Every open request of every group built so far: the only ones that can hold
        unsaved work or a send."""
        return tuple(tab for group in self._groups.values() for tab in group.tabs())

    def groups(self) -> tuple[OpenRequests, ...]:
        return tuple(self._groups.values())

    def get(self, kind: str) -> RequestTab | None:
        """The current sub-tab of ``kind``, built now if needed; None for a kind
        without a tab."""
        group = self.group(kind)
        return group.current() if group is not None else None

    def group(self, kind: str) -> OpenRequests | None:
        """The open requests of ``kind``, built now if needed; None for a kind without
        a tab."""
        group = self._groups.get(kind)
        if group is not None:
            return group
        spec = next((spec for spec in TAB_KINDS if spec.kind == kind), None)
        if spec is None:
            return None
        assert self._workspace is not None, "a tab is built only once attached"
        from apiclient.ui.open_requests import OpenRequests

        tab_class = getattr(importlib.import_module(spec.module), spec.class_name)
        workspace = self._workspace
        group = OpenRequests(kind, spec.label, lambda: tab_class(workspace), self._on_built)
        self._groups[kind] = group
        placeholder = self._placeholders.pop(kind)
        index = self._tabs.indexOf(placeholder)
        was_current = self._tabs.currentIndex() == index
        self._swapping = True
        try:
            self._tabs.removeTab(index)
            self._tabs.insert_group(index, group, spec.label)
            if was_current:
                self._tabs.setCurrentIndex(index)
        finally:
            self._swapping = False
        placeholder.deleteLater()
        self._on_group_built(group)
        return group

    def _on_current_changed(self, index: int) -> None:
        if self._swapping or self._workspace is None:
            return
        widget = self._tabs.widget(index)
        for kind, placeholder in list(self._placeholders.items()):
            if placeholder is widget:
                self.group(kind)
