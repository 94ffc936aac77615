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

from apiclient.ui.theme import semantic_hex, theme_notifier

if TYPE_CHECKING:
    from mock_servers.host import MockHost


_STATE_TEXTS = {
    "stopped": "Mock servers stopped",
    "starting": "Starting mock servers…",
    "stopping": "Stopping mock servers…",
}
_CONTRACTS_TIP = (
    "Contract mocks: mock your own OpenAPI, WSDL, GraphQL SDL or .proto files (Ctrl+Shift+M)"
)


class MocksPanel(QWidget):
    """The mock-server switch and where the servers listen, and the way to the mocks of
    the collection's own contracts.

    Signals:
    contracts_requested: the contract mocks button was pressed.
    state_changed(str): the servers' state is now :attr:`state`: "stopped", "starting",
        "running", "stopping" or "failed" (:attr:`problem` says why).
    """

    contracts_requested = Signal()
    state_changed = Signal(str)

    def __init__(self, ephemeral: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mocks")
        self._ephemeral = ephemeral
        self._host: MockHost | None = None
        self.state = "stopped"
        self.problem = ""  # why the last start failed
        self.status = QLabel("Mock servers stopped", objectName="mocks.status")
        self.button = QPushButton("Start mock servers", objectName="mocks.start")
        self.button.setToolTip("Run the bundled mock servers on 127.0.0.1")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
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
        theme_notifier().changed.connect(self._on_theme_changed)

    def _set_state(self, state: str) -> None:
        self.state = state
        self._show_state()
        self.state_changed.emit(state)

    def _show_state(self) -> None:
        """The status line for :attr:`state`, in the theme's colours."""
        if self.state == "running":
            urls = self.urls
            # Ports only, in one short line: the toolbar must keep its buttons in view.
            ports = " · ".join(
                f"{name} <b>{escape(url.rsplit(':', 1)[-1])}</b>" for name, url in urls.items()
            )
            dot = f'<span style="color:{semantic_hex("success")}">●</span>'
            self.status.setText(f"{dot} Mocks on {ports}")
        elif self.state == "failed":
            problem = escape(self.problem)
            self.status.setText(f'<span style="color:{semantic_hex("error")}">{problem}</span>')
        else:
            self.status.setText(_STATE_TEXTS[self.state])

    def _on_theme_changed(self, _dark: bool) -> None:
        if self.state in ("running", "failed"):
            self._show_state()

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
        """Start the servers (nothing happens while they run, start or stop)."""
        if self.state in ("starting", "running", "stopping"):
            return
        # Qt's enums are built on first use of QtCore.Qt (~20 ms): not in the frame.
        from PySide6.QtCore import Qt

        from mock_servers.host import MockHost, MockServerError

        # The addresses shown once started can be selected and copied.
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button.setEnabled(False)
        self._set_state("starting")
        self._host = MockHost(ephemeral=self._ephemeral)
        try:
            urls = await asyncio.to_thread(self._host.start)
        except MockServerError as exc:
            self._host = None
            self.problem = str(exc)
            self.button.setText("Start mock servers")
            self._set_state("failed")
        else:
            self.status.setToolTip("\n".join(f"{name}: {url}" for name, url in urls.items()))
            self.button.setText("Stop mock servers")
            self._set_state("running")
        finally:
            self.button.setEnabled(True)

    async def stop(self) -> None:
        host, self._host = self._host, None
        if host is None:
            return
        self.button.setEnabled(False)
        self._set_state("stopping")
        await asyncio.to_thread(host.stop)
        self.status.setToolTip("")
        self.button.setText("Start mock servers")
        self.button.setEnabled(True)
        self._set_state("stopped")
