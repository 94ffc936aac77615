"""The body part of the REST editor: none, raw, urlencoded, multipart or a binary file."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import json_problem
from apiclient.core.models import Body
from apiclient.core.variables import VARIABLE_PATTERN
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable

_MODES = [
    ("none", "No body"),
    ("raw", "Raw"),
    ("urlencoded", "Form (x-www-form-urlencoded)"),
    ("multipart", "Multipart form-data"),
    ("binary", "Binary file"),
]
_LANGUAGES = ["json", "xml", "html", "text", "javascript"]
_JSON_CHECK_LIMIT = 2_000_000


class BodyEditor(QWidget):
    """Signals: edited: the user changed anything in the body."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.mode = QComboBox(objectName="rest.body.mode")
        for value, label in _MODES:
            self.mode.addItem(label, value)
        self.language = QComboBox(objectName="rest.body.language")
        self.language.addItems(_LANGUAGES)
        self.hint = QLabel(objectName="rest.body.hint")
        themed_style(self.hint, "color: $warning")
        self.raw = CodeEditor("rest.body")
        self.raw.setPlaceholderText('{"name": "Road Trip Hits"}')
        self.urlencoded = KeyValueTable("rest.body.urlencoded", "Field")
        self.multipart = KeyValueTable("rest.body.multipart", "Field", with_types=True)
        self.binary_path = QLineEdit(objectName="rest.body.binary")
        self.binary_path.setPlaceholderText("Path of the file to send as the body")
        browse = QPushButton("Choose file…", objectName="rest.body.binary.browse")

        none_page = QLabel("This request has no body.", objectName="rest.body.none")
        binary_page = QWidget()
        binary_row = QHBoxLayout(binary_page)
        binary_row.addWidget(self.binary_path, 1)
        binary_row.addWidget(browse)
        self.pages = QStackedWidget()
        for page in (none_page, self.raw, self.urlencoded, self.multipart, binary_page):
            self.pages.addWidget(page)

        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.language)
        top.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

        self._hint_timer = QTimer(self, singleShot=True, interval=250)
        self._hint_timer.timeout.connect(self._update_hint)
        # Raw text edits are reported on the next loop turn: the editor also reports a
        # change while it is destroyed, and this timer dies with it before firing.
        self._raw_edited_timer = QTimer(self, singleShot=True, interval=0)
        self._raw_edited_timer.timeout.connect(self._emit_edited)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.language.currentTextChanged.connect(self._on_language_changed)
        self.raw.textChanged.connect(self._on_raw_changed)
        self.urlencoded.rows_edited.connect(self._emit_edited)
        self.multipart.rows_edited.connect(self._emit_edited)
        self.binary_path.textEdited.connect(self._emit_edited)
        browse.clicked.connect(self._on_browse_clicked)
        self._on_mode_changed()

    def set_body(self, body: Body) -> None:
        self._loading = True
        try:
            self.mode.setCurrentIndex(self.mode.findData(body.mode))
            self.language.setCurrentText(body.language)
            self.raw.set_language(body.language)
            self.raw.set_text(body.raw)
            self.urlencoded.set_rows(body.urlencoded)
            self.multipart.set_rows(body.multipart)
            self.binary_path.setText(body.binary_path)
        finally:
            self._loading = False
        self._on_mode_changed()
        self._update_hint()

    def body(self) -> Body:
        return Body(
            mode=self.mode.currentData(),
            raw=self.raw.toPlainText(),
            language=self.language.currentText(),
            urlencoded=self.urlencoded.rows(),
            multipart=self.multipart.form_fields(),
            binary_path=self.binary_path.text(),
        )

    def _emit_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _on_mode_changed(self) -> None:
        self.pages.setCurrentIndex(self.mode.currentIndex())
        self.language.setVisible(self.mode.currentData() == "raw")
        self._update_hint()
        self._emit_edited()

    def _on_language_changed(self, language: str) -> None:
        self.raw.set_language(language)
        self._update_hint()
        self._emit_edited()

    def _on_raw_changed(self) -> None:
        if not self._loading:
            self._hint_timer.start()
            self._raw_edited_timer.start()

    def _update_hint(self) -> None:
        """Flag invalid JSON without blocking the send: the user may mean it."""
        text = self.raw.toPlainText()
        checkable = (
            self.mode.currentData() == "raw"
            and self.language.currentText() == "json"
            and len(text) <= _JSON_CHECK_LIMIT
        )
        problem = json_problem(_without_variables(text)) if checkable else ""
        self.hint.setText(f"⚠ {problem} (you can still send it)" if problem else "")

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the body file", self.binary_path.text())
        if path:
            self.binary_path.setText(path)
            self._emit_edited()


def _without_variables(text: str) -> str:
    """Read ``{{var}}`` as ``0``: valid both as a JSON value and inside a string."""
    return VARIABLE_PATTERN.sub("0", text)
