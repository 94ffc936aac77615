"""A page of a tab widget whose content is built when first shown or first asked for.

Pages the user does not see at start (the History list) then cost nothing at start-up:
neither their widgets nor the modules they import.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(
        self, build: Callable[[], QWidget], object_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._build = build
        self._content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    def content(self) -> QWidget:
        """The page's widget, built now if it was not yet."""
        if self._content is None:
            self._content = self._build()
            self._layout.addWidget(self._content)
            # A child added to a shown widget (or during its showEvent) stays hidden
            # unless shown; under a hidden page this only marks it to show with the page.
            self._content.show()
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        self.content()
        super().showEvent(event)
