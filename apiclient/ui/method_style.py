"""How a request's kind and method look: the short badge word, its colour, its icon.

No model classes are imported: a request's ``kind`` and ``method`` say it all, so the
window's frame can draw badges before the collection models load.

Methods are coloured as people know them from other API clients (GET green, POST
orange, PUT blue, PATCH purple, DELETE red); each protocol kind has a colour too. The
colours have a light-theme and a dark-theme shade, so a badge reads on both.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen, QPixmap

if TYPE_CHECKING:
    from apiclient.core.models import AnyRequest

# badge -> (shade on a light background, shade on a dark background)
_BADGE_COLORS: dict[str, tuple[str, str]] = {
    "GET": ("#2e7d32", "#81c784"),
    "POST": ("#e65100", "#ffb74d"),
    "PUT": ("#1565c0", "#64b5f6"),
    "PATCH": ("#6a1b9a", "#ce93d8"),
    "DELETE": ("#c62828", "#ef9a9a"),
    "HEAD": ("#455a64", "#b0bec5"),
    "OPTIONS": ("#455a64", "#b0bec5"),
    "SOAP": ("#00695c", "#80cbc4"),
    "GQL": ("#ad1457", "#f48fb1"),
    "gRPC": ("#4527a0", "#b39ddb"),
    "WS": ("#37474f", "#b0bec5"),
    "HOOK": ("#2e7d32", "#a5d6a7"),
    "BATCH": ("#ef6c00", "#ffcc80"),
    "REST": ("#0277bd", "#81d4fa"),
}
_OTHER = ("#546e7a", "#b0bec5")
_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter, without building QtCore.Qt's enums


# The kind of each protocol tab, as a badge word.
_KIND_BADGES = {
    "rest": "REST",
    "batch": "BATCH",
    "soap": "SOAP",
    "graphql": "GQL",
    "grpc": "gRPC",
    "websocket": "WS",
    "webhook": "HOOK",
}


def kind_badge(kind: str) -> str:
    """The badge word of a request kind ("graphql" -> "GQL")."""
    return _KIND_BADGES.get(kind, kind.upper())


def request_badge(request: AnyRequest) -> str:
    """The short word shown before a request's name: its HTTP method, or its kind."""
    return request.method if request.kind == "rest" else kind_badge(request.kind)


def badge_color(badge: str, dark: bool = False) -> QColor:
    """The colour of ``badge`` (a method or kind word) on a light or dark background."""
    light_shade, dark_shade = _BADGE_COLORS.get(badge.upper() if badge != "gRPC" else badge, _OTHER)
    return QColor(dark_shade if dark else light_shade)


# Words too long for a badge's width are shortened as other API clients do.
_SHORT = {"DELETE": "DEL", "OPTIONS": "OPT"}


@cache
def badge_icon(badge: str, dark: bool = False, height: int = 16) -> QIcon:
    """A rounded tag with ``badge`` in it, all of one width so names after it line up
    (tree rows, tab bars, lists). Drawn for 100% and 200% scaling, so it stays sharp."""
    icon = QIcon()
    for ratio in (1.0, 2.0):
        icon.addPixmap(_badge_pixmap(badge, badge_color(badge, dark), height, ratio))
        # On a selected row's highlight: white, as the row's text is.
        selected = _badge_pixmap(badge, QColor("#ffffff"), height, ratio)
        icon.addPixmap(selected, QIcon.Mode.Selected)
    return icon


def badge_size(height: int = 16) -> QSize:
    """The size of a :func:`badge_icon` (give it to the view's ``setIconSize``)."""
    return QSize(height * 5 // 2, height)


def _badge_pixmap(badge: str, color: QColor, height: int, ratio: float) -> QPixmap:
    size = badge_size(height)
    width = size.width()
    text = _SHORT.get(badge, badge)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(7, height * 9 // 16))
    while font.pixelSize() > 7 and QFontMetricsF(font).horizontalAdvance(text) > width - 4:
        font.setPixelSize(font.pixelSize() - 1)
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(color)
    fill.setAlpha(60 if color.lightness() > 128 else 36)
    painter.setPen(QPen(QColor(color.red(), color.green(), color.blue(), 110), 1))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(0.5, 1.5, width - 1, height - 3), 3, 3)
    painter.setPen(color)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, width, height), _CENTER, text)
    painter.end()
    return pixmap


def request_icon(request: AnyRequest, dark: bool = False) -> QIcon:
    """The badge of ``request`` as an icon (tree rows, sub-tab labels, the palette)."""
    return badge_icon(request_badge(request), dark)
