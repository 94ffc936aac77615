"""The request half of the "Batch call" page: where to send, and what the batch holds.

A JSON batch is edited as an operation, an items key, options and a rows table (typed,
pasted, imported, or read from a data file at send time) with an optional column
mapping; a multipart batch as a list of sub-requests. Headers, auth and settings are
the REST tab's widgets, because the batch goes out as one HTTP request.

The table stays in the request while "Use file at send time" is ticked (the engine
sends the file's rows then), so ticking, saving and unticking loses nothing typed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.models import BatchRequest, Variable
from apiclient.ui import dialogs
from apiclient.ui.tabs.batch_call_parts import BatchPartsEditor
from apiclient.ui.tabs.batch_call_rows import BatchRowsModel, BatchRowsView, ColumnNameError
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor, keep_count_in_title
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.send_buttons import swap_send_cancel
from apiclient.ui.widgets.settings_editor import SettingsEditor
from apiclient.ui.widgets.tls_warning import TlsOffWarning

BATCH_METHODS = ("POST", "PATCH", "PUT")
OPERATIONS = ("create", "upsert", "update", "delete")
STYLES = (("json", "JSON items"), ("multipart", "multipart/mixed"))


class BatchRequestEditor(QWidget):
    """Edits one ``BatchRequest``.

    Signals:
        edited: the user changed the request.
        send_requested / cancel_requested: the Send or Cancel button was pressed.
        preview_requested: "Preview body" was pressed.
        import_requested(str): a data file was chosen with "Import CSV/JSON…".
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    preview_requested = Signal()
    import_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = BatchRequest()
        self._loaded_version = -1

        self.method = QComboBox(objectName="batch.method", editable=True)
        self.method.addItems(BATCH_METHODS)
        self.method.setMinimumWidth(100)
        self.url = QLineEdit(objectName="batch.url")
        self.url.setPlaceholderText("{{base_url}}/api/v1/contacts/batch")
        self.send = QPushButton("Send", objectName="batch.send", default=True)
        self.send.setToolTip("Send the batch (Ctrl+Enter)")
        self.cancel = QPushButton("Cancel", objectName="batch.cancel", visible=False)
        self.style_box = QComboBox(objectName="batch.style")
        for style, label in STYLES:
            self.style_box.addItem(label, style)
        self.style_box.setToolTip(
            "JSON items: one JSON body holding every item.\n"
            "multipart/mixed: one HTTP request per part (OData $batch, Google batch)."
        )
        self.preview = QPushButton("Preview body", objectName="batch.preview")
        self.preview.setToolTip("Show the body Send would send, without sending it")
        self.url_hint = QLabel(objectName="batch.url.hint", wordWrap=True, visible=False)

        self.items_page = self._build_items_page()
        self.parts = BatchPartsEditor()
        self.content = QStackedWidget(objectName="batch.content")
        self.content.addWidget(self.items_page)
        self.content.addWidget(self.parts)
        self.options = CodeEditor("batch.options")
        self.options.set_language("json")
        self.options.setPlaceholderText('{"skip_duplicates": true, "dry_run": false}')
        self.mapping = KeyValueTable("batch.mapping", "Source column")
        self.mapping.setHorizontalHeaderLabels(["", "Source column", "Field:type"])
        self.mapping.setToolTip(
            "Source column → field:type, e.g. 'Age' → 'age:int'. Types: str (default),"
            " int, float, bool, list (split on ';'). With no rows here every column is"
            " sent under its own name."
        )
        self.headers = KeyValueTable("batch.headers", "Header")
        self.auth = AuthEditor("batch")
        self.settings = SettingsEditor("batch")
        self.tests = ChecksEditor("batch")
        self.tabs = QTabWidget(objectName="batch.request.tabs")
        self.tabs.addTab(self.content, "Items")
        self.tabs.addTab(self._with_note(self.options, _OPTIONS_NOTE), "Options")
        self.tabs.addTab(self._with_note(self.mapping, _MAPPING_NOTE), "Mapping")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.auth, "Auth")
        self.tabs.addTab(self.settings, "Settings")
        keep_count_in_title(self.tabs, self.tests, "Tests")

        line = QHBoxLayout()
        line.addWidget(self.method)
        line.addWidget(self.url, 1)
        line.addWidget(self.style_box)
        line.addWidget(self.preview)
        line.addWidget(self.send)
        line.addWidget(self.cancel)
        self.tls_warning = TlsOffWarning("batch")
        self.settings.verify_changed.connect(self.tls_warning.show_verified)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.url_hint)
        layout.addWidget(self.tls_warning)
        layout.addWidget(self.tabs, 1)

        self.method.currentTextChanged.connect(self._on_part_edited)
        self.url.textEdited.connect(self._on_part_edited)
        self.url.returnPressed.connect(self.send_requested)
        self.style_box.currentIndexChanged.connect(self._on_style_changed)
        self.operation.currentTextChanged.connect(self._on_part_edited)
        self.items_key.textEdited.connect(self._on_part_edited)
        self.use_file.toggled.connect(self._on_use_file_toggled)
        self.data_path.textEdited.connect(self._on_part_edited)
        self.rows_model.edited.connect(self._on_rows_edited)
        self.options.textChanged.connect(self._on_part_edited)
        for table in (self.mapping, self.headers):
            table.rows_edited.connect(self._on_part_edited)
        for part in (self.parts, self.auth, self.settings, self.tests):
            part.edited.connect(self._on_part_edited)
        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.preview.clicked.connect(self.preview_requested)
        self.set_request(BatchRequest())

    def _build_items_page(self) -> QWidget:
        self.operation = QComboBox(objectName="batch.operation", editable=True)
        self.operation.addItems(OPERATIONS)
        self.operation.setToolTip("What the server does with every item; type another if needed")
        self.items_key = QLineEdit(objectName="batch.items_key")
        self.items_key.setPlaceholderText("contacts")
        self.items_key.setToolTip('The body\'s array of items: {"contacts": [...]}')
        self.rows_model = BatchRowsModel(self)
        self.rows = BatchRowsView(self.rows_model)
        self.add_row = QPushButton("Add row", objectName="batch.rows.add_row")
        self.remove_row = QPushButton("Remove rows", objectName="batch.rows.remove_row")
        self.add_column = QPushButton("Add column…", objectName="batch.rows.add_column")
        self.rename_column = QPushButton("Rename column…", objectName="batch.rows.rename_column")
        self.remove_column = QPushButton("Remove column", objectName="batch.rows.remove_column")
        self.paste = QPushButton("Paste", objectName="batch.rows.paste")
        self.paste.setToolTip(
            "Paste cells copied from a spreadsheet (or CSV text) at the selected cell;"
            " into an empty table the first line names the columns"
        )
        self.import_button = QPushButton("Import CSV/JSON…", objectName="batch.import")
        self.use_file = QCheckBox("Use file at send time", objectName="batch.use_file")
        self.use_file.setToolTip(
            "Read the file's rows each time the batch is sent (a relative path is taken"
            " from the collection's folder). While ticked the file wins: the table is"
            " kept and saved, but not sent; clear the box to send the table again."
        )
        self.data_path = QLineEdit(objectName="batch.data_file.path")
        self.data_path.setPlaceholderText("data/contacts.csv (relative to the collection)")
        self.rows_hint = QLabel(objectName="batch.rows.hint", wordWrap=True)
        self.rows_hint.setStyleSheet("color: palette(mid)")
        self.rows_problem = QLabel(objectName="batch.rows.problem", wordWrap=True, visible=False)
        themed_style(self.rows_problem, "color: $error")

        fields = QFormLayout()
        fields.addRow("Operation", self.operation)
        fields.addRow("Items key", self.items_key)
        buttons = QHBoxLayout()
        for button in (
            self.add_row,
            self.remove_row,
            self.add_column,
            self.rename_column,
            self.remove_column,
            self.paste,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        file_line = QHBoxLayout()
        file_line.addWidget(self.use_file)
        file_line.addWidget(self.data_path, 1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(fields)
        layout.addLayout(buttons)
        layout.addLayout(file_line)
        layout.addWidget(self.rows_hint)
        layout.addWidget(self.rows_problem)
        layout.addWidget(self.rows, 1)

        self.add_row.clicked.connect(self._on_add_row_clicked)
        self.remove_row.clicked.connect(self._on_remove_row_clicked)
        self.add_column.clicked.connect(self._on_add_column_clicked)
        self.rename_column.clicked.connect(self._on_rename_column_clicked)
        self.remove_column.clicked.connect(self._on_remove_column_clicked)
        self.paste.clicked.connect(self.rows.paste_clipboard)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.rows.selectionModel().selectionChanged.connect(self._show_column_buttons)
        self.rows.selectionModel().currentChanged.connect(self._show_column_buttons)
        self.rows_model.modelReset.connect(self._show_column_buttons)
        return page

    @staticmethod
    def _with_note(widget: QWidget, note: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        label = QLabel(note, wordWrap=True)
        label.setStyleSheet("color: palette(mid)")
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return page

    # -- the request as data ---------------------------------------------------------------

    def set_request(self, request: BatchRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.method.setCurrentText(request.method)
            self.url.setText(request.url)
            self.style_box.setCurrentIndex(self.style_box.findData(request.style))
            self.operation.setCurrentText(request.operation)
            self.items_key.setText(request.items_key)
            self.options.set_text(request.options_json)
            self.rows_model.set_table(request.columns, request.rows)
            self._loaded_version = self.rows_model.version
            self.use_file.setChecked(bool(request.data_file))
            self.data_path.setText(request.data_file)
            self.mapping.set_rows(request.mapping)
            self.parts.set_parts(request.parts)
            self.headers.set_rows(request.headers)
            self.auth.set_auth(request.auth)
            self.settings.set_settings(request.settings)
            self.tests.set_values(request.checks, request.captures)
        finally:
            self._loading = False
        self._show_style()
        self._show_rows_state()

    def request(self) -> BatchRequest:
        """The request as the widgets show it now; name, description, variables, checks
        and captures kept. The table is part of it even with "Use file at send time"
        (the engine then reads the file instead), so nothing typed is lost on save.

        Cheap for a big table: an untouched table gives the shown request's own rows,
        an edited one the rows model's copy for its current version."""
        use_file = self.use_file.isChecked()
        columns, rows = self._table()
        return self._request.model_copy(
            update={
                "method": self.method.currentText().strip().upper() or "POST",
                "url": self.url.text().strip(),
                "style": self.style_box.currentData(),
                "operation": self.operation.currentText().strip(),
                "items_key": self.items_key.text().strip(),
                "options_json": self.options.toPlainText(),
                "columns": columns,
                "rows": rows,
                "data_file": self.data_path.text().strip() if use_file else "",
                "mapping": self.mapping.rows(),
                "parts": self.parts.parts(),
                "headers": self.headers.rows(),
                "auth": self.auth.auth(),
                "settings": self.settings.settings(),
                "checks": self.tests.checks(),
                "captures": self.tests.captures(),
            }
        )

    def url_and_variables(self) -> tuple[str, list[Variable]]:
        """What the URL hint needs, without building the whole request (and its rows)."""
        return self.url.text().strip(), self._request.variables

    def row_count(self) -> int:
        """Rows in the table, blank ones included; nothing is copied."""
        return self.rows_model.rowCount()

    def table_compares_cheaply(self, request: BatchRequest) -> bool:
        """Whether comparing ``request()`` with ``request`` costs no copy of the rows: the
        table is untouched since it was shown, or ``request`` holds the rows model's copy
        for the table as it is now (it was taken, e.g. saved, after the last edit)."""
        if self.rows_model.version == self._loaded_version:
            return True
        return self.rows_model.holds(request.rows)

    def name(self) -> str:
        return self._request.name

    def _table(self) -> tuple[list[str], list[list[str]]]:
        if self.rows_model.version == self._loaded_version:
            return self._request.columns, self._request.rows
        return self.rows_model.columns(), self.rows_model.rows()

    def set_name(self, name: str) -> None:
        """Take a new name (after a save as, rename or move) without touching the fields."""
        self._request = self._request.model_copy(update={"name": name})

    def set_sending(self, sending: bool) -> None:
        swap_send_cancel(self.send, self.cancel, sending)

    def set_url_hint(self, text: str) -> None:
        self.url_hint.setText(text)
        self.url_hint.setVisible(bool(text))

    def show_imported(self, path: str, columns: list[str], rows: list[list[str]]) -> None:
        """Rows read from ``path``: into the table, or, with "Use file at send time", only
        the path (the file is read again at each send)."""
        self.data_path.setText(path)
        if not self.use_file.isChecked():
            self.rows_model.set_table(columns, rows)
        self._show_rows_state(f"{len(rows)} rows, columns: {', '.join(columns)}")
        self.edited.emit()

    # -- internals -----------------------------------------------------------------------

    def _show_style(self) -> None:
        json_style = self.style_box.currentData() == "json"
        self.content.setCurrentWidget(self.items_page if json_style else self.parts)
        for index in (1, 2):  # Options, Mapping: only a JSON batch has them
            self.tabs.setTabEnabled(index, json_style)
        self.tabs.setTabText(0, "Items" if json_style else "Parts")

    def _show_rows_state(self, loaded: str = "") -> None:
        use_file = self.use_file.isChecked()
        self.data_path.setEnabled(use_file)
        self.rows.setVisible(not use_file)
        for button in (self.add_row, self.remove_row, self.add_column, self.paste):
            button.setEnabled(not use_file)
        self._show_column_buttons()
        if use_file:
            where = self.data_path.text().strip() or "the file named here"
            text = f"Rows are read from {where} each time the batch is sent"
            text += f" ({loaded})." if loaded else "."
            text += " Clear the box to edit rows in the table again."
        elif not self.rows_model.columns():
            text = (
                "No rows yet. Paste cells copied from a spreadsheet (the first line names"
                " the columns), import a CSV or JSON file, or add columns and rows."
            )
        else:
            text = f"{self.row_count():,} rows. Double-click a cell to edit it."
        self.rows_hint.setText(text)

    def _show_column_buttons(self) -> None:
        """Rename and Remove act on the selected cell's column: no cell, no action."""
        enabled = self._selected_column() >= 0 and not self.use_file.isChecked()
        self.rename_column.setEnabled(enabled)
        self.remove_column.setEnabled(enabled)

    def _selected_column(self) -> int:
        """The current cell's column, or -1 when no cell is selected."""
        index = self.rows.currentIndex()
        selected = self.rows.selectionModel().hasSelection()
        return index.column() if index.isValid() and selected else -1

    def _show_rows_problem(self, text: str) -> None:
        self.rows_problem.setText(text)
        self.rows_problem.setVisible(bool(text))

    def _on_add_row_clicked(self) -> None:
        row = self.rows_model.add_row()
        self.rows.setCurrentIndex(self.rows_model.index(row, 0))

    def _on_remove_row_clicked(self) -> None:
        self.rows_model.remove_rows(self.rows.selected_rows())

    @asyncSlot()
    async def _on_add_column_clicked(self) -> None:
        name, ok = await dialogs.get_text(self, "Add column", "Name of the new column:")
        if not ok:
            return
        try:
            self.rows_model.add_column(name)
        except ColumnNameError as exc:
            self._show_rows_problem(f"Column not added. {exc}")
            return
        self._show_rows_problem("")

    @asyncSlot()
    async def _on_rename_column_clicked(self) -> None:
        column = self._selected_column()
        if column < 0:
            return
        old = self.rows_model.columns()[column]
        name, ok = await dialogs.get_text(
            self, "Rename column", f"New name of column '{old}':", old
        )
        if not ok or column >= len(self.rows_model.columns()):
            return
        try:
            self.rows_model.rename_column(column, name)
        except ColumnNameError as exc:
            self._show_rows_problem(f"Column '{old}' not renamed. {exc}")
            return
        self._show_rows_problem("")

    def _on_remove_column_clicked(self) -> None:
        column = self._selected_column()
        if column >= 0:
            self.rows_model.remove_column(column)

    @asyncSlot()
    async def _on_import_clicked(self) -> None:
        path = await dialogs.open_file(
            self, "Import rows", self.data_path.text(), "Data files (*.csv *.json);;All files (*)"
        )
        if path:
            self.import_requested.emit(path)

    def _on_style_changed(self) -> None:
        self._show_style()
        self._on_part_edited()

    def _on_use_file_toggled(self) -> None:
        self._show_rows_state()
        self._on_part_edited()

    def _on_rows_edited(self) -> None:
        self._show_rows_state()
        self._on_part_edited()

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()


_OPTIONS_NOTE = (
    'A JSON object sent as the body\'s "options" (the mock knows skip_duplicates,'
    " dry_run and stop_on_error). Leave it empty to send no options."
)
_MAPPING_NOTE = (
    "Map a source column to a JSON field and type: 'E-mail' → 'email', 'Age' → 'age:int'."
    " Types: str (default), int, float, bool, list (split on ';'). With no rows here every"
    " column is sent under its own name."
)
