"""A spin box of seconds that shows "30 s" and "0.5 s" rather than "30.000 s"."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QWidget

MAX_SECONDS = 86_400.0


class SecondsSpinBox(QDoubleSpinBox):
    """Seconds to the millisecond (three decimals), written without trailing zeros."""

    def __init__(
        self, object_name: str, minimum: float = 0.0, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, objectName=object_name)
        self.setDecimals(3)
        self.setRange(minimum, MAX_SECONDS)
        self.setSuffix(" s")

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(round(value, 3), "g", 9)
