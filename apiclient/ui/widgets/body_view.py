"""The response body: pretty or raw, searchable, savable, and safe with huge bodies.

Formatting runs off the GUI thread (``run_off_gui``); only the first
``DISPLAY_LIMIT_CHARS`` characters are put into the view until the user asks for all.
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
from apiclient.core.formatting import RenderedBody, human_size, render_body
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.find_bar import FindBar
from apiclient.ui.workers import run_off_gui

DISPLAY_LIMIT_CHARS = 1_000_000


class BodyView(QWidget):
    """Shows one response body; ``prefix`` names the child widgets (e.g. ``rest.response``)."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._body = b""
        self._rendered: RenderedBody | None = None
        self._show_all = False
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
        self.show_all_button = QPushButton(
            "Show all", objectName=f"{prefix}.show_all", visible=False
        )

        bar = QHBoxLayout()
        bar.addWidget(self.pretty)
        bar.addWidget(self.raw)
        bar.addWidget(self.find, 1)
        bar.addWidget(self.save)
        banner = QHBoxLayout()
        banner.addWidget(self.truncated, 1)
        banner.addWidget(self.show_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.info)
        layout.addLayout(banner)
        layout.addWidget(self.text, 1)

        self.pretty.toggled.connect(self._show)
        self.show_all_button.clicked.connect(self._on_show_all_clicked)
        self.save.clicked.connect(self._on_save_clicked)
        self.info.setVisible(False)

    def clear(self) -> None:
        self._generation += 1
        self._body = b""
        self._rendered = None
        self.save.setEnabled(False)
        self.info.setVisible(False)
        self.truncated.setVisible(False)
        self.show_all_button.setVisible(False)
        self.text.set_text("")

    async def show_body(self, content_type: str, charset: str | None, body: bytes) -> None:
        """Format ``body`` off the GUI thread and show it; a newer call wins."""
        self.clear()
        generation = self._generation
        self._body = body
        self.save.setEnabled(True)
        self.info.setText(f"Formatting {human_size(len(body))}…")
        self.info.setVisible(len(body) > 256 * 1024)
        rendered = await run_off_gui(render_body, content_type, charset, body, size_hint=len(body))
        if generation != self._generation:
            return
        self._rendered = rendered
        self._show_all = False
        self._show()

    def displayed_text(self) -> str:
        return self.text.toPlainText()

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
        cut = not self._show_all and len(text) > DISPLAY_LIMIT_CHARS
        self.truncated.setVisible(cut)
        self.show_all_button.setVisible(cut)
        if cut:
            self.truncated.setText(
                f"Showing the first {human_size(DISPLAY_LIMIT_CHARS)} of "
                f"{human_size(len(text))} of text."
            )
            text = text[:DISPLAY_LIMIT_CHARS]
        self.text.set_language(rendered.kind)
        self.text.set_text(text)

    def _on_show_all_clicked(self) -> None:
        self._show_all = True
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
