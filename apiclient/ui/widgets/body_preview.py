"""The start of a response body as the history kept it, with a note on how much of the
body that is (the history never keeps a whole body, see :mod:`apiclient.core.history`)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from apiclient.core.formatting import body_kind, decode_body, display_part, hex_dump, human_size

# Lines are shown broken at this length: a 64 KB single-line JSON lays out at once.
_LINE_CHARS = 1_000


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def preview_note(preview: bytes, size: int | None) -> str:
    """``Response body preview: first 64.0 KB of 500.0 MB``, or the whole body's size."""
    if size is None:
        return "No response body: the request failed before an answer came."
    if size and not preview:  # kept before previews were, or a body not kept (gRPC)
        return f"Response body: {human_size(size)}; no preview kept."
    if size > len(preview):
        return (
            f"Response body preview: first {human_size(len(preview))} of {human_size(size)} "
            "(the history keeps only the start of a body)."
        )
    return f"Response body: {human_size(size)}." if size else "The response had no body."


class BodyPreview(QWidget):
    """A read-only view of a kept body preview; ``prefix`` names its parts, e.g.
    ``history.preview`` (the text) and ``history.preview.note``."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel(objectName=f"{prefix}.note", wordWrap=True)
        self.note.setStyleSheet("color: palette(mid)")
        self.text = QPlainTextEdit(objectName=prefix, readOnly=True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.text, 1)
        self.clear()

    def clear(self) -> None:
        self.note.setText("Select a request to see the start of its response.")
        self.text.clear()

    def show_preview(
        self, preview: bytes, size: int | None, content_type: str, masked: bool = False
    ) -> None:
        """Show ``preview``; ``masked``: credentials in it were masked before it was
        kept (the note says so)."""
        note = preview_note(preview, size)
        if masked:
            note += " Credentials in it are masked ([redacted])."
        self.note.setText(note)
        if body_kind(content_type, preview) == "binary":
            shown = hex_dump(preview)
        else:
            text = decode_body(preview, _charset(content_type))
            shown = display_part(text, 0, _LINE_CHARS).shown
        self.text.setPlainText(shown)
