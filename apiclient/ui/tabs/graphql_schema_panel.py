"""The schema explorer of the GraphQL tab: types and their fields, searchable.

Big schemas (GitHub's has ~1,800 types and ~10,000 fields) must not stall the window,
so the tree holds types only and fills a type's fields when it is expanded; a search
filters the plain data first and shows only what matched.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.ui.theme import semantic_color, show_status, theme_notifier, themed_text, tone_span
from apiclient.ui.widgets.send_buttons import swap_send_cancel

if TYPE_CHECKING:
    from apiclient.protocols.graphql_schema import LoadedSchema, SchemaField, SchemaType

_ROLE = Qt.ItemDataRole.UserRole
_MAX_SEARCH_TYPES = 300
_KIND_LABELS = {
    "OBJECT": "type",
    "INTERFACE": "interface",
    "UNION": "union",
    "ENUM": "enum",
    "INPUT_OBJECT": "input",
    "SCALAR": "scalar",
}


def _signature(field: SchemaField) -> str:
    if not field.arguments:
        return field.name
    args = ", ".join(f"{a.name}: {a.type}" for a in field.arguments)
    return f"{field.name}({args})"


def _field_html(type_name: str, field: SchemaField) -> str:
    parts = [f"<b>{escape(type_name)}.{escape(field.name)}</b>: {escape(field.type)}"]
    if field.deprecated:
        reason = escape(field.deprecation_reason or "no reason given")
        parts.append(tone_span(f"Deprecated: {reason}", "warning"))
    if field.description:
        parts.append(escape(field.description))
    for arg in field.arguments:
        default = f" = {escape(arg.default)}" if arg.default is not None else ""
        about = f" — {escape(arg.description)}" if arg.description else ""
        parts.append(f"&nbsp;&nbsp;<i>{escape(arg.name)}</i>: {escape(arg.type)}{default}{about}")
    return "<br>".join(parts)


def _type_html(schema_type: SchemaType) -> str:
    kind = _KIND_LABELS.get(schema_type.kind, schema_type.kind.lower())
    parts = [f"<b>{escape(schema_type.name)}</b> <span style='color:palette(mid)'>{kind}</span>"]
    if schema_type.description:
        parts.append(escape(schema_type.description))
    if schema_type.possible_types:
        parts.append("One of: " + escape(", ".join(schema_type.possible_types)))
    return "<br>".join(parts)


class SchemaExplorer(QWidget):
    """Signals:
    fetch_requested: Fetch was pressed (introspection).
    cancel_requested: Cancel was pressed while fetching.
    sdl_requested: the user wants to load the schema from an SDL file.
    field_chosen(object): a ``SchemaField`` was double-clicked (or Enter pressed on it).
    """

    fetch_requested = Signal()
    cancel_requested = Signal()
    sdl_requested = Signal()
    field_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._schema: LoadedSchema | None = None
        self._types: list[SchemaType] = []
        self.fetch = QPushButton("Fetch schema", objectName="graphql.fetch_schema")
        self.fetch.setToolTip("Ask the server for its schema (introspection)")
        self.cancel = QPushButton("Cancel", objectName="graphql.schema_cancel", visible=False)
        self.sdl = QPushButton("SDL file…", objectName="graphql.load_sdl")
        self.sdl.setToolTip("Load the schema from a .graphql file (when introspection is off)")
        self.status = QLabel(objectName="graphql.schema_status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.search = QLineEdit(objectName="graphql.schema.search")
        self.search.setPlaceholderText("Search types and fields")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(objectName="graphql.schema")
        self.tree.setHeaderLabels(["Schema", "Type"])
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnWidth(0, 200)
        self.info = QLabel(objectName="graphql.schema.info", wordWrap=True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop)

        buttons = QHBoxLayout()
        buttons.addWidget(self.fetch)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.sdl)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.info, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self._populate)
        self.search.textChanged.connect(self._search_timer.start)
        self.fetch.clicked.connect(self.fetch_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.sdl.clicked.connect(self.sdl_requested)
        self.tree.itemExpanded.connect(self._fill_fields)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        theme_notifier().changed.connect(self._on_theme_changed)
        self.tree.itemActivated.connect(self._on_activated)
        self.show_empty()

    @property
    def schema(self) -> LoadedSchema | None:
        return self._schema

    # -- states --------------------------------------------------------------------------

    def show_empty(self) -> None:
        self._schema = None
        self._types = []
        self.tree.clear()
        self.info.clear()
        self._set_status(
            "No schema yet: Fetch asks the server; SDL file… reads one. With a schema, "
            "queries are checked before sending and Ctrl+Space completes.",
            "palette(mid)",
        )

    def show_fetching(self, fetching: bool, what: str = "Fetching the schema…") -> None:
        swap_send_cancel(self.fetch, self.cancel, fetching)
        self.sdl.setEnabled(not fetching)
        if fetching:
            self._set_status(escape(what), "palette(mid)")

    def set_stale(self, stale: bool) -> None:
        """The schema in view belongs to another endpoint than the one in the request."""
        self.tree.setEnabled(not stale)
        if stale:
            self._set_status(
                "The endpoint changed: Fetch the schema again. Until then queries are not "
                "checked (the schema in view is the previous endpoint's).",
                "warning",
            )
        elif self._schema is not None:
            self._show_count()

    def show_error(self, title: str, message: str) -> None:
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    def show_cancelled(self) -> None:
        self._set_status("Cancelled: no schema was loaded.", "palette(mid)")

    def show_schema(self, schema: LoadedSchema) -> None:
        self._schema = schema
        self._types = schema.types()
        self.tree.setEnabled(True)
        self._show_count()
        self._populate()

    def _show_count(self) -> None:
        schema = self._schema
        assert schema is not None
        fields = sum(len(t.fields) for t in self._types)
        notes = "".join(f"<br>⚠ {escape(w)}" for w in schema.warnings[:3])
        self._set_status(
            f"{len(self._types)} types, {fields} fields · from {escape(schema.source)}{notes}",
            "success",
        )

    def _set_status(self, html: str, color: str) -> None:
        show_status(self.status, html, color)

    # -- the tree -----------------------------------------------------------------------------

    def _populate(self) -> None:
        self.tree.clear()
        self.info.clear()
        needle = self.search.text().strip().lower()
        shown = 0
        bold = QFont()
        bold.setBold(True)
        for schema_type in self._types:
            if needle:
                matching = [f for f in schema_type.fields if needle in f.name.lower()]
                if needle not in schema_type.name.lower() and not matching:
                    continue
                if shown >= _MAX_SEARCH_TYPES:
                    break
            item = QTreeWidgetItem(
                [schema_type.name, _KIND_LABELS.get(schema_type.kind, schema_type.kind)]
            )
            item.setData(0, _ROLE, schema_type)
            item.setToolTip(0, schema_type.description)
            if schema_type.name in self._schema_roots():
                item.setFont(0, bold)
            self.tree.addTopLevelItem(item)
            shown += 1
            if needle and needle not in schema_type.name.lower():
                self._add_fields(item, schema_type, matching)
                item.setExpanded(True)
            elif schema_type.fields or schema_type.enum_values:
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)

    def _schema_roots(self) -> set[str]:
        return set(self._schema.root_types.values()) if self._schema is not None else set()

    def _fill_fields(self, item: QTreeWidgetItem) -> None:
        schema_type = item.data(0, _ROLE)
        if item.childCount() == 0 and schema_type is not None and not _is_field(schema_type):
            self._add_fields(item, schema_type, list(schema_type.fields or schema_type.enum_values))

    def _add_fields(
        self, item: QTreeWidgetItem, schema_type: SchemaType, fields: list[SchemaField]
    ) -> None:
        grey = semantic_color("muted")
        for field in fields:
            label = _signature(field) + (" (deprecated)" if field.deprecated else "")
            child = QTreeWidgetItem([label, field.type])
            child.setData(0, _ROLE, (schema_type.name, field))
            child.setToolTip(0, field.description or field.name)
            if field.deprecated:
                for column in (0, 1):
                    child.setForeground(column, grey)
            item.addChild(child)

    def _on_theme_changed(self) -> None:
        """Grey the deprecated fields in the new theme's shade (their items hold it)."""
        grey = semantic_color("muted")
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            for j in range(item.childCount()):
                child = item.child(j)
                data = child.data(0, _ROLE)
                if data is not None and _is_field(data) and data[1].deprecated:
                    for column in (0, 1):
                        child.setForeground(column, grey)

    def _on_current_changed(self, item: QTreeWidgetItem | None) -> None:
        data = item.data(0, _ROLE) if item is not None else None
        if data is None:
            self.info.clear()
        elif _is_field(data):
            themed_text(self.info, lambda: _field_html(*data))
        else:
            self.info.setText(_type_html(data))

    def _on_activated(self, item: QTreeWidgetItem) -> None:
        data = item.data(0, _ROLE)
        if data is not None and _is_field(data):
            self.field_chosen.emit(data[1])

    def field_items(self, type_name: str) -> list[QTreeWidgetItem]:
        """The (filled) field rows of a type, e.g. to find one to click."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(0) == type_name:
                item.setExpanded(True)
                return [item.child(j) for j in range(item.childCount())]
        return []


def _is_field(data: object) -> bool:
    return isinstance(data, tuple)
