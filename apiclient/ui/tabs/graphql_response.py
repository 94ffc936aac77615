"""The response half of the GraphQL tab: ``errors`` told next to partial ``data``, the
HTTP response, and the log of a running subscription."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from apiclient.ui.theme import show_status, themed_style, themed_text, tone_span
from apiclient.ui.widgets.event_log import EventLogView, LoggedEvent
from apiclient.ui.widgets.response_view import ResponseView

if TYPE_CHECKING:
    from apiclient.protocols.graphql import (
        GraphqlResponse,
        GraphqlResponseError,
        SubscriptionEvent,
    )

_MAX_LISTED_ERRORS = 20
_SUMMARY_CHARS = 300


def error_line(error: GraphqlResponseError) -> str:
    """One GraphQL error as a person reads it: message, then where (path, line:column)."""
    where = []
    if error.path:
        where.append("at " + ".".join(str(part) for part in error.path))
    where += [f"line {line}, column {column}" for line, column in error.locations]
    return error.message + (f" ({'; '.join(where)})" if where else "")


class GraphqlResponseView(QWidget):
    """Errors and notes above the HTTP response panel (``graphql.response.*``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphql.response")
        self.errors = QLabel(objectName="graphql.errors", wordWrap=True, visible=False)
        self.errors.setTextFormat(Qt.TextFormat.RichText)
        self.errors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        themed_style(
            self.errors,
            "QLabel#graphql\\.errors { border: 1px solid $error; border-radius: 4px;"
            " padding: 4px; }",
        )
        self.http = ResponseView("graphql.response")
        self.log = EventLogView("graphql.subscription.log")
        self.http.tabs.addTab(self.log, "Subscription")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.errors)
        layout.addWidget(self.http, 1)
        self.show_idle()

    def show_idle(self) -> None:
        """Nothing sent yet for the request on screen: no old response, no old events."""
        self._clear_errors()
        self.log.model.clear()
        self.http.show_idle()
        self.http.tabs.setCurrentWidget(self.http.body)

    def show_sending(self, method: str, url: str) -> None:
        self._clear_errors()
        self.http.show_sending(method, url)
        if self.http.tabs.currentWidget() is self.log:
            self.http.tabs.setCurrentWidget(self.http.body)

    def show_cancelled(self) -> None:
        self.http.show_cancelled()

    def show_error(self, title: str, message: str) -> None:
        self._clear_errors()
        self.http.show_error(title, message)

    async def show_response(self, response: GraphqlResponse) -> None:
        self._clear_errors()
        lines = [escape(error_line(e)) for e in response.errors[:_MAX_LISTED_ERRORS]]
        more = len(response.errors) - len(lines)
        if more > 0:
            lines.append(f"… and {more} more (see the body)")
        count = f"<b>{len(response.errors)} error(s)</b>"
        partial = "no data" if response.data is None else "partial data below"
        listed = "<br>".join(f"• {line}" for line in lines)
        problem = escape(response.problem)

        def render() -> str:
            notes = [f"{tone_span(count, 'error')}, {partial}:<br>{listed}"] if lines else []
            if problem:
                notes.append(tone_span(problem, "warning"))
            return "<br>".join(notes)

        if lines or problem:
            themed_text(self.errors, render)
            self.errors.setVisible(True)
        await self.http.show_response(response.http)

    # -- subscriptions --------------------------------------------------------------------

    def start_subscription(self, url: str, protocol: str) -> None:
        self._clear_errors()
        self.log.model.clear()
        self.http.show_idle()
        self.http.tabs.setCurrentWidget(self.log)
        self.set_subscription_status(f"Connecting to {url} ({protocol})…", "palette(mid)")

    def add_event(self, event: SubscriptionEvent) -> None:
        """Cheap whatever the event's size: the row shows the start of the payload as
        received; it is indented only when selected."""
        if event.errors:
            summary = "; ".join(error_line(e) for e in event.errors)
        else:
            summary = event.raw[:_SUMMARY_CHARS]
        kind = "error" if event.errors else "event"
        self.log.model.append(LoggedEvent(event.received_at, kind, summary, event.raw))

    def set_subscription_status(self, html: str, color: str) -> None:
        """The subscription's state, in the response panel's status line, in ``color``
        (as :func:`show_status` takes it)."""
        show_status(self.http.status, html, color)

    def _clear_errors(self) -> None:
        self.errors.clear()
        self.errors.setVisible(False)
