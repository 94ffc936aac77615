"""Fusion with a focus that can be seen.

Fusion marks a focused check box, tab, table cell or tree item with a faint tint (its
outline is drawn at 30% opacity) and a focused default button not at all (it already
wears the highlight): a keyboard user loses track of where they are.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget


class FocusRingStyle(QProxyStyle):
    """Fusion, plus a 2-pixel ring in the highlight colour around what has the keyboard
    focus: check boxes, radio buttons, tabs, table cells and tree items (Fusion's focus
    rectangle, drawn solid) and push buttons. Like Fusion, it shows only once the
    keyboard moved the focus, not after a click."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            if option.state & QStyle.StateFlag.State_KeyboardFocusChange:
                _ring(painter, QRectF(option.rect).adjusted(1, 1, -1, -1), option)
            return
        super().drawPrimitive(element, option, painter, widget)

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_PushButtonBevel and _keyboard_focus(option):
            _ring(painter, QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5), option)


def _keyboard_focus(option: QStyleOption) -> bool:
    state = option.state
    return bool(state & QStyle.StateFlag.State_HasFocus) and bool(
        state & QStyle.StateFlag.State_KeyboardFocusChange
    )


def _ring(painter: QPainter, rect: QRectF, option: QStyleOption) -> None:
    """A ring in the highlight colour; on a selected item (filled with that colour) in
    the colour of selected text."""
    selected = option.state & QStyle.StateFlag.State_Selected
    palette = option.palette
    color = QColor(palette.highlightedText().color() if selected else palette.highlight().color())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(color, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, 2, 2)
    painter.restore()
