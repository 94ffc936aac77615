"""The response half of the gRPC tab: the status, the messages (one, or a stream in a
log), response headers and trailers, and decoded error details.

Before the first call it says what to do next instead (and offers to start the mock
servers while they are stopped)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import human_duration
from apiclient.ui.theme import show_status
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.empty_state import EmptyState
from apiclient.ui.widgets.event_log import EventLogView, LoggedEvent
from apiclient.ui.widgets.mocks_offer import MocksOffer
from apiclient.ui.widgets.response_view import read_only_table, set_rows

if TYPE_CHECKING:
    from apiclient.protocols.grpc import GrpcMessageEvent, GrpcResult

_SUMMARY_CHARS = 300


class GrpcResponseView(QWidget):
    """``grpc.response.*``: status line, then Message / Stream / Headers / Trailers /
    Details; before the first call, the empty state ``grpc.response.empty`` in their
    place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("grpc.response")
        self.status = QLabel(objectName="grpc.response.status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.time = QLabel(objectName="grpc.response.time")
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("000.0 ms") + 4)
        self.body = CodeEditor("grpc.response.body", read_only=True)
        self.body.set_language("json")
        self.body.setPlaceholderText("The response message appears here.")
        self.log = EventLogView("grpc.response.log")
        self.headers = read_only_table("grpc.response.headers", ["Header", "Value"])
        self.trailers = read_only_table("grpc.response.trailers", ["Trailer", "Value"])
        self.details = CodeEditor("grpc.response.details", read_only=True)
        self.details.set_language("json")
        self.details.setPlaceholderText("Error details sent by the server appear here.")
        self.tabs = QTabWidget(objectName="grpc.response.tabs")
        self.tabs.addTab(self.body, "Message")
        self.tabs.addTab(self.log, "Stream")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.trailers, "Trailers")
        self.tabs.addTab(self.details, "Error details")
        self.empty = EmptyState(
            "grpc.response.empty",
            "No response yet",
            "Pick a method (Reflect lists the server's), then press Send (Ctrl+Enter) to "
            "see the response here.",
        )
        self.mocks_offer = MocksOffer(self.empty)
        self.pages = QStackedWidget(objectName="grpc.response.pages")
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.empty)
        line = QHBoxLayout()
        line.addWidget(self.status, 1)
        line.addWidget(self.time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.pages, 1)
        self.show_idle()

    def show_idle(self) -> None:
        """Nothing called yet for the request shown: the empty state says what to do."""
        self._clear()
        self.status.clear()
        self.pages.setCurrentWidget(self.empty)
        self.mocks_offer.refresh()

    def show_calling(self, path: str, streaming: bool) -> None:
        self._clear()
        self.pages.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(self.log if streaming else self.body)
        self._set_status(f"Calling {escape(path)} …", "palette(mid)")

    def show_cancelled(self) -> None:
        self._set_status("Cancelled.", "palette(mid)")

    def show_error(self, title: str, message: str) -> None:
        """The call could not be made: nothing of an earlier response stays."""
        self._clear()
        self.pages.setCurrentWidget(self.tabs)
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    def show_failure(self, title: str, message: str) -> None:
        """The call broke off: what arrived before stays in the log."""
        self.log.model.flush()
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    def show_note(self, text: str) -> None:
        """A problem beside the running call (a message that could not be sent)."""
        self._set_status(escape(text), "warning")

    def show_streaming(self, count: int) -> None:
        self._set_status(f"Streaming · {count} message(s)", "success")

    def add_message(self, event: GrpcMessageEvent) -> None:
        summary = " ".join(event.json[:_SUMMARY_CHARS].split())
        self.log.model.append(LoggedEvent(event.received_at, "message", summary, event.json))

    def show_result(self, result: GrpcResult, received: int) -> None:
        """The status the call ended with, and what came with it (``received`` counts
        every message, also those beyond what the result keeps)."""
        self.log.model.flush()
        color = "success" if result.ok else "error"
        details = f" · {escape(result.details)}" if result.details else ""
        count = f" · {received} message(s)" if received else ""
        self._set_status(f"<b>{escape(result.code)}</b>{details}{count}", color)
        self.time.setText(human_duration(result.elapsed_s))
        if result.messages:
            self.body.set_text(result.messages[-1])
        set_rows(self.headers, list(result.initial_metadata))
        set_rows(self.trailers, list(result.trailing_metadata))
        self.details.set_text(
            "\n\n".join(f"// {name}\n{text}" for name, text in result.rich_details)
        )
        if result.rich_details:
            self.tabs.setCurrentWidget(self.details)

    def _set_status(self, html: str, color: str) -> None:
        show_status(self.status, html, color)

    def _clear(self) -> None:
        self.time.clear()
        self.body.set_text("")
        self.log.model.clear()
        self.headers.setRowCount(0)
        self.trailers.setRowCount(0)
        self.details.set_text("")
