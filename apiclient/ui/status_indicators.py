"""The status bar's lasting part: the active environment and the mock servers' state.

Built with the window's frame, so it stays free of ``QtCore.Qt`` (whose enums cost
20-30 ms to build the first time): enum properties are set by name.
"""

from __future__ import annotations

import math
import struct

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from apiclient.ui.mocks_panel import MocksPanel
from apiclient.ui.theme import semantic_color, theme_notifier

_PREMULTIPLIED = QImage.Format.Format_ARGB32_Premultiplied
# state -> (button text, colour of its dot, what a click does)
_MOCK_STATES: dict[str, tuple[str, str, str]] = {
    "stopped": ("Mocks: stopped", "muted", "Click to start the bundled mock servers"),
    "starting": ("Mocks: starting…", "warning", "The mock servers are starting"),
    "running": ("Mocks: running", "success", "Click to stop the mock servers"),
    "stopping": ("Mocks: stopping…", "warning", "The mock servers are stopping"),
    "failed": ("Mocks: failed", "error", "Click to try starting them again"),
}


_DOT = 10  # the state dot's size, in pixels at 100%


def dot_icon(color: QColor, size: int = _DOT) -> QIcon:
    """A filled, anti-aliased circle, for 100% and 200% scaling.

    Its pixels are computed here rather than painted: setting a QPainter's pen or brush
    builds QtCore.Qt's enums, which the frame does without (see the module's doc)."""
    icon = QIcon()
    for ratio in (1, 2):
        side = size * ratio
        image = QImage(_disc(color, side), side, side, side * 4, _PREMULTIPLIED)
        pixmap = QPixmap.fromImage(image.copy())  # the copy owns its pixels
        pixmap.setDevicePixelRatio(ratio)
        icon.addPixmap(pixmap)
    return icon


def _disc(color: QColor, side: int) -> bytes:
    """``side``² premultiplied ARGB pixels of a disc filling the square."""
    radius = side / 2
    pixels = bytearray()
    for y in range(side):
        for x in range(side):
            distance = math.hypot(x + 0.5 - radius, y + 0.5 - radius)
            alpha = round(255 * max(0.0, min(1.0, radius - distance)))
            rgb = [channel * alpha // 255 for channel in color.getRgb()[:3]]
            pixels += struct.pack("=I", alpha << 24 | rgb[0] << 16 | rgb[1] << 8 | rgb[2])
    return bytes(pixels)


class StatusIndicators(QWidget):
    """The environment in use and a button with the mock servers' state, which starts
    or stops them; both follow the window's signals live."""

    def __init__(self, mocks: MocksPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="status.indicators")
        self._mocks = mocks
        self.environment = QLabel(objectName="status.environment")
        self.environment.setAccessibleName("Active environment")
        self.mocks_state = QToolButton(objectName="status.mocks")
        self.mocks_state.setAutoRaise(True)
        self.mocks_state.setIconSize(QSize(_DOT, _DOT))
        self.mocks_state.setProperty("toolButtonStyle", "ToolButtonTextBesideIcon")
        self.mocks_state.setAccessibleName("Mock servers")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(12)
        layout.addWidget(self.environment)
        layout.addWidget(self.mocks_state)
        self.show_environment("")
        self.show_mocks_state(mocks.state)
        mocks.state_changed.connect(self.show_mocks_state)
        self.mocks_state.clicked.connect(self._on_mocks_state_clicked)
        theme_notifier().changed.connect(self._on_theme_changed)

    def show_environment(self, name: str) -> None:
        text = f"Environment: {name}" if name else "No environment"
        self.environment.setText(text)
        self.environment.setToolTip(
            "Variables of this environment apply to sends (choose another in the tool bar)"
            if name
            else "Choose an environment in the tool bar to use its variables"
        )

    def show_mocks_state(self, state: str) -> None:
        text, color, action = _MOCK_STATES.get(state, _MOCK_STATES["stopped"])
        button = self.mocks_state
        button.setText(text)
        button.setIcon(dot_icon(semantic_color(color)))
        problem = self._mocks.problem if state == "failed" else ""
        button.setToolTip(f"{problem}\n{action}" if problem else action)
        button.setAccessibleDescription(text)

    def _on_mocks_state_clicked(self) -> None:
        self._mocks.toggle()

    def _on_theme_changed(self, _dark: bool) -> None:
        self.show_mocks_state(self._mocks.state)
