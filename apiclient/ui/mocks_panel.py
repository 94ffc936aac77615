"""Start and stop the bundled mock servers in-process and show where they listen.

The servers run on their own thread and event loop (``mock_servers.host``); starting
blocks until they listen, so it runs in a worker thread and the window stays live.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget
from qasync import asyncSlot

if TYPE_CHECKING:
    from mock_servers.host import MockHost


_CONTRACTS_TIP = (
    "Contract mocks: mock your own OpenAPI, WSDL, GraphQL SDL or .proto files (Ctrl+Shift+M)"
)


class MocksPanel(QWidget):
    """The mock-server switch and where the servers listen, and the way to the mocks of
    the collection's own contracts.

    Signals:
    contracts_requested: the contract mocks button was pressed.
    """

    contracts_requested = Signal()

    def __init__(self, ephemeral: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mocks")
        self._ephemeral = ephemeral
        self._host: MockHost | None = None
        self.status = QLabel("Mock servers stopped", objectName="mocks.status")
        self.button = QPushButton("Start mock servers", objectName="mocks.start")
        self.button.setToolTip("Run the bundled mock servers on 127.0.0.1")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.button)
        # An icon: with every port shown, the toolbar at 1280 px has no room for a label
        # (it would push the whole mock area out of view); View > Contract mocks… has one.
        self.contracts = QToolButton(objectName="contracts.open")
        self.contracts.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        )
        self.contracts.setText("Contract mocks…")
        self.contracts.setAutoRaise(True)
        self.contracts.setToolTip(_CONTRACTS_TIP)
        layout.addWidget(self.contracts)
        self.button.clicked.connect(self.toggle)
        self.contracts.clicked.connect(self.contracts_requested)

    def show_contract_mocks(self, running: int) -> None:
        """Say in the button's tooltip how many contract mocks run."""
        count = f"{running} contract mock(s) running. " if running else ""
        self.contracts.setToolTip(count + _CONTRACTS_TIP)

    @property
    def urls(self) -> dict[str, str]:
        return self._host.urls if self._host is not None and self._host.running else {}

    @asyncSlot()
    async def toggle(self) -> None:
        if self.urls:
            await self.stop()
        else:
            await self.start()

    async def start(self) -> None:
        # Qt's enums are built on first use of QtCore.Qt (~20 ms): not in the frame.
        from PySide6.QtCore import Qt

        from mock_servers.host import MockHost, MockServerError

        # The addresses shown once started can be selected and copied.
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button.setEnabled(False)
        self.status.setText("Starting mock servers…")
        self._host = MockHost(ephemeral=self._ephemeral)
        try:
            urls = await asyncio.to_thread(self._host.start)
        except MockServerError as exc:
            self._host = None
            self.status.setText(f'<span style="color:#c62828">{escape(str(exc))}</span>')
            self.button.setText("Start mock servers")
        else:
            # Ports only, in one short line: the toolbar must keep its buttons in view.
            ports = " · ".join(
                f"{name} <b>{escape(url.rsplit(':', 1)[-1])}</b>" for name, url in urls.items()
            )
            self.status.setText(f'<span style="color:#2e7d32">●</span> Mocks on {ports}')
            self.status.setToolTip("\n".join(f"{name}: {url}" for name, url in urls.items()))
            self.button.setText("Stop mock servers")
        finally:
            self.button.setEnabled(True)

    async def stop(self) -> None:
        host, self._host = self._host, None
        if host is None:
            return
        self.button.setEnabled(False)
        self.status.setText("Stopping mock servers…")
        await asyncio.to_thread(host.stop)
        self.status.setText("Mock servers stopped")
        self.status.setToolTip("")
        self.button.setText("Start mock servers")
        self.button.setEnabled(True)
