"""Keyboard and screen-reader access to the window's controls: their names, and Tab
through tables (the focus ring that can be seen is ``apiclient.ui.focus_style``).

Qt names a button after its text and a field after the label whose buddy it is; a line
edit without a buddy, a combo box, a table, an editor or a tab bar is announced with no
name at all. :func:`label_controls` gives each control with no name one, from (first
that applies):

1. ``NAMES``: human-readable names for the objectNames of DESIGN.md's contract;
2. a label: its buddy, the label of its form row, or a label just before it in a row;
3. the placeholder text, then the tooltip (its first sentence, without the shortcut);
4. the objectName, made readable (``grpc.import_paths`` -> "Import paths").

A button with readable text keeps Qt's own name, its live text: several buttons change
their text with their state (Connect / Disconnect, Start / Stop), and a fixed name would
go on saying the old one. Likewise the description is left to Qt, which reads the live
tooltip when no description is set; a status line of ``NAMES`` (a label, read as its
text) gets its name as description. The same walk lets Tab leave tables.

"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTabBar,
    QTableView,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QWidget,
)

from apiclient.ui.actions import without_mnemonic

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
    QTabBar,
)
"""The kinds of widget a person operates (and a screen reader must name)."""

NAMES: dict[str, str] = {
    # main window
    # parts Qt adds
    "qt_tableview_cornerbutton": "Select all",
    "qt_toolbar_ext_button": "More tool bar buttons",
    "qt_menubar_ext_button": "More menus",
    "protocol.tabs": "Request kinds",
    "sidebar.tabs": "Sidebar",
    "collections.tree": "Collections",
    "collections.filter": "Filter requests",
    "environment.picker": "Environment",
    "environment.edit": "Edit environments",
    "mocks.status": "Mock servers status",
    "history.list": "History",
    "history.search": "Search history",
    # REST
    "rest.method": "HTTP method",
    "rest.url": "Request URL",
    "rest.send": "Send request",
    "rest.cancel": "Cancel request",
    "rest.code": "Copy as code",
    "rest.request.tabs": "Request parts",
    "rest.params": "Query parameters",
    "rest.headers": "Request headers",
    "rest.body.mode": "Body type",
    "rest.body.language": "Body language",
    "rest.body": "Request body",
    "rest.body.urlencoded": "Form fields",
    "rest.body.multipart": "Multipart fields",
    "rest.body.binary": "Body file",
    "rest.body.binary.browse": "Choose body file",
    "rest.response.status": "Response status",
    "rest.response.body": "Response body",
    # batch
    "batch.url": "Batch endpoint URL",
    "batch.style": "Batch format",
    "batch.preview": "Preview batch request",
    "batch.send": "Send batch",
    "batch.cancel": "Cancel batch",
    "batch.progress": "Run progress",
    "batch.results": "Run results",
    "batch.results.filter": "Filter results",
    "batch.request.tabs": "Batch parts",
    "batch.operation": "Operation",
    "batch.items_key": "Items key",
    "batch.rows": "Batch rows",
    "batch.parts": "Batch parts",
    "batch.items": "Batch items",
    "batch.mapping": "Column mapping",
    "batch.headers": "Batch headers",
    "batch.runner.folder": "Folder to run",
    "batch.concurrency": "Concurrency",
    "batch.iterations": "Iterations",
    "batch.delay": "Delay between requests",
    "batch.environment": "Run environment",
    "batch.data_file.path": "Data file",
    "batch.runner.data_file": "Data file",
    "batch.options": "Batch options",
    "batch.part.headers": "Part headers",
    "batch.part.body": "Part body",
    # SOAP
    "soap.wsdl": "WSDL URL or file",
    "soap.browse": "Choose WSDL file",
    "soap.load": "Load WSDL",
    "soap.operations": "SOAP operations",
    "soap.version": "SOAP version",
    "soap.endpoint": "SOAP endpoint URL",
    "soap.action": "SOAPAction",
    "soap.envelope": "SOAP envelope",
    "soap.send": "Send SOAP request",
    "soap.cancel": "Cancel SOAP request",
    "soap.format": "Format envelope",
    "soap.validate": "Validate envelope",
    "soap.request.tabs": "SOAP request parts",
    "soap.headers": "SOAP HTTP headers",
    "soap.response": "SOAP response",
    "soap.response.sent": "Envelope as sent",
    "soap.fault.detail": "Fault detail",
    "soap.wsse.mode": "WS-Security mode",
    "soap.wsse.username": "WS-Security username",
    "soap.wsse.password": "WS-Security password",
    # GraphQL
    "graphql.url": "GraphQL endpoint URL",
    "graphql.method": "HTTP method",
    "graphql.query": "GraphQL query",
    "graphql.variables": "GraphQL variables",
    "graphql.operation": "Operation to run",
    "graphql.format": "Format query",
    "graphql.schema": "GraphQL schema",
    "graphql.schema.search": "Search schema",
    "graphql.fetch_schema": "Fetch schema",
    "graphql.load_sdl": "Load schema file",
    "graphql.request.tabs": "GraphQL request parts",
    "graphql.headers": "GraphQL HTTP headers",
    "graphql.response": "GraphQL response",
    "graphql.subscription_url": "Subscription URL",
    "graphql.subscription.protocol": "Subscription protocol",
    # gRPC
    "grpc.target": "gRPC server address",
    "grpc.security": "Connection security",
    "grpc.reflect": "Load services by reflection",
    "grpc.load_protos": "Load proto files",
    "grpc.proto_files": "Proto files",
    "grpc.import_paths": "Proto import paths",
    "grpc.methods": "gRPC methods",
    "grpc.message": "Request message",
    "grpc.metadata": "Request metadata",
    "grpc.deadline": "Deadline",
    "grpc.send": "Call method",
    "grpc.cancel": "Cancel call",
    "grpc.send_message": "Send message on stream",
    "grpc.close_send": "Close sending",
    "grpc.request.tabs": "gRPC request parts",
    "grpc.response": "gRPC response",
    "grpc.response.tabs": "gRPC response parts",
    "grpc.response.headers": "Response headers",
    "grpc.response.trailers": "Response trailers",
    # WebSocket
    "websocket.url": "WebSocket URL",
    "websocket.message": "Message to send",
    "websocket.message_format": "Message format",
    "websocket.send": "Send message",
    "websocket.save_message": "Save message",
    "websocket.log": "Message log",
    "websocket.log.search": "Search messages",
    "websocket.log.direction": "Show direction",
    "websocket.log.capacity": "Entries kept in memory",
    "websocket.message_file": "Message file",
    "websocket.headers": "Handshake headers",
    "websocket.subprotocols": "Subprotocols",
    "websocket.request.tabs": "WebSocket parts",
    "websocket.saved": "Saved messages",
    "websocket.script": "Message script",
    # webhook
    "webhook.port": "Receiver port",
    "webhook.host": "Receiver address",
    "webhook.url": "Receiver URL",
    "webhook.log": "Received requests",
    "webhook.detail": "Request detail",
    "webhook.detail.tabs": "Request detail parts",
    "webhook.filter": "Filter received requests",
    "webhook.settings": "Receiver settings",
    "webhook.response.preset": "Response preset",
    "webhook.response.status": "Response status code",
    "webhook.response.delay": "Response delay",
    "webhook.response.headers": "Response headers",
    "webhook.response.body": "Response body",
    "webhook.forward_url": "Forward URL",
    "webhook.replay_url": "Replay URL",
    "webhook.export": "Export received requests",
    "webhook.detail.body": "Received body",
    "webhook.detail.headers": "Received headers",
    "webhook.detail.query": "Received query parameters",
    "webhook.signature.algorithm": "Signature algorithm",
    "webhook.signature.encoding": "Signature encoding",
    "webhook.signature.header": "Signature header",
    "webhook.signature.prefix": "Signature prefix",
    "webhook.signature.scheme": "Signature scheme",
    "webhook.signature.secret": "Signing secret",
    "webhook.signature.tolerance": "Timestamp tolerance",
}

_SHARED_PARTS: dict[str, str] = {
    # Parts every tab's editor or response has, named ``<kind>.<part>``.
    "response.status": "Response status",
    "response.time": "Response time",
    "response.size": "Response size",
    "response.body": "Response body",
    "response.tabs": "Response parts",
    "response.headers": "Response headers",
    "response.cookies": "Response cookies",
    "response.pretty": "Pretty",
    "response.raw": "Raw",
    "response.wrap": "Wrap lines",
    "response.find": "Search in body",
    "auth.kind": "Authentication type",
    "auth.key_in": "Add the API key to",
    "auth.key_name": "API key name",
    "auth.key_value": "API key value",
    "auth.token_prefix": "Token prefix",
    "auth.hawk_algorithm": "Hawk algorithm",
    "auth.hawk_ext": "Hawk ext data",
    "settings.timeout": "Read timeout",
    "settings.connect_timeout": "Connect timeout",
    "settings.total_timeout": "Total timeout",
    "settings.max_redirects": "Maximum redirects",
    "settings.verify_tls": "Verify TLS certificates",
    "settings.proxy_url": "Proxy URL",
    "settings.proxy_username": "Proxy username",
    "settings.proxy_password": "Proxy password",
    "settings.ca_file": "CA certificate file",
    "settings.ca_file.browse": "Choose CA certificate file",
    "tls.ca_file": "CA certificate file",
    "tls.client_cert": "Client certificate",
    "tls.client_key": "Client private key",
    "tls.server_name": "Server name",
    "tests": "Tests",
    "request.tabs": "Request parts",
    "headers": "Headers",
}

_TAGS = re.compile(r"<[^>]+>")
_SHORTCUT = re.compile(r"\s*\([^)]*\)\s*$")
_READABLE = re.compile(r"[^\W_]", re.UNICODE)


def label_controls(root: QWidget) -> None:
    """Give every control under ``root`` (and ``root``) with no accessible name one, and
    let Tab leave every table.

    A table of Qt moves Tab from cell to cell for ever, so a keyboard user can never get
    past it; here Tab goes on to the next control and the arrow keys move between cells
    (while a cell is edited, Tab still moves to the next cell).

    Cheap (one walk of the widgets and of the layouts) and idempotent: a name already
    set, by the code or a call before, is kept. A label found beside a control becomes
    its buddy, so its mnemonic (``&``) focuses the control."""
    found = root.findChildren(QLabel)
    _describe_displays(found, root.findChildren(QProgressBar))
    labels = _labels_by_control(root, found)
    for widget in (root, *root.findChildren(QWidget)):
        if not _is_control(type(widget)):
            continue
        if _is_table(type(widget)):
            widget.setTabKeyNavigation(False)
        if widget.accessibleName():
            continue
        name = _name_for(widget, labels)
        if name:
            widget.setAccessibleName(name)


NAMING_DELAY_MS = 300


def label_controls_soon(root: QWidget) -> None:
    """:func:`label_controls` once the window has painted and takes input: naming a tab
    walks hundreds of widgets (20-40 ms), which must not delay the first keystroke. A
    screen reader asks for names when the focus moves, later than that."""
    QTimer.singleShot(NAMING_DELAY_MS, root, lambda: label_controls(root))


@cache
def _is_control(widget_type: type) -> bool:
    """Whether widgets of this type are controls (asked per type: isinstance on a Qt type
    costs microseconds, and a window holds thousands of widgets)."""
    return issubclass(widget_type, INTERACTIVE) and not issubclass(widget_type, QHeaderView)


@cache
def _is_table(widget_type: type) -> bool:
    return issubclass(widget_type, QTableView)


def accessible_name(widget: QWidget) -> str:
    """The name ``widget`` is announced with: its accessibleName, else for a button its
    text (what Qt's accessible interface reports on every platform; on Linux a combo
    box is told by its value, and its name comes from its label's relation)."""
    name = widget.accessibleName()
    if not name and isinstance(widget, QAbstractButton):
        name = _plain(widget.text())
    return name


def is_readable(name: str) -> bool:
    """Whether ``name`` says something (not only symbols such as "▲" or "…")."""
    return bool(_READABLE.search(name))


def _name_for(widget: QWidget, labels: dict[QWidget, str]) -> str:
    object_name = widget.objectName()
    known = _known_name(object_name)
    if known:
        return known
    parent = widget.parentWidget()
    if isinstance(widget, QTabBar) and isinstance(parent, QTabWidget):
        return parent.accessibleName() or _known_name(parent.objectName()) or _readable(parent)
    if isinstance(widget, QLineEdit) and isinstance(parent, QComboBox | QAbstractSpinBox):
        return parent.accessibleName() or _name_for(parent, labels)
    if isinstance(widget, QAbstractItemView) and parent is not None:
        combo = parent.parentWidget()  # a combo box's list sits in its popup frame
        if isinstance(combo, QComboBox):
            return f"{combo.accessibleName() or _name_for(combo, labels)} choices"
    if isinstance(widget, QToolButton) and isinstance(parent, QLineEdit) and not widget.text():
        return "Clear"  # the clear button Qt adds to a line edit
    if isinstance(widget, QAbstractButton) and is_readable(widget.text()):
        return ""  # Qt reads the button's live text
    label = labels.get(widget, "")
    if label:
        return label
    placeholder = widget.placeholderText() if isinstance(widget, QLineEdit) else ""
    if is_readable(placeholder):
        return _first_sentence(placeholder)
    tip = _first_sentence(_plain(widget.toolTip()))
    if is_readable(tip):
        return tip
    return _readable(widget)


def _known_name(object_name: str) -> str:
    if object_name in NAMES:
        return NAMES[object_name]
    _kind, _, part = object_name.partition(".")
    return _SHARED_PARTS.get(part, "")


def _describe_displays(labels: list[QLabel], bars: list[QProgressBar]) -> None:
    """A status line of ``NAMES`` (a label, read as its live text) is described by its
    name, e.g. "200 OK", "Response status"; a progress bar is named by it."""
    for label in labels:
        known = _known_name(label.objectName())
        if known and not label.accessibleDescription():
            label.setAccessibleDescription(known)
    for bar in bars:
        known = _known_name(bar.objectName())
        if known and not bar.accessibleName():
            bar.setAccessibleName(known)


def _labels_by_control(root: QWidget, found: list[QLabel]) -> dict[QWidget, str]:
    """The text of the label of each control: its buddy label, its form row's label or
    a label right before it in a row or column of a layout.

    Layouts are read through ``indexOf`` and ``labelForField`` only, never ``itemAt``:
    PySide keeps the wrapper of a ``QLayoutItem`` it handed out with its layout, and
    when Qt deletes the item (a widget removed or deleted) the stale wrapper may later
    be taken for a new object at the same address, which crashes the process."""
    labels: dict[QWidget, str] = {}
    for label in found:
        buddy = label.buddy()
        if buddy is not None and _plain(label.text()):
            labels[buddy] = _plain(label.text())
    # Only a widget holding a label can hold a label beside a control.
    holders = {label.parentWidget() for label in found}
    children = _Children()
    for layout in root.findChildren(QLayout):
        if layout.parentWidget() not in holders:
            continue
        if isinstance(layout, QFormLayout):
            _form_labels(layout, labels, children)
        elif isinstance(layout, QBoxLayout | QGridLayout):
            _neighbour_labels(layout, labels, children)
    return labels


class _Children(dict[QWidget, list[QWidget]]):
    """Each widget's direct child widgets, asked of Qt once per walk."""

    def __missing__(self, owner: QWidget) -> list[QWidget]:
        found = owner.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        self[owner] = found
        return found


def _laid_out(layout: QLayout, children: _Children) -> list[QWidget]:
    """The widgets ``layout`` itself holds (not its nested layouts'), in its order."""
    owner = layout.parentWidget()
    if owner is None:
        return []
    placed = [
        (index, widget) for widget in children[owner] if (index := layout.indexOf(widget)) >= 0
    ]
    return [widget for _index, widget in sorted(placed, key=lambda pair: pair[0])]


def _form_labels(form: QFormLayout, labels: dict[QWidget, str], children: _Children) -> None:
    fields: list[QWidget] = [w for w in _laid_out(form, children) if _is_control(type(w))]
    for nested in form.findChildren(QLayout, options=Qt.FindChildOption.FindDirectChildrenOnly):
        label = form.labelForField(nested)
        first = next((w for w in _laid_out(nested, children) if _is_control(type(w))), None)
        if isinstance(label, QLabel) and first is not None:
            _pair(label, first, labels)
    for field in fields:
        label = form.labelForField(field)
        if isinstance(label, QLabel):
            _pair(label, field, labels)


def _neighbour_labels(layout: QLayout, labels: dict[QWidget, str], children: _Children) -> None:
    previous: QWidget | None = None
    for widget in _laid_out(layout, children):
        if isinstance(previous, QLabel) and _is_control(type(widget)):
            _pair(previous, widget, labels)
        previous = widget


def _pair(label: QLabel, control: QWidget, labels: dict[QWidget, str]) -> None:
    text = _plain(label.text())
    if not is_readable(text) or control in labels:
        return
    labels[control] = text
    if label.buddy() is None:
        label.setBuddy(control)


def _plain(text: str) -> str:
    """Label or tooltip text as words: no markup, no mnemonic "&", no trailing colon."""
    if "<" in text:
        text = unescape(_TAGS.sub(" ", text))
    return " ".join(without_mnemonic(text).split()).rstrip(":").strip()


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s|:\s|\n", text.strip(), maxsplit=1)[0]
    return _SHORTCUT.sub("", sentence).rstrip(".").strip()


def _readable(widget: QWidget) -> str:
    """The objectName in words, without the tab's prefix: "grpc.import_paths" -> "Import paths"."""
    parts = [p for p in widget.objectName().split(".") if p and not p.startswith("qt_")]
    words = " ".join(parts[1:] or parts).replace("_", " ").strip()
    return words[:1].upper() + words[1:]
