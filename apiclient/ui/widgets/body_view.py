"""The response body: pretty or raw, searchable, savable, and safe with huge bodies.

Formatting runs off the GUI thread (``run_off_gui``). A long text is shown in parts of
about ``PAGE_CHARS`` characters, cut at line ends, with Previous/Next to move through
it, so the view never lays out megabytes at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.atomic import atomic_write_bytes
from apiclient.core.errors import CoreError
from apiclient.core.formatting import (
    RenderedBody,
    decode_body,
    human_size,
    page_starts,
    render_body,
)
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.find_bar import FindBar
from apiclient.ui.workers import run_off_gui

# About 20 ms to lay out in QPlainTextEdit; a whole 27 MB text would take seconds.
PAGE_CHARS = 200_000


class BodyView(QWidget):
    """Shows one response body; ``prefix`` names the child widgets (e.g. ``rest.response``)."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._body = b""
        self._rendered: RenderedBody | None = None
        self._page = 0
        self._generation = 0

        self.pretty = QRadioButton("Pretty", objectName=f"{prefix}.pretty", checked=True)
        self.raw = QRadioButton("Raw", objectName=f"{prefix}.raw")
        modes = QButtonGroup(self)
        modes.addButton(self.pretty)
        modes.addButton(self.raw)
        self.info = QLabel(objectName=f"{prefix}.info")
        self.save = QPushButton("Save…", objectName=f"{prefix}.save", enabled=False)
        self.save.setToolTip("Save the body, exactly as received, to a file")
        self.text = CodeEditor(f"{prefix}.body", read_only=True)
        self.text.setPlaceholderText("The response body appears here.")
        self.find = FindBar(self.text, f"{prefix}.find")
        self.truncated = QLabel(objectName=f"{prefix}.truncated", visible=False)
        self.previous_page = QPushButton("◀ Previous part", objectName=f"{prefix}.previous")
        self.next_page = QPushButton("Next part ▶", objectName=f"{prefix}.next")

        bar = QHBoxLayout()
        bar.addWidget(self.pretty)
        bar.addWidget(self.raw)
        bar.addWidget(self.find, 1)
        bar.addWidget(self.save)
        banner = QHBoxLayout()
        banner.addWidget(self.truncated, 1)
        banner.addWidget(self.previous_page)
        banner.addWidget(self.next_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.info)
        layout.addLayout(banner)
        layout.addWidget(self.text, 1)

        self.pretty.toggled.connect(self._on_mode_toggled)
        self.previous_page.clicked.connect(lambda: self._turn_page(-1))
        self.next_page.clicked.connect(lambda: self._turn_page(1))
        self.save.clicked.connect(self._on_save_clicked)
        self.info.setVisible(False)

    def clear(self) -> None:
        self._generation += 1
        self._body = b""
        self._rendered = None
        self.save.setEnabled(False)
        self.info.setVisible(False)
        self._set_pager(0, 0)
        self.text.set_text("")

    async def show_body(self, content_type: str, charset: str | None, body: bytes) -> None:
        """Format ``body`` off the GUI thread and show it; a newer call wins."""
        self.clear()
        generation = self._generation
        self._body = body
        self.save.setEnabled(True)
        self.info.setText(f"Formatting {human_size(len(body))}…")
        self.info.setVisible(len(body) > 256 * 1024)
        try:
            rendered = await run_off_gui(
                render_body, content_type, charset, body, size_hint=len(body)
            )
        except (OSError, RuntimeError) as exc:  # e.g. the worker process died
            raw = decode_body(body[:PAGE_CHARS], charset)
            rendered = RenderedBody("text", raw, raw, f"Could not format the body ({exc})")
        if generation != self._generation:
            return
        self._rendered = rendered
        self._page = 0
        self._show()

    def _show(self) -> None:
        rendered = self._rendered
        if rendered is None:
            return
        binary = rendered.kind == "binary"
        self.pretty.setEnabled(not binary)
        self.raw.setEnabled(not binary)
        text = rendered.pretty if self.pretty.isChecked() else rendered.raw
        if binary:
            self.info.setText(
                f"Binary body, {human_size(len(self._body))}. Hex preview of the first "
                f"{human_size(min(len(self._body), 64 * 1024))}; use Save… to keep it all."
            )
        elif rendered.problem and self.pretty.isChecked():
            self.info.setText(f"{rendered.problem}. Showing the body as received.")
        self.info.setVisible(binary or bool(rendered.problem and self.pretty.isChecked()))
        starts = page_starts(text, PAGE_CHARS)
        self._page = min(self._page, len(starts) - 1)
        start = starts[self._page]
        end = starts[self._page + 1] if self._page + 1 < len(starts) else len(text)
        self._set_pager(len(starts), len(text), start, end)
        self.text.set_language(rendered.kind)
        self.text.set_text(text[start:end])

    def _set_pager(self, pages: int, total: int, start: int = 0, end: int = 0) -> None:
        paged = pages > 1
        for widget in (self.truncated, self.previous_page, self.next_page):
            widget.setVisible(paged)
        if paged:
            self.truncated.setText(
                f"Long body: part {self._page + 1} of {pages} (characters {start + 1:,}–{end:,} "
                f"of {total:,}). Search looks in this part; Save… keeps the whole body."
            )
            self.previous_page.setEnabled(self._page > 0)
            self.next_page.setEnabled(self._page < pages - 1)

    def _turn_page(self, step: int) -> None:
        self._page = max(0, self._page + step)
        self._show()

    def _on_mode_toggled(self) -> None:
        self._page = 0
        self._show()

    @asyncSlot()
    async def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save response body")
        if not path:
            return
        try:
            await asyncio.to_thread(atomic_write_bytes, Path(path), self._body)
        except CoreError as exc:
            self.info.setText(str(exc))
        else:
            self.info.setText(f"Saved {human_size(len(self._body))} to {path}")
        self.info.setVisible(True)
