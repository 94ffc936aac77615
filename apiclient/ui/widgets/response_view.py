"""The response panel: a status line, then body, headers, cookies and timing tabs.

The status line is the one place where the outcome of a send is told: the status code,
or, when the send failed, what went wrong and what to try.
"""

from __future__ import annotations

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
from apiclient.ui.widgets.body_view import BodyView
from apiclient.ui.widgets.timing_chart import TimingChart

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestResponse


def _status_color(code: int) -> str:
    if code < 300:
        return "#2e7d32"
    if code < 400:
        return "#1565c0"
    if code < 500:
        return "#e65100"
    return "#c62828"


def read_only_table(object_name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=object_name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def set_rows(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


class ResponseView(QWidget):
    """Shows one response or one failure. ``prefix`` is e.g. ``rest.response``."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel(objectName=f"{prefix}.status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        self._set_status("No response yet. Press Send (Ctrl+Enter).", "palette(mid)")
        self._clear_details()

    def show_sending(self, method: str, url: str) -> None:
        self._set_status(f"Sending {method} {url} …", "palette(mid)")
        self._clear_details()

    def show_cancelled(self) -> None:
        self._set_status("Cancelled. Nothing was received.", "palette(mid)")

    def show_error(self, title: str, message: str) -> None:
        """A failure, told in place: ``title`` says what, ``message`` says why and what to try."""
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "#c62828")
        self._clear_details()

    async def show_response(self, response: RestResponse) -> None:
        redirects = f" · {len(response.redirects)} redirect(s)" if response.redirects else ""
        self._set_status(
            f"<b>{response.status_code} {escape(response.reason)}</b>"
            f" · {response.http_version}{redirects}",
            _status_color(response.status_code),
        )
        self.time.setText(human_duration(response.elapsed_s))
        compressed = (
            f" ({human_size(response.wire_size)} on the wire)"
            if response.wire_size != len(response.body)
            else ""
        )
        self.size.setText(f"{human_size(len(response.body))}{compressed}")
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
        await self.body.show_body(response.content_type, response.charset, response.body)

    def _set_status(self, html: str, color: str) -> None:
        self.status.setText(f'<span style="color:{color}">{html}</span>')

    def _clear_details(self) -> None:
        self.time.clear()
        self.size.clear()
        self.headers.setRowCount(0)
        self.cookies.setRowCount(0)
        self.timing.set_phases([])
        self.body.clear()
