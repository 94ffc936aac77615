"""The app's own tabs against contract mocks (issue 13): each tab is driven through its
widgets, as a person would, against mocks served from the test contracts and from real
ones of the shared corpus, and shows the generated answers, the mock's validation
errors and pinned responses; no exception reaches Qt or the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_paths import CORPUS
from faults.ui_drivers import plain
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from qasync import QEventLoop

from apiclient.ui.main_window import MainWindow
from mock_servers.contracts.base import Pin
from mock_servers.contracts.host import ContractMock, ContractMocks

TIMEOUT_MS = 20_000
FILES = Path(__file__).resolve().parents[1] / "mock_servers" / "contract_files"
# label: contract file; the corpus ones are skipped when the corpus is not here.
CONTRACTS = {
    "shop": FILES / "openapi" / "shop.yaml",
    "petstore": CORPUS / "openapi" / "oai-examples" / "petstore.yaml",
    "users": CORPUS / "openapi" / "openapi-spec-validator" / "v3.0" / "read-only-write-only.yaml",
    "library": FILES / "wsdl" / "library.wsdl",
    "numbers": CORPUS / "wsdl" / "wsdl-to-postman" / "validWSDLs11" / "numberConvertion.wsdl",
    "conference": FILES / "graphql" / "conference.graphql",
    "starwars": CORPUS / "graphql" / "gql" / "starwars.printed.graphql",
    "orders": FILES / "proto" / "shop.proto",
    "routes": CORPUS / "proto" / "grpc-go" / "examples" / "route_guide" / "routeguide"
    / "route_guide.proto",
}  # fmt: skip


@pytest.fixture(scope="module")
def contract_mocks() -> Iterator[dict[str, ContractMock]]:
    """Every contract above that exists, served on free ports of 127.0.0.1 (before any
    window, so blocking until they listen holds up no event loop)."""
    host = ContractMocks(seed=7)
    try:
        yield {label: host.start(path) for label, path in CONTRACTS.items() if path.is_file()}
    finally:
        host.stop_all()


@pytest.fixture
def mocks(contract_mocks: dict[str, ContractMock]) -> Iterator[dict[str, ContractMock]]:
    """The running mocks, every pin a test set removed after it."""
    yield contract_mocks
    for mock in contract_mocks.values():
        for operation in mock.pins.all():
            mock.pins.set(operation, None)


def mock_of(mocks: dict[str, ContractMock], label: str) -> ContractMock:
    if label not in mocks:
        pytest.skip(f"{CONTRACTS[label]} is not here (the shared corpus is missing)")
    return mocks[label]


@pytest.fixture
def loop_errors(qt_loop: QEventLoop) -> Iterator[list[dict[str, object]]]:
    """What reached the event loop's exception handler during the test."""
    seen: list[dict[str, object]] = []
    qt_loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    qt_loop.set_exception_handler(None)


@pytest.fixture
def window(make_window, qtbot: QtBot, loop_errors: list[dict[str, object]]) -> Iterator[MainWindow]:
    """A window with no collection; the test fails if an exception reached Qt or the loop."""
    with qtbot.captureExceptions() as exceptions:
        yield make_window()
    assert not exceptions, exceptions
    assert not loop_errors, loop_errors


# -- driving the window ---------------------------------------------------------------------


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _text(window: MainWindow, name: str) -> str:
    """What a person reads in the label or text box called ``name``."""
    widget = window.findChild(QLabel, name) or _find(window, QPlainTextEdit, name)
    return plain(widget.text()) if isinstance(widget, QLabel) else widget.toPlainText()


def _click(qtbot: QtBot, window: MainWindow, name: str) -> None:
    qtbot.mouseClick(_find(window, QPushButton, name), Qt.MouseButton.LeftButton)


def _type(qtbot: QtBot, window: MainWindow, name: str, text: str) -> None:
    field = _find(window, QLineEdit, name)
    field.clear()
    qtbot.keyClicks(field, text)


def _front(qtbot: QtBot, window: MainWindow, tab: QWidget) -> None:
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentWidget() is tab


def _send(qtbot: QtBot, window: MainWindow, tab: QWidget, style: str) -> str:
    with qtbot.waitSignal(tab.send_finished, timeout=TIMEOUT_MS):
        _click(qtbot, window, f"{style}.send")
    return _text(window, f"{style}.response.status")


def _click_item(qtbot: QtBot, tree: QTreeWidget, text: str, parent_prefix: str = "") -> None:
    items = tree.findItems(text, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    (item,) = [i for i in items if i.parent() and i.parent().text(0).startswith(parent_prefix)]
    tree.scrollToItem(item)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )


# -- REST -----------------------------------------------------------------------------------


def rest_send(
    qtbot: QtBot, window: MainWindow, method: str, url: str, body: str = ""
) -> tuple[str, str]:
    """Send ``method url`` (with a raw JSON ``body``); the status line and the body shown."""
    _front(qtbot, window, window.rest)
    _find(window, QComboBox, "rest.method").setCurrentText(method)
    _type(qtbot, window, "rest.url", url)
    editor = window.rest.editor.body
    editor.mode.setCurrentIndex(editor.mode.findData("raw" if body else "none"))
    editor.language.setCurrentText("json")
    editor.raw.setPlainText(body)
    status = _send(qtbot, window, window.rest, "rest")
    return status, _text(window, "rest.response.body")


ORDER = {
    "status": "open",
    "customer": {"name": "Ada", "email": "ada@example.com"},
    "items": [{"sku": "SKU-0001", "quantity": 2, "price": 9.99}],
}


def test_rest_get_and_post_against_the_shop_contract(qtbot, window, mocks):
    shop = mock_of(mocks, "shop")
    status, body = rest_send(qtbot, window, "GET", f"{shop.url}/orders/7")
    assert "200" in status
    order = json.loads(body)
    assert order["id"] == 7 and order["status"] in ("open", "paid", "shipped")
    assert order["items"] and order["customer"]["email"]

    status, body = rest_send(qtbot, window, "POST", f"{shop.url}/orders", json.dumps(ORDER))
    assert "201" in status
    assert json.loads(body)["items"]


def test_rest_shows_the_mocks_422_for_a_body_that_does_not_fit(qtbot, window, mocks):
    shop = mock_of(mocks, "shop")
    bad = {**ORDER, "items": [{"sku": "SKU-0001", "quantity": 2, "price": "abc"}]}
    status, body = rest_send(qtbot, window, "POST", f"{shop.url}/orders", json.dumps(bad))
    assert "422" in status
    problem = json.loads(body)
    assert problem["where"] == "body.items[0].price"
    assert "'abc' is not of type 'number'" in problem["error"]


def test_rest_shows_a_pinned_response(qtbot, window, mocks):
    shop = mock_of(mocks, "shop")
    shop.pins.set("getOrder", Pin(status=503, body='{"error": "the warehouse is down"}'))
    status, body = rest_send(qtbot, window, "GET", f"{shop.url}/orders/7")
    assert "503" in status
    assert json.loads(body) == {"error": "the warehouse is down"}


@pytest.mark.parametrize(
    ("label", "get", "post", "post_body", "posted"),
    [
        ("petstore", "/pets?limit=3", "/pets", {"id": 1, "name": "Rex"}, "201"),
        ("users", "", "/users", {"name": "Ada"}, "200"),
    ],
)
def test_rest_against_corpus_contracts(qtbot, window, mocks, label, get, post, post_body, posted):
    mock = mock_of(mocks, label)
    if get:
        status, body = rest_send(qtbot, window, "GET", mock.url + get)
        assert "200" in status
        pets = json.loads(body)
        assert pets and all({"id", "name"} <= set(pet) for pet in pets)
    status, body = rest_send(qtbot, window, "POST", mock.url + post, json.dumps(post_body))
    assert posted in status
    if label == "users":
        user = json.loads(body)
        assert user["name"] and "hidden" not in user


# -- SOAP -----------------------------------------------------------------------------------


def soap_load(qtbot: QtBot, window: MainWindow, location: str) -> str:
    _front(qtbot, window, window.soap)
    _type(qtbot, window, "soap.wsdl", location)
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=TIMEOUT_MS):
        _click(qtbot, window, "soap.load")
    return _text(window, "soap.wsdl_status")


def soap_call(qtbot: QtBot, window: MainWindow, port: str, operation: str) -> str:
    """Pick ``operation`` under ``port`` and send the sample the tab wrote for it."""
    with qtbot.waitSignal(window.soap.envelope_filled, timeout=TIMEOUT_MS):
        _click_item(qtbot, _find(window, QTreeWidget, "soap.operations"), operation, port)
    assert "Envelope" in _text(window, "soap.envelope")
    return _send(qtbot, window, window.soap, "soap")


@pytest.mark.parametrize(
    ("label", "port", "operation", "answer"),
    [
        ("library", "LibrarySoap11Port", "GetBook", "GetBookResponse"),
        ("library", "LibrarySoap12Port", "FindBooks", "FindBooksResponse"),
        ("numbers", "NumberConversionSoap ", "NumberToWords", "NumberToWordsResult"),
    ],
)
def test_soap_loads_the_wsdl_and_sends_its_sample(
    qtbot, window, mocks, label, port, operation, answer
):
    mock = mock_of(mocks, label)
    status = soap_load(qtbot, window, mock.url)
    assert "operation(s)" in status, status
    status = soap_call(qtbot, window, port, operation)
    assert "200" in status, status
    assert answer in _text(window, "soap.response.body")
    assert not _find(window, QGroupBox, "soap.fault").isVisible()


def test_soap_shows_a_pinned_fault(qtbot, window, mocks):
    library = mock_of(mocks, "library")
    library.pins.set("GetBook", Pin(status=503, body="The catalogue is being rebuilt."))
    soap_load(qtbot, window, library.url)
    status = soap_call(qtbot, window, "LibrarySoap11Port", "GetBook")
    assert "503" in status, status
    qtbot.waitUntil(_find(window, QGroupBox, "soap.fault").isVisible)
    assert "Server" in _text(window, "soap.fault.code")
    assert _text(window, "soap.fault.reason") == "The catalogue is being rebuilt."


# -- GraphQL --------------------------------------------------------------------------------


def graphql_schema(qtbot: QtBot, window: MainWindow, url: str) -> str:
    _front(qtbot, window, window.graphql)
    _type(qtbot, window, "graphql.url", url)
    with qtbot.waitSignal(window.graphql.schema_finished, timeout=TIMEOUT_MS):
        _click(qtbot, window, "graphql.fetch_schema")
    return _text(window, "graphql.schema_status")


def offered_at(qtbot: QtBot, window: MainWindow, text: str, cursor_at: int) -> list[str]:
    """What completion offers with the cursor at ``cursor_at`` in ``text``."""
    query = _find(window, QPlainTextEdit, "graphql.query")
    query.setPlainText(text)
    cursor = query.textCursor()
    cursor.setPosition(cursor_at)
    query.setTextCursor(cursor)
    tab = window.graphql
    tab.complete_at_cursor()
    qtbot.waitUntil(tab._completer.popup().isVisible)
    model = tab._completer.completionModel()
    shown = [model.index(i, 0).data() for i in range(tab._completer.completionCount())]
    tab._completer.popup().hide()
    return [entry.split()[0].split("(")[0] for entry in shown]


def graphql_run(qtbot: QtBot, window: MainWindow, query: str) -> tuple[str, str]:
    with qtbot.waitSignal(window.graphql.document_checked, timeout=TIMEOUT_MS):
        _find(window, QPlainTextEdit, "graphql.query").setPlainText(query)
    assert not _find(window, QLabel, "graphql.query.problems").isVisible()
    status = _send(qtbot, window, window.graphql, "graphql")
    return status, _text(window, "graphql.response.body")


@pytest.mark.parametrize(
    ("label", "root", "query"),
    [
        ("conference", "talks", "{ talks(first: 2) { id title track speakers { lastName } } }"),
        ("starwars", "hero", "{ hero { id name friends { name } } }"),
    ],
)
def test_graphql_introspects_completes_and_runs(qtbot, window, mocks, label, root, query):
    mock = mock_of(mocks, label)
    status = graphql_schema(qtbot, window, mock.url)
    assert "types" in status and "introspection" in status, status
    assert root in offered_at(qtbot, window, "{  }", 2)
    status, body = graphql_run(qtbot, window, query)
    assert "200" in status, status
    data = json.loads(body)["data"][root]
    assert data
    assert not _find(window, QLabel, "graphql.errors").isVisible()


def test_graphql_shows_a_pinned_field_error(qtbot, window, mocks):
    conference = mock_of(mocks, "conference")
    conference.pins.set("Query.talk", Pin(status="error", body="No talk with that id."))
    graphql_schema(qtbot, window, conference.url)
    status, _body = graphql_run(qtbot, window, '{ talk(id: "t1") { title } }')
    assert "200" in status, status
    errors = _find(window, QLabel, "graphql.errors")
    qtbot.waitUntil(errors.isVisible)
    assert "No talk with that id." in plain(errors.text())


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_graphql_subscribes_over_the_mocks_websocket(qtbot, window, mocks, protocol):
    """Both subprotocols the tab offers (the mock spoke only graphql-transport-ws)."""
    conference = mock_of(mocks, "conference")
    graphql_schema(qtbot, window, conference.url)
    combo = _find(window, QComboBox, "graphql.subscription.protocol")
    combo.setCurrentIndex(combo.findData(protocol))
    with qtbot.waitSignal(window.graphql.document_checked, timeout=TIMEOUT_MS):
        _find(window, QPlainTextEdit, "graphql.query").setPlainText(
            "subscription { talkAdded { id title } }"
        )
    status = _send(qtbot, window, window.graphql, "graphql")
    assert "Completed" in status, status
    log = _find(window, QTableView, "graphql.subscription.log")
    assert log.model().rowCount() >= 1


# -- gRPC -----------------------------------------------------------------------------------


def grpc_reflect(qtbot: QtBot, window: MainWindow, target: str) -> str:
    _front(qtbot, window, window.grpc)
    _type(qtbot, window, "grpc.target", target)
    with qtbot.waitSignal(window.grpc.catalog_finished, timeout=TIMEOUT_MS):
        _click(qtbot, window, "grpc.reflect")
    return _text(window, "grpc.methods_status")


def grpc_call(qtbot: QtBot, window: MainWindow, method: str) -> str:
    """Pick ``method`` and send the message template the tab wrote for it."""
    tree = _find(window, QTreeWidget, "grpc.methods")
    _click_item(qtbot, tree, method)
    qtbot.waitUntil(lambda: window.grpc.current_request().method.endswith(method))
    json.loads(_text(window, "grpc.message"))
    return _send(qtbot, window, window.grpc, "grpc")


@pytest.mark.parametrize(
    ("label", "service", "unary", "stream", "field"),
    [
        ("orders", "shop.v1.Orders", "GetOrder", "ListOrders", "order_id"),
        ("routes", "routeguide.RouteGuide", "GetFeature", "ListFeatures", "location"),
    ],
)
def test_grpc_reflects_and_calls_unary_and_server_streaming(
    qtbot, window, mocks, label, service, unary, stream, field
):
    mock = mock_of(mocks, label)
    target = mock.url.removeprefix("grpc://")
    grpc_reflect(qtbot, window, target)
    tree = _find(window, QTreeWidget, "grpc.methods")
    services = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert service in services

    status = grpc_call(qtbot, window, unary)
    assert "OK" in status, status
    assert field in json.loads(_text(window, "grpc.response.body"))

    status = grpc_call(qtbot, window, stream)
    assert "OK" in status and "message(s)" in status, status
    rows = _find(window, QTableView, "grpc.response.log").model().rowCount()
    assert rows >= 1 and f"{rows} message(s)" in status
    assert field in json.loads(_text(window, "grpc.response.body"))


def test_grpc_shows_a_pinned_status(qtbot, window, mocks):
    orders = mock_of(mocks, "orders")
    orders.pins.set("/shop.v1.Orders/GetOrder", Pin(status="NOT_FOUND", body="No order o-404."))
    grpc_reflect(qtbot, window, orders.url.removeprefix("grpc://"))
    status = grpc_call(qtbot, window, "GetOrder")
    assert "NOT_FOUND" in status and "No order o-404." in status, status
