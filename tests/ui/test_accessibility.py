"""Every control a person uses has a name a screen reader can say, and Tab walks the REST
editor in the order it is laid out."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from apiclient.ui.accessibility import (
    INTERACTIVE,
    accessible_name,
    is_readable,
    label_controls,
)
from apiclient.ui.focus_style import FocusRingStyle
from apiclient.ui.main_window import MainWindow
from apiclient.ui.request_tabs import RequestTabs
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.widgets.key_value_table import KeyValueTable


def bring_to_front(window: MainWindow, tab: QWidget) -> None:
    """Show the protocol page holding ``tab`` (the tab itself or the group around it)."""
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index)
        if page is tab or page.isAncestorOf(tab):
            window.tabs.setCurrentIndex(index)
            return
    raise AssertionError(f"{tab.objectName()} is not in the window's tabs")


def unnamed_controls(root: QWidget) -> list[str]:
    """The visible controls under ``root`` that a screen reader could not name."""
    return [
        f"{widget.objectName() or '(no objectName)'} ({type(widget).__name__}, "
        f"in {widget.parentWidget().objectName() or type(widget.parentWidget()).__name__})"
        for widget in root.findChildren(QWidget)
        if isinstance(widget, INTERACTIVE)
        and widget.isVisible()
        and not is_readable(accessible_name(widget))
        and type(widget).__name__ != "QHeaderView"
    ]


def test_every_visible_control_of_every_tab_is_named(window: MainWindow) -> None:
    label_controls(window)
    assert unnamed_controls(window) == []
    for kind, _label in RequestTabs.kinds():
        tab = window.tab_for(kind)
        assert tab is not None
        label_controls(tab)  # as the window does when it builds a tab
        bring_to_front(window, tab)
        assert unnamed_controls(window.tabs.currentWidget()) == [], kind


def test_controls_of_the_design_contract_have_human_names(window: MainWindow) -> None:
    label_controls(window)
    for kind, _label in RequestTabs.kinds():
        label_controls(window.tab_for(kind))
    expected = {
        "rest.method": "HTTP method",
        "rest.url": "Request URL",
        "rest.send": "Send request",
        "rest.headers": "Request headers",
        "collections.tree": "Collections",
        "environment.picker": "Environment",
        "soap.wsdl": "WSDL URL or file",
        "soap.operations": "SOAP operations",
        "graphql.query": "GraphQL query",
        "grpc.target": "gRPC server address",
        "websocket.url": "WebSocket URL",
        "webhook.port": "Receiver port",
        "batch.url": "Batch endpoint URL",
    }
    for object_name, name in expected.items():
        widget = window.findChild(QWidget, object_name)
        assert widget is not None, object_name
        assert widget.accessibleName() == name, object_name
    # A status line is read as its live text, and described by what it is.
    status = window.rest.findChild(QLabel, "rest.response.status")
    assert status.accessibleName() == ""
    assert status.accessibleDescription() == "Response status"
    # A button whose text follows its state keeps Qt's name: its live text.
    mocks = window.findChild(QPushButton, "mocks.start")
    assert mocks.accessibleName() == ""
    assert accessible_name(mocks) == mocks.text().replace("&", "")


def test_names_come_from_labels_placeholders_and_tooltips(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    form = QFormLayout(root)
    timeout = QSpinBox(objectName="demo.timeout")
    form.addRow("&Timeout (s):", timeout)
    port = QSpinBox()
    row = QHBoxLayout()
    row.addWidget(QLabel("Port"))
    row.addWidget(port)
    form.addRow(row)
    search = QLineEdit(placeholderText="Search in body")
    form.addRow(search)
    previous = QToolButton(text="▲", toolTip="Previous match (Shift+Enter)")
    form.addRow(previous)
    save = QPushButton("&Save")
    form.addRow(save)
    table = QTableWidget(objectName="demo.key_values")
    form.addRow(table)
    tabs = QTabWidget(objectName="rest.response.tabs")
    tabs.addTab(QWidget(), "Body")
    form.addRow(tabs)
    hint = QLineEdit(toolTip="Where the receiver listens. Use 0 for any free port")
    form.addRow(hint)
    named = QComboBox()
    named.setAccessibleName("Kept")
    form.addRow("Ignored:", named)

    label_controls(root)

    assert timeout.accessibleName() == "Timeout (s)"
    assert port.accessibleName() == "Port"
    assert search.accessibleName() == "Search in body"
    assert previous.accessibleName() == "Previous match"
    assert save.accessibleName() == "" and accessible_name(save) == "Save"
    assert table.accessibleName() == "Key values"
    assert tabs.tabBar().accessibleName() == "Response parts"
    assert named.accessibleName() == "Kept"
    assert hint.accessibleName() == "Where the receiver listens"
    # A label found beside a control becomes its buddy (its mnemonic focuses it).
    beside = next(label for label in root.findChildren(QLabel) if label.text() == "Port")
    assert beside.buddy() is port

    label_controls(root)  # idempotent
    assert timeout.accessibleName() == "Timeout (s)"


def test_naming_a_tab_is_cheap(window: MainWindow) -> None:
    tab = window.rest
    label_controls(tab)  # the first walk also creates Python wrappers for the widgets
    # CPU time of the GUI thread: the machine's other work does not count.
    spans = []
    for _ in range(3):
        started = time.thread_time()
        label_controls(tab)
        spans.append(time.thread_time() - started)
    assert min(spans) < 0.010, spans


def focus_walk(start: QWidget, within: QWidget, backwards: bool = False) -> list[QWidget]:
    """The widgets Tab (or Shift+Tab) visits from ``start`` while it stays in ``within``."""
    visited = [start]
    key, modifier = (
        (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        if backwards
        else (Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    )
    app = QApplication.instance()
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    assert app.focusWidget() is start
    for _ in range(60):
        QTest.keyClick(start.window().focusWidget(), key, modifier)
        focused = app.focusWidget()
        if focused is None or not within.isAncestorOf(focused) or focused in visited:
            break
        visited.append(focused)
    return visited


def reading_order(widgets: list[QWidget], root: QWidget) -> list[str]:
    """Where the walk goes against the layout: a widget above the one before it, or left
    of it on the same line."""
    jumps = []
    for before, after in itertools.pairwise(widgets):
        a = before.mapTo(root, QPoint(0, 0))
        b = after.mapTo(root, QPoint(0, 0))
        same_line = abs(a.y() - b.y()) < min(before.height(), after.height()) // 2 + 4
        if (same_line and b.x() < a.x()) or (not same_line and b.y() < a.y()):
            jumps.append(f"{before.objectName()} -> {after.objectName()}")
    return jumps


def test_rest_tab_order_follows_the_layout(qtbot, window: MainWindow) -> None:
    tab: RequestTab = window.rest
    bring_to_front(window, tab)
    method = tab.findChild(QComboBox, "rest.method")
    forward = focus_walk(method, tab)
    names = [widget.objectName() for widget in forward]
    landmarks = ["rest.method", "rest.url", "rest.send", "rest.params"]
    assert [name for name in names if name in landmarks] == landmarks, names
    # The request's tab bar comes before its content, then the response: its tab bar and
    # its body (or what to do while there is none yet).
    tab_bars = [w for w in forward if w.objectName() == "qt_tabwidget_tabbar"]
    assert [bar.parentWidget().objectName() for bar in tab_bars] == [
        "rest.request.tabs",
        "rest.response.tabs",
    ]
    response = forward[names.index("rest.params") + 1 :]
    assert response[-1] is not tab_bars[1], "nothing to reach in the response"
    assert all(tab.response.isAncestorOf(w) for w in response), names
    assert reading_order(forward, tab) == []

    backward = focus_walk(forward[-1], tab, backwards=True)
    assert [w.objectName() for w in backward] == names[::-1]


def test_tab_leaves_tables(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    layout = QFormLayout(root)
    headers = KeyValueTable("demo.headers", "Header")  # leaves Tab by itself
    read_only = QTableWidget(3, 2)  # Qt's default: Tab moves from cell to cell
    after = QLineEdit()
    for widget in (headers, read_only, after):
        layout.addRow(widget)
    label_controls(root)
    root.show()
    root.activateWindow()
    headers.setFocus()
    qtbot.waitUntil(headers.hasFocus)
    # Reached by the keyboard, a key/value table starts on the first name: type away.
    assert (headers.currentRow(), headers.currentColumn()) == (0, 1)
    QTest.keyClick(headers, Qt.Key.Key_Tab)
    assert read_only.hasFocus()
    QTest.keyClick(read_only, Qt.Key.Key_Tab)
    assert after.hasFocus()


def ring_pixels(widget: QWidget) -> int:
    """How many pixels of ``widget`` are drawn in (nearly) the highlight colour."""
    image = widget.grab().toImage()
    ring = widget.palette().highlight().color()
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - ring.red())
                + abs(pixel.green() - ring.green())
                + abs(pixel.blue() - ring.blue())
                < 40
            ):
                count += 1
    return count


def test_the_focus_ring_shows_where_the_keyboard_is(qtbot) -> None:
    style = FocusRingStyle()
    root = QWidget()
    qtbot.addWidget(root)
    layout = QFormLayout(root)
    start = QLineEdit()
    check = QCheckBox("Verify TLS certificates")
    send = QPushButton("Send", default=True)
    table = QTableWidget(2, 2)
    table.setTabKeyNavigation(False)
    tree = QTreeWidget()
    QTreeWidgetItem(tree, ["Items"])
    controls = [check, send, table, tree]
    for widget in [start, *controls]:
        layout.addRow(widget)
    for widget in [root, *root.findChildren(QWidget)]:
        widget.setStyle(style)
    root.show()
    root.activateWindow()
    qtbot.waitExposed(root)
    unfocused = {id(widget): ring_pixels(widget) for widget in controls}
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    for widget in controls:
        QTest.keyClick(start.window().focusWidget(), Qt.Key.Key_Tab)
        assert widget.hasFocus()
        # A ring two pixels wide around the control, or its current cell or item.
        assert ring_pixels(widget) > unfocused[id(widget)] + 60, type(widget).__name__
