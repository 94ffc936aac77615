"""The status bar's lasting part: the active environment and the mock servers' state."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from apiclient.ui.mocks_panel import MocksPanel


class StatusIndicators(QWidget):
    """Two labels at the right of the status bar, kept up to date by the window."""

    def __init__(self, mocks: MocksPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mocks = mocks
        self.environment = QLabel(objectName="status.environment")
        self.mocks_state = QLabel(objectName="status.mocks")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.environment)
        layout.addWidget(self.mocks_state)
        self.show_environment("")
        self.mocks_state.setText(mocks.status.text())

    def show_environment(self, name: str) -> None:
        self.environment.setText(f"Environment: {name or 'none'}")
