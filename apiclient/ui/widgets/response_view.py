"""The response panel: a status line, then body, headers, cookies and timing tabs.

The status line is the one place where the outcome of a send is told: the status code,
or, when the send failed, what went wrong and what to try. Before the first response the
body page says what to do next (and offers to start the mock servers when they are
stopped).

Each response shown is remembered (:mod:`apiclient.ui.response_memory`) under its
request, so the body's Compare mode can show what changed since the previous one.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import human_duration, human_size
from apiclient.ui.response_memory import MAX_BODY_BYTES, RememberedResponse, response_memory
from apiclient.ui.theme import http_status_tone, show_status
from apiclient.ui.widgets.body_view import BodyView
from apiclient.ui.widgets.empty_state import EmptyState
from apiclient.ui.widgets.mocks_offer import MocksOffer
from apiclient.ui.widgets.timing_chart import TimingChart

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestResponse


def read_only_table(object_name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=object_name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def _remembered(response: RestResponse) -> RememberedResponse:
    """What the comparison keeps of a response (not a body above ``MAX_BODY_BYTES``)."""
    body = response.body if response.body_file is None else None
    if body is not None and len(body) > MAX_BODY_BYTES:
        body = None
    return RememberedResponse(
        status=f"{response.status_code} {response.reason}".strip(),
        headers=tuple(response.headers),
        content_type=response.content_type,
        charset=response.charset,
        body=body,
        size=response.body_size,
        received_at=datetime.now(),
    )


def set_rows(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


class ResponseView(QWidget):
    """Shows one response or one failure. ``prefix`` is e.g. ``rest.response``."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown = 0  # responses begun showing: a slower, older one must not win
        self.status = QLabel(objectName=f"{prefix}.status")
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.status.setWordWrap(True)
        self.time = QLabel(objectName=f"{prefix}.time")
        self.size = QLabel(objectName=f"{prefix}.size")
        self.body = BodyView(prefix)
        self.headers = read_only_table(f"{prefix}.headers", ["Header", "Value"])
        self.cookies = read_only_table(
            f"{prefix}.cookies",
            ["Name", "Value", "Domain", "Path", "Expires", "Secure", "HttpOnly"],
        )
        self.timing = TimingChart(f"{prefix}.timing")
        self.empty = EmptyState(
            f"{prefix}.empty",
            "No response yet",
            "Send the request (Ctrl+Enter) to see the response here.",
        )
        self.mocks_offer = MocksOffer(self.empty)
        self.body.set_empty_state(self.empty)
        self.tabs = QTabWidget(objectName=f"{prefix}.tabs")
        self.tabs.addTab(self.body, "Body")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.cookies, "Cookies")
        self.tabs.addTab(self.timing, "Timing")

        line = QHBoxLayout()
        line.addWidget(self.status, 1)
        line.addWidget(self.time)
        line.addWidget(self.size)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.tabs, 1)
        self.show_idle()

    def show_idle(self) -> None:
        """Nothing sent yet for the request shown (a request just opened)."""
        self.status.clear()
        self._clear_details()
        self.body.show_empty(True)
        self.mocks_offer.refresh()
        if self._owner_relpath() is None:  # a draft: its earlier responses were another's
            response_memory().forget(self._draft_key())

    def show_sending(self, method: str, url: str) -> None:
        self._set_status(f"Sending {method} {url} …", "palette(mid)")
        self._clear_details()
        self.body.show_empty(False)

    def show_receiving(self, method: str, url: str, received: int, total: int | None) -> None:
        """The progress of a body arriving: ``Receiving 123.4 MB of 500.0 MB…``."""
        of = f" of {human_size(total)}" if total else ""
        self._set_status(
            f"Receiving {human_size(received)}{of} · {escape(method)} {escape(url)} …",
            "palette(mid)",
        )

    def show_cancelled(self) -> None:
        self._set_status("Cancelled. Nothing was received.", "palette(mid)")

    def show_error(self, title: str, message: str) -> None:
        """A failure, told in place: ``title`` says what, ``message`` says why and what to try."""
        self.show_error_only(title, message)
        self._clear_details()
        self.body.show_empty(False)

    async def show_partial(self, title: str, message: str, response: RestResponse) -> None:
        """A response whose body stopped early: the failure in the status line, and the
        part of the body that arrived below it."""
        await self.show_response(response)
        self.show_error_only(title, message)

    def show_error_only(self, title: str, message: str) -> None:
        """Tell a failure in the status line, keeping what is shown below it."""
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    async def show_response(self, response: RestResponse) -> None:
        self._shown += 1
        shown = self._shown
        self.body.show_empty(False)
        key = self._request_key()
        current = _remembered(response)
        memory = response_memory()
        draft = self._draft_key()
        if key != draft:  # a draft saved since its responses: they are the request's
            if not memory.last_two(key):
                for earlier in memory.last_two(draft):
                    memory.remember(key, earlier)
            memory.forget(draft)
        memory.remember(key, current)
        kept = memory.last_two(key)
        previous = kept[0] if len(kept) == 2 else None
        redirects = f" · {len(response.redirects)} redirect(s)" if response.redirects else ""
        self._set_status(
            f"<b>{response.status_code} {escape(response.reason)}</b>"
            f" · {response.http_version}{redirects}",
            http_status_tone(response.status_code),
        )
        self.time.setText(human_duration(response.elapsed_s))
        size = response.body_size
        compressed = (
            f" ({human_size(response.wire_size)} on the wire)" if response.wire_size != size else ""
        )
        partial = "" if response.complete else " (partial)"
        self.size.setText(f"{human_size(size)}{compressed}{partial}")
        set_rows(self.headers, list(response.headers))
        set_rows(
            self.cookies,
            [
                (
                    c.name,
                    c.value,
                    c.domain,
                    c.path,
                    c.expires or "session",
                    "yes" if c.secure else "",
                    "yes" if c.http_only else "",
                )
                for c in response.cookies
            ],
        )
        t = response.timings
        self.timing.set_phases(
            [
                ("DNS + connect", t.connect_s),
                ("TLS handshake", t.tls_s),
                ("Request sent", t.send_s),
                ("Waiting (time to first byte)", t.ttfb_s),
                ("Download", t.download_s),
            ],
            note=f"Network time {human_duration(t.total_s)} of {human_duration(response.elapsed_s)}"
            + (" · connection reused" if t.reused_connection else ""),
        )
        if response.body_file is not None:
            await self.body.show_body_file(
                response.content_type, response.charset, response.body_file
            )
        else:
            await self.body.show_body(response.content_type, response.charset, response.body)
        if shown == self._shown:
            self.body.set_comparison(previous, current)

    # -- which request this is ----------------------------------------------------------

    def _owner(self) -> QWidget | None:
        """The request tab showing this view (it has a ``relpath``), if any."""
        owner = self.parentWidget()
        while owner is not None and not hasattr(owner, "relpath"):
            owner = owner.parentWidget()
        return owner

    def _owner_relpath(self) -> str | None:
        owner = self._owner()
        return getattr(owner, "relpath", None) if owner is not None else None

    def _draft_key(self) -> Hashable:
        return ("draft", id(self))

    def _request_key(self) -> Hashable:
        """A saved request by its collection, kind and file; a draft by this view."""
        owner = self._owner()
        relpath = getattr(owner, "relpath", None)
        if owner is None or not relpath:
            return self._draft_key()
        store = getattr(getattr(self.window(), "workspace", None), "store", None)
        root = str(getattr(store, "root", ""))  # the same relpath in another collection
        return ("saved", root, getattr(owner, "kind", ""), relpath)

    def _set_status(self, html: str, color: str) -> None:
        show_status(self.status, html, color)

    def _clear_details(self) -> None:
        self.time.clear()
        self.size.clear()
        self.headers.setRowCount(0)
        self.cookies.setRowCount(0)
        self.timing.set_phases([])
        self.body.clear()
