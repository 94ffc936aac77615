"""The response half of the SOAP tab: the HTTP response, a Fault told as a structured
error, and notes (not XML, 500 without a Fault, what failed schema validation)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from apiclient.ui.theme import themed_style, themed_text, tone_span
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.response_view import ResponseView

if TYPE_CHECKING:
    from apiclient.protocols.soap import SoapFault, SoapResponse

_MAX_LISTED_MISMATCHES = 20
_MAX_DETAIL_HEIGHT = 140


def _selectable_label(object_name: str, rich: bool = False) -> QLabel:
    label = QLabel(objectName=object_name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FaultView(QGroupBox):
    """A SOAP Fault: code (and subcodes), reason, actor or role, and the detail XML."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("SOAP Fault", parent)
        self.setObjectName("soap.fault")
        themed_style(
            self,
            "QGroupBox#soap\\.fault { border: 1px solid $error; border-radius: 4px;"
            " margin-top: 1.2em; padding-top: 4px; }"
            "QGroupBox#soap\\.fault::title { color: $error; subcontrol-origin: margin;"
            " left: 8px; font-weight: bold; }",
        )
        self.code = _selectable_label("soap.fault.code", rich=True)
        self.reason = _selectable_label("soap.fault.reason")
        self.actor = _selectable_label("soap.fault.actor")
        self.detail = CodeEditor("soap.fault.detail", read_only=True)
        self.detail.set_language("xml")
        form = QFormLayout(self)
        form.addRow("Code", self.code)
        form.addRow("Reason", self.reason)
        form.addRow("Actor", self.actor)
        form.addRow("Detail", self.detail)
        self._form = form

    def show_fault(self, fault: SoapFault) -> None:
        codes = " › ".join((fault.code, *fault.subcodes))
        self.code.setText(
            f"<b>{escape(codes)}</b>  <span style='color:palette(mid)'>"
            f"(SOAP {escape(fault.soap_version)})</span>"
        )
        self.reason.setText(fault.reason)
        self.actor.setText(fault.actor)
        self._form.setRowVisible(self.actor, bool(fault.actor))
        self.detail.set_text(fault.detail)
        lines = fault.detail.count("\n") + 1
        height = (lines + 1) * self.detail.fontMetrics().lineSpacing() + 8
        self.detail.setFixedHeight(min(_MAX_DETAIL_HEIGHT, height))
        self._form.setRowVisible(self.detail, bool(fault.detail))
        self.setVisible(True)


class SoapResponseView(QWidget):
    """Notes and Fault above the HTTP response panel (``soap.response.*``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("soap.response")
        self.http = ResponseView("soap.response")
        self.sent = CodeEditor("soap.response.sent", read_only=True)
        self.sent.set_language("xml")
        self.sent.setToolTip("The envelope exactly as sent: variables resolved, WS-Security added")
        self.http.tabs.addTab(self.sent, "Sent envelope")
        self.fault = FaultView()
        self.notes = _selectable_label("soap.response.notes", rich=True)
        self._notes: list[tuple[str, str]] = []  # (html, semantic colour) of each line
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notes)
        layout.addWidget(self.fault)
        layout.addWidget(self.http, 1)
        self.show_idle()

    def show_idle(self) -> None:
        self._clear_extras()
        self.http.show_idle()

    def show_sending(self, endpoint: str) -> None:
        self._clear_extras()
        self.http.show_sending("POST", endpoint)

    def show_cancelled(self) -> None:
        self.http.show_cancelled()

    def show_error(self, title: str, message: str) -> None:
        self._clear_extras()
        self.http.show_error(title, message)

    async def show_response(self, response: SoapResponse) -> None:
        self._clear_extras()
        self.sent.set_text(response.sent_envelope)
        if response.fault is not None:
            self.fault.show_fault(response.fault)
        if response.problem:
            self._set_notes(escape(response.problem), "warning")
        await self.http.show_response(response.http)

    def show_validation(self, mismatches: list[str]) -> None:
        """The result of checking the response against the output message's schema."""
        if not mismatches:
            self._set_notes("✓ The response matches the WSDL's schema.", "success")
            return
        shown = mismatches[:_MAX_LISTED_MISMATCHES]
        more = len(mismatches) - len(shown)
        lines = "".join(f"<br>• {escape(line)}" for line in shown)
        tail = f"<br>… and {more} more." if more > 0 else ""
        self._set_notes(
            f"<b>The response does not match the WSDL's schema:</b>{lines}{tail}", "warning"
        )

    def add_note(self, text: str) -> None:
        """A note next to others (e.g. why validation could not run)."""
        self._set_notes(escape(text), "muted")

    def _set_notes(self, html: str, tone: str) -> None:
        """Add a line to the notes in the semantic colour ``tone``."""
        self._notes.append((html, tone))
        notes = list(self._notes)
        themed_text(self.notes, lambda: "<br>".join(tone_span(h, t) for h, t in notes))
        self.notes.setVisible(True)

    def _clear_extras(self) -> None:
        self.sent.set_text("")
        self.fault.setVisible(False)
        self._notes.clear()
        self.notes.clear()
        self.notes.setVisible(False)
