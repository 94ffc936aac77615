"""The filter field of the response body: JSONPath for JSON, XPath for XML, applied live
as the person types (after a ~200 ms pause).

The body is parsed once per response and each expression runs on the parsed document;
both run in a worker thread once the body is above ``SYNC_BYTES``. Each run has a
ticket: an answer that arrives after a newer run started is dropped, so a slow filter
never overwrites a newer one. A bad expression is told under the field and the last good
result stays on screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from apiclient.core.formatting import BodyKind, human_size
from apiclient.core.response_filter import FilterError, FilterResult, ParsedBody
from apiclient.ui.theme import themed_style

__all__ = ["DEBOUNCE_MS", "MAX_BYTES", "SYNC_BYTES", "BodyFilter"]

DEBOUNCE_MS = 200
SYNC_BYTES = 64 * 1024  # below: parsed and filtered on the GUI thread (a few ms at most)
MAX_BYTES = 64 << 20  # above: not parsed at all (hundreds of MB of Python objects)
_PLACEHOLDERS = {"json": "Filter: $.data[*].name", "xml": "Filter: //item/name"}
_TIPS = {
    "json": "Show only what a JSONPath (RFC 9535) finds, e.g. $.data[*].name or "
    "$..id; clear the field to see the whole body again",
    "xml": "Show only what an XPath 1.0 expression finds, e.g. //item/name or "
    "//*[local-name()='item']; clear the field to see the whole body again",
}


class BodyFilter(QWidget):
    """Signals: ``filtered(object)``: a :class:`FilterResult` to show, or ``None`` when
    the field was cleared (show the whole body)."""

    filtered = Signal(object)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(objectName=f"{prefix}.filter")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Filter the response body")
        self.count = QLabel(objectName=f"{prefix}.filter.count")
        self.error = QLabel(objectName=f"{prefix}.filter.error", wordWrap=True, visible=False)
        self.error.setAccessibleName("Filter problem")
        themed_style(self.error, "color: $error")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 2)
        layout.addWidget(self.count)
        layout.addWidget(self.error, 3)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.field.textChanged.connect(self._on_field_text_changed)
        self._parsed: ParsedBody | None = None
        self._size = 0
        self._tickets = 0
        self._task: asyncio.Future[None] | None = None  # held, or it may be collected
        self.result: FilterResult | None = None  # the last good result, if filtering
        self.set_source(None, b"", None, 0)

    @property
    def expression(self) -> str:
        return self.field.text().strip()

    def set_source(
        self,
        kind: BodyKind | None,
        body: bytes | Callable[[], bytes],
        charset: str | None,
        size: int,
    ) -> None:
        """A new body (``kind`` None: none): parsed when first needed, if JSON or XML.
        The expression typed stays, and applies to the new body at once."""
        self._tickets += 1
        self._size = size
        self.result = None
        filterable = kind in ("json", "xml")
        self._parsed = None
        if kind == "json" or kind == "xml":
            self._parsed = ParsedBody(kind, body, charset)
        self.setVisible(filterable)
        if kind in _PLACEHOLDERS:
            self.field.setPlaceholderText(_PLACEHOLDERS[kind])
            self.field.setToolTip(_TIPS[kind])
        too_big = filterable and size > MAX_BYTES
        self.field.setEnabled(filterable and not too_big)
        self._show_problem(
            f"Filtering works on bodies up to {human_size(MAX_BYTES)}; this one has "
            f"{human_size(size)}. Use Save… and a tool of your choice."
            if too_big
            else ""
        )
        self.count.clear()
        if self._parsed is not None and self.expression and not too_big:
            self._timer.stop()
            self._run()

    async def document(self) -> Any:
        """The parsed body (JSON value or XML root); raises :class:`FilterError`."""
        parsed = self._parsed
        if parsed is None:
            raise FilterError("The body is neither JSON nor XML.")
        if self._size > MAX_BYTES:
            raise FilterError(
                f"The tree works on bodies up to {human_size(MAX_BYTES)}; this one has "
                f"{human_size(self._size)}."
            )
        if self._size <= SYNC_BYTES:
            return parsed.document()
        return await asyncio.to_thread(parsed.document)

    def _on_field_text_changed(self, _text: str) -> None:
        if self._parsed is None:
            return
        if not self.expression:  # cleared: the whole body, at once
            self._timer.stop()
            self._tickets += 1
            self.result = None
            self.count.clear()
            self._show_problem("")
            self.filtered.emit(None)
            return
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._parsed is not None and self.expression:
            self._run()

    def _run(self) -> None:
        self._tickets += 1
        parsed, expression, ticket = self._parsed, self.expression, self._tickets
        assert parsed is not None
        if self._size <= SYNC_BYTES:
            self._answer(ticket, *_attempt(parsed, expression))
            return
        self.count.setText("Filtering…")
        self._task = asyncio.ensure_future(self._run_in_worker(parsed, expression, ticket))

    async def _run_in_worker(self, parsed: ParsedBody, expression: str, ticket: int) -> None:
        outcome = await asyncio.to_thread(_attempt, parsed, expression)
        if shiboken6.isValid(self):  # not closed with its window meanwhile
            self._answer(ticket, *outcome)

    def _answer(self, ticket: int, result: FilterResult | None, problem: str) -> None:
        if ticket != self._tickets:
            return  # a newer expression or body is under way
        if result is None:
            self.count.setText("")
            self._show_problem(problem)
            return
        self._show_problem("")
        self.result = result
        self.count.setText(
            result.note or f"{result.count:,} match{'' if result.count == 1 else 'es'}"
        )
        self.filtered.emit(result)

    def _show_problem(self, problem: str) -> None:
        self.error.setText(problem)
        self.error.setVisible(bool(problem))


def _attempt(parsed: ParsedBody, expression: str) -> tuple[FilterResult | None, str]:
    try:
        return parsed.filter(expression), ""
    except FilterError as exc:
        return None, str(exc)
