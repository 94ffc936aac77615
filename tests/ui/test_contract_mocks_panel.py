"""The Contract mocks window: four contract kinds started from a collection, a pin set
through the editor and seen by a client, bad contracts and taken ports in their rows,
and the mocks kept with the collection."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QPlainTextEdit, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from apiclient.core.models import ContractMockSettings, PinnedResponse
from apiclient.core.store import CollectionStore
from apiclient.ui import contract_mocks_panel
from apiclient.ui.contract_mocks_panel import ContractMocksPanel
from apiclient.ui.contract_mocks_rows import State
from apiclient.ui.contract_mocks_table import KIND, STATE, URL
from apiclient.ui.main_window import MainWindow

CONTRACTS = Path(__file__).parents[1] / "mock_servers" / "contract_files"
FOUR = ("openapi/shop.yaml", "wsdl/library.wsdl", "graphql/conference.graphql", "proto/shop.proto")
# The screenshot in docs/ is written when this is set (to the path of the PNG).
SCREENSHOT = os.environ.get("APICLIENT_CONTRACT_MOCKS_PNG", "")


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A collection with copies of the test contracts in its ``contracts/`` folder."""
    root = tmp_path / "contracts-collection"
    CollectionStore.create(root, "Contracts")
    shutil.copytree(CONTRACTS, root / "contracts")
    return root


def _panel(window: MainWindow, run: Callable[..., object]) -> ContractMocksPanel:
    panel = window.open_contract_mocks()
    run(panel.controller.loaded())
    return panel


def _add(
    qtbot: QtBot, panel: ContractMocksPanel, monkeypatch: pytest.MonkeyPatch, paths: list[Path]
) -> None:
    async def chosen(_parent: object) -> list[Path]:
        return paths

    monkeypatch.setattr(contract_mocks_panel, "choose_contracts", chosen)
    before = panel.table.rowCount() if panel.controller.rows else 0
    qtbot.mouseClick(panel.add, Qt.MouseButton.LeftButton)
    # The table shows them once they are saved: the buttons are then enabled.
    qtbot.waitUntil(lambda: panel.table.rowCount() == before + len(paths), timeout=10_000)


def _start_all(qtbot: QtBot, panel: ContractMocksPanel) -> None:
    qtbot.mouseClick(panel.start_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            all(not r.busy and r.state is not State.STOPPED for r in panel.controller.rows)
            and "running" in panel.status.text()
        ),
        timeout=30_000,
    )


def _select(panel: ContractMocksPanel, name: str, operation: str = "") -> None:
    index = next(i for i, row in enumerate(panel.controller.rows) if row.name == name)
    panel.table.select_row(index)
    if operation:
        ops = panel.pins.operations
        items = [ops.item(i) for i in range(ops.count())]
        ops.setCurrentItem(next(item for item in items if item.text().startswith(operation)))


def _cell(panel: ContractMocksPanel, name: str, column: int) -> str:
    index = next(i for i, row in enumerate(panel.controller.rows) if row.name == name)
    return panel.table.item(index, column).text()


def _pin(qtbot: QtBot, panel: ContractMocksPanel, status: str, body: str, delay: float) -> None:
    panel.findChild(QComboBox, "contracts.pin.status").setEditText(status)
    panel.findChild(QPlainTextEdit, "contracts.pin.body").setPlainText(body)
    panel.findChild(QDoubleSpinBox, "contracts.pin.delay").setValue(delay)
    qtbot.mouseClick(panel.findChild(QPushButton, "contracts.pin.set"), Qt.MouseButton.LeftButton)


def test_four_contract_mocks_run_and_a_pin_reaches_the_client(
    qtbot: QtBot, make_window, run, collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(collection)
    assert window.findChild(QAction, "action.contract_mocks").isEnabled()
    qtbot.mouseClick(window.findChild(QToolButton, "contracts.open"), Qt.MouseButton.LeftButton)
    panel = window.findChild(ContractMocksPanel, "contracts.panel")
    qtbot.waitUntil(panel.isVisible)
    run(panel.controller.loaded())
    assert panel.stack.currentWidget() is panel.empty
    assert "Add an OpenAPI, WSDL, GraphQL SDL or .proto file" in panel.empty.text()
    _add(qtbot, panel, monkeypatch, [collection / "contracts" / p for p in FOUR])
    assert [r.kind_label for r in panel.controller.rows] == ["OpenAPI", "WSDL", "GraphQL", "gRPC"]
    assert panel.controller.rows[0].settings.file == "contracts/openapi/shop.yaml"

    _start_all(qtbot, panel)
    names = [row.name for row in panel.controller.rows]
    assert names == ["shop", "library", "conference", "shop-2"]
    for name in names:
        assert _cell(panel, name, STATE) == "running"
        assert _cell(panel, name, URL).startswith(("http://127.0.0.1:", "grpc://127.0.0.1:"))
    assert "4 contract mock(s) running" in window.mocks.contracts.toolTip()
    url = panel.controller.row("shop").url
    generated = httpx.get(f"{url}/stats", timeout=10)
    assert generated.status_code == 200 and isinstance(generated.json(), dict)

    _select(panel, "shop", "getStats")
    assert panel.url.text() == url
    assert panel.pins.status_label.text().startswith("HTTP status")
    _pin(qtbot, panel, "503", '{"error": "down"}', 0.2)
    qtbot.waitUntil(lambda: panel.pins.operations.currentItem().text().endswith("(pinned)"))
    assert panel.pins.unpin.isEnabled()
    began = time.monotonic()
    pinned = httpx.get(f"{url}/stats", timeout=10)
    assert (pinned.status_code, pinned.json()) == (503, {"error": "down"})
    assert time.monotonic() - began >= 0.2
    saved = collection / "collection.yaml"
    qtbot.waitUntil(lambda: "status: 503" in saved.read_text(), timeout=10_000)
    assert "contracts/openapi/shop.yaml" in saved.read_text()

    _select(panel, "shop-2")
    assert "gRPC" in panel.pins.status_label.text()
    if SCREENSHOT:
        _select(panel, "shop", "getStats")
        panel.resize(1100, 650)
        qtbot.wait(50)  # one paint of the new size before grabbing it
        assert panel.grab().save(SCREENSHOT)

    _select(panel, "shop", "getStats")
    qtbot.mouseClick(panel.pins.unpin, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "status: 503" not in saved.read_text(), timeout=10_000)
    assert httpx.get(f"{url}/stats", timeout=10).status_code == 200

    run(window.shutdown())
    assert all(row.state is State.STOPPED for row in panel.controller.rows)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/stats", timeout=5)


def test_a_broken_contract_fails_in_its_row_and_a_taken_port_is_named(
    qtbot: QtBot, make_window, run, collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = _panel(make_window(collection), run)
    files = collection / "contracts"
    swagger = files / "swagger.yaml"
    swagger.write_text("swagger: '2.0'\ninfo: {title: Old, version: '1'}\npaths: {}\n")
    _add(
        qtbot,
        panel,
        monkeypatch,
        [files / "openapi/shop.yaml", files / "graphql/broken.graphql", swagger],
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _add(qtbot, panel, monkeypatch, [files / "wsdl/library.wsdl"])
        panel.controller.set_port("library", port)
        _start_all(qtbot, panel)
    assert _cell(panel, "shop", STATE) == "running"
    broken = _cell(panel, "broken", STATE)
    assert broken.startswith("failed: ") and "broken.graphql" in broken
    library = _cell(panel, "library", STATE)
    assert f"Port {port} is already in use" in library
    assert "--ephemeral" not in library and "port to 0" in library
    assert "Swagger 2.0" in _cell(panel, "swagger", STATE)
    assert "Not running: broken, swagger, library" in panel.status.text()
    assert httpx.get(f"{panel.controller.row('shop').url}/stats", timeout=10).status_code == 200


def test_the_mocks_and_their_pins_come_back_with_the_collection(
    qtbot: QtBot,
    make_window,
    run,
    collection: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(collection)
    panel = _panel(window, run)
    _add(qtbot, panel, monkeypatch, [collection / "contracts" / p for p in FOUR])
    _select(panel, "shop")
    toggle = panel.findChild(QPushButton, "contracts.toggle.shop")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.controller.row("shop").state is State.RUNNING, timeout=15_000)
    url = panel.controller.row("shop").url
    _select(panel, "shop", "getStats")
    _pin(qtbot, panel, "418", "", 0)
    qtbot.waitUntil(lambda: "status: 418" in (collection / "collection.yaml").read_text())

    other = tmp_path / "other"
    CollectionStore.create(other, "Other")
    assert run(window.open_collection(other))
    qtbot.waitUntil(lambda: panel.controller.rows == [] and panel.empty.isVisible())
    run(panel.controller.loaded())  # the rows go at once, the mocks once stopped
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/stats", timeout=5)

    assert run(window.open_collection(collection))
    qtbot.waitUntil(lambda: len(panel.controller.rows) == 4, timeout=10_000)
    run(panel.controller.loaded())
    assert all(row.state is State.STOPPED for row in panel.controller.rows)
    assert "getStats" in panel.controller.row("shop").settings.pins
    run(panel.controller.start("shop"))
    url = panel.controller.row("shop").url
    stats = next(op for op in panel.controller.row("shop").operations if "Stats" in op)
    assert stats == "getStats"
    assert httpx.get(f"{url}/stats", timeout=10).status_code == 418


def test_a_contract_file_that_is_gone_shows_in_its_row(
    qtbot: QtBot, make_window, run, collection: Path
) -> None:
    (collection / "collection.yaml").write_text(
        "schema_version: 1\nname: Contracts\ncontract_mocks:\n- file: contracts/gone.yaml\n"
    )
    panel = _panel(make_window(collection), run)
    assert _cell(panel, "gone", STATE) == "file not found"
    run(panel.controller.start("gone"))
    assert _cell(panel, "gone", STATE) == "file not found"
    assert "gone.yaml" in panel.status.text()


def test_edits_while_another_collection_opens_stay_out_of_it(
    qtbot: QtBot,
    make_window,
    run,
    collection: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(collection)
    panel = _panel(window, run)
    _add(qtbot, panel, monkeypatch, [collection / "contracts" / "openapi/shop.yaml"])
    controller = panel.controller
    run(controller.start("shop"))
    stop_all = controller._host.stop_all

    def slow_stop_all() -> None:
        time.sleep(0.5)
        stop_all()

    monkeypatch.setattr(controller._host, "stop_all", slow_stop_all)
    other = tmp_path / "other"
    CollectionStore.create(other, "Other")
    before = (other / "collection.yaml").read_text()

    async def edit_while_switching() -> None:
        assert await window.open_collection(other)
        controller.set_port("shop", 4321)
        controller.set_seed("shop", 9)
        controller.set_pin("shop", "getStats", PinnedResponse(status=503))
        await controller.add_files([collection / "contracts" / "wsdl/library.wsdl"])
        await controller.loaded()

    run(edit_while_switching())
    qtbot.wait(100)  # any save started by the edits has run
    assert (other / "collection.yaml").read_text() == before
    assert controller.rows == []
    assert "port: 4321" not in (collection / "collection.yaml").read_text()


def test_mocks_changed_on_disk_show_and_survive_the_next_edit(
    qtbot: QtBot, make_window, run, collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(collection)
    panel = _panel(window, run)
    _add(qtbot, panel, monkeypatch, [collection / "contracts" / "openapi/shop.yaml"])
    controller = panel.controller
    run(controller.start("shop"))
    url = controller.row("shop").url
    outside = CollectionStore.open(collection)  # a git pull, say
    outside.contract_mocks = [
        outside.contract_mocks[0].model_copy(
            update={"pins": {"getStats": PinnedResponse(status=418)}}
        ),
        ContractMockSettings(file="contracts/wsdl/library.wsdl", seed=3),
    ]
    outside.save_settings()

    assert run(window.workspace.reload())
    run(controller.loaded())
    assert [row.name for row in controller.rows] == ["shop", "library"]
    assert panel.table.rowCount() == 2
    assert _cell(panel, "library", KIND) == "WSDL"
    shop = controller.row("shop")
    assert (shop.state, shop.url) == (State.RUNNING, url)
    assert httpx.get(f"{url}/stats", timeout=10).status_code == 418

    controller.set_port("library", 4321)
    saved = collection / "collection.yaml"
    qtbot.waitUntil(lambda: "port: 4321" in saved.read_text(), timeout=10_000)
    again = CollectionStore.open(collection).contract_mocks
    assert [mock.file for mock in again] == [
        "contracts/openapi/shop.yaml",
        "contracts/wsdl/library.wsdl",
    ]
    assert again[0].pins["getStats"].status == 418 and again[1].seed == 3


def test_a_mock_that_is_starting_cannot_be_removed_and_its_late_stop_is_quiet(
    qtbot: QtBot,
    make_window,
    run,
    collection: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(collection)
    panel = _panel(window, run)
    _add(qtbot, panel, monkeypatch, [collection / "contracts" / "openapi/shop.yaml"])
    controller = panel.controller
    _select(panel, "shop")
    other = tmp_path / "other"
    CollectionStore.create(other, "Other")

    async def remove_while_starting() -> None:
        starting = asyncio.ensure_future(controller.start("shop"))
        await asyncio.sleep(0)
        assert controller.row("shop").state is State.STARTING
        assert not panel.remove.isEnabled()
        await controller.remove("shop")
        assert controller.row("shop") is not None
        # Another collection opens before the start ends: the mock is stopped with the
        # rest, and the start's own stop of it finds it gone without an error.
        assert await window.open_collection(other)
        await starting
        await controller.loaded()

    run(remove_while_starting())
    assert controller.rows == []
    assert "contract_mocks" in (collection / "collection.yaml").read_text()
