"""The Tests page of a request: checks (assertions) and captures, for the collection runner.

Both tables feel like the Headers table: an empty row at the bottom to type into, a
checkbox per row, Delete removes the selected rows. A row typed wrongly (a regular
expression that does not compile, a JSONPath or XPath that does not parse, a word where a
number belongs) shows a red cell that says why in its tooltip, and is kept as typed: the
runner reports it again when it runs, and nothing the user typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import Capture, Check
from apiclient.ui.widgets.checks_validation import (
    CAPTURE_SOURCES,
    CHECK_OPS,
    CHECK_SOURCES,
    EXPRESSION_HINTS,
    NO_EXPECTED,
    OPS_BY_SOURCE,
    expected_problem,
    expression_problem,
    variable_name_problem,
)

HINT_ROLE = Qt.ItemDataRole.UserRole + 2
"""An item's example text, drawn greyed while the cell is empty."""

_NEW_ROLE = Qt.ItemDataRole.UserRole + 3  # on column 0: the trailing row not yet used
_ERROR_BACKGROUND = QColor(229, 57, 53, 90)  # readable on light and dark themes
_UNUSED_BACKGROUND = QColor(128, 128, 128, 45)


def show_problem(item: QTableWidgetItem, problem: str, tooltip: str = "") -> None:
    """A red cell whose tooltip says ``problem``; or, without one, a plain cell."""
    item.setData(Qt.ItemDataRole.BackgroundRole, _ERROR_BACKGROUND if problem else None)
    item.setToolTip(problem or tooltip)


def set_cell_enabled(item: QTableWidgetItem, enabled: bool, why_not: str = "") -> None:
    """Grey a cell out (keeping its text) when its row does not use it."""
    flags = Qt.ItemFlag.ItemIsSelectable
    if enabled:
        flags |= Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    if not enabled:
        item.setData(Qt.ItemDataRole.BackgroundRole, _UNUSED_BACKGROUND)
        item.setToolTip(why_not)


def count_title(title: str, count: int) -> str:
    """A page title with its number of rows: "Tests (2)", or "Tests" when empty."""
    return f"{title} ({count})" if count else title


def keep_count_in_title(tabs: QTabWidget, page: QWidget, title: str) -> None:
    """Add ``page`` (which has a ``count_changed(int)`` signal) to ``tabs`` and keep
    its title showing the count."""
    tabs.addTab(page, title)
    page.count_changed.connect(  # type: ignore[attr-defined]
        lambda count: tabs.setTabText(tabs.indexOf(page), count_title(title, count))
    )


class HintDelegate(QStyledItemDelegate):
    """Draws an empty cell's ``HINT_ROLE`` text greyed, as a line edit's placeholder."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        hint = index.data(HINT_ROLE)
        if index.data() or not hint or not index.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        painter.save()
        painter.setPen(option.palette.placeholderText().color())
        rect = option.rect.adjusted(4, 0, -4, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, hint)
        painter.restore()


class CellCombo(QComboBox):
    """A combo that lives in a table cell. The mouse wheel scrolls the table, not the
    value, unless the combo has the focus (clicked or tabbed into): scrolling past a
    column of combos must not silently rewrite the rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not give focus

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # passed on to the table, which scrolls


def combo(labels: dict[str, str], tooltip: str) -> QComboBox:
    """A combo of ``labels`` (value -> words) whose data is the value, for a table cell
    (see :class:`CellCombo`)."""
    box = CellCombo()
    for value, label in labels.items():
        box.addItem(label, value)
    box.setToolTip(tooltip)
    return box


def choose(box: QComboBox, value: str, label: str = "") -> None:
    """Select ``value``, adding it when it is missing, so a loaded value is never lost."""
    index = box.findData(value)
    if index < 0:
        box.addItem(label or value, value)
        index = box.count() - 1
    box.setCurrentIndex(index)


# ---- the tables --------------------------------------------------------------------------


class _RuleTable(QTableWidget):
    """A table with a checkbox in column 0 and one unused row at the bottom.

    Subclasses define ``_fill_row(r, model)`` (put a model's values into row ``r``),
    ``_refresh_row(r)`` (grey out, hint and validate the row's cells for its current
    choices) and ``_blank_model()`` (what the unused row shows).

    Signals:
        rows_edited: the user changed a row (not emitted while loading).
    """

    rows_edited = Signal()

    def __init__(self, object_name: str, columns: list[str]) -> None:
        super().__init__(0, len(columns))
        self.setObjectName(object_name)
        self._loading = False
        self.setHorizontalHeaderLabels(columns)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(28)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setItemDelegate(HintDelegate(self))
        self.itemChanged.connect(self._on_item_changed)

    # -- rows ---------------------------------------------------------------------------

    def used_rows(self) -> list[int]:
        return [r for r in range(self.rowCount()) if not self._is_new(r)]

    def _is_new(self, r: int) -> bool:
        return bool(self.item(r, 0).data(_NEW_ROLE))

    def _enabled(self, r: int) -> bool:
        return self.item(r, 0).checkState() == Qt.CheckState.Checked

    def _text(self, r: int, c: int) -> str:
        item = self.item(r, c)
        return item.text() if item else ""

    def _combo(self, r: int, c: int) -> QComboBox:
        box = self.cellWidget(r, c)
        assert isinstance(box, QComboBox)
        return box

    def _load(self, models: list) -> None:
        self._loading = True
        try:
            self.setRowCount(0)
            for model in models:
                self._append(model, new=False)
            self._append(self._blank_model(), new=True)
        finally:
            self._loading = False

    def add_row(self, model: object) -> int:
        """Insert ``model`` above the unused row (as a user adds it) and return its row."""
        r = self.rowCount() - 1
        self._loading = True
        try:
            self.removeRow(r)
            self._append(model, new=False)
            self._append(self._blank_model(), new=True)
        finally:
            self._loading = False
        self.rows_edited.emit()
        return r

    def _append(self, model: object, *, new: bool) -> None:
        was_loading, self._loading = self._loading, True
        try:
            r = self.rowCount()
            self.insertRow(r)
            enabled = QTableWidgetItem()
            if new:  # no checkbox yet: this row is not a check (or capture) until used
                enabled.setFlags(Qt.ItemFlag.ItemIsEnabled)
                enabled.setText("+")
                enabled.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                enabled.setToolTip("Type or choose in this row to add one")
                enabled.setData(_NEW_ROLE, True)
            else:
                self._make_used(enabled, model.enabled)  # type: ignore[attr-defined]
            self.setItem(r, 0, enabled)
            self._fill_row(r, model)
            self._chain_cell_widgets(r)
            self._refresh_row(r)
        finally:
            self._loading = was_loading

    def _chain_cell_widgets(self, r: int) -> None:
        """Tab reaches row ``r``'s combo boxes after those of the rows above, right after
        the table: Qt puts a new cell widget last in the window's Tab order."""
        before: QWidget = self
        for row in range(r - 1, -1, -1):
            boxes = [self.cellWidget(row, c) for c in range(self.columnCount())]
            boxes = [box for box in boxes if box is not None]
            if boxes:
                before = boxes[-1]
                break
        for c in range(self.columnCount()):
            box = self.cellWidget(r, c)
            if box is not None:
                QWidget.setTabOrder(before, box)
                before = box

    @staticmethod
    def _make_used(item: QTableWidgetItem, enabled: bool) -> None:
        """Turn column 0 into the row's on/off checkbox."""
        item.setData(_NEW_ROLE, False)
        item.setText("")
        item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        item.setToolTip("Run this row (untick to keep it without running it)")

    def _new_combo(self, labels: dict[str, str], tooltip: str) -> QComboBox:
        box = combo(labels, tooltip)
        box.currentIndexChanged.connect(lambda _index: self._on_combo_changed(box))
        return box

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.remove_selected_rows()
            return
        super().keyPressEvent(event)

    def remove_selected_rows(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()}, reverse=True)
        removed = False
        for r in rows:
            if not self._is_new(r):
                self.removeRow(r)
                removed = True
        if removed:
            self.rows_edited.emit()

    def _row_of(self, widget: QWidget) -> int:
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                if self.cellWidget(r, c) is widget:
                    return r
        return -1

    def _on_combo_changed(self, box: QComboBox) -> None:
        if self._loading:
            return
        r = self._row_of(box)
        if r >= 0:
            self._on_row_changed(r)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if not self._loading:
            self._on_row_changed(item.row())

    def _on_row_changed(self, r: int) -> None:
        self._loading = True
        try:
            if self._is_new(r):
                self._make_used(self.item(r, 0), True)
                self._append(self._blank_model(), new=True)
            self._refresh_row(r)
        finally:
            self._loading = False
        self.rows_edited.emit()


_C_SOURCE, _C_EXPRESSION, _C_OP, _C_EXPECTED = 1, 2, 3, 4


class ChecksTable(_RuleTable):
    """Rows of (enabled, source, expression, operator, expected)."""

    def __init__(self, object_name: str) -> None:
        super().__init__(object_name, ["", "Source", "Expression", "Operator", "Expected"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(_C_EXPRESSION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_C_EXPECTED, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(_C_SOURCE, 110)
        header.resizeSection(_C_OP, 140)
        self._load([])

    def set_checks(self, checks: list[Check]) -> None:
        self._load(checks)

    def checks(self) -> list[Check]:
        return [
            Check(
                source=self._combo(r, _C_SOURCE).currentData(),
                expression=self._text(r, _C_EXPRESSION),
                op=self._combo(r, _C_OP).currentData(),
                expected=self._text(r, _C_EXPECTED),
                enabled=self._enabled(r),
            )
            for r in self.used_rows()
        ]

    def _blank_model(self) -> Check:
        return Check(expected="")

    def _fill_row(self, r: int, model: object) -> None:
        assert isinstance(model, Check)
        source = self._new_combo(CHECK_SOURCES, "Which part of the response to check")
        choose(source, model.source)
        self.setCellWidget(r, _C_SOURCE, source)
        self.setItem(r, _C_EXPRESSION, QTableWidgetItem(model.expression))
        op = self._new_combo({}, "How the value found compares with the expected one")
        self._offer_ops(op, model.source, model.op, keep=True)
        self.setCellWidget(r, _C_OP, op)
        self.setItem(r, _C_EXPECTED, QTableWidgetItem(model.expected))

    def _offer_ops(self, op: QComboBox, source: str, current: str, *, keep: bool) -> None:
        """Only the operators that make sense for ``source``; ``current`` stays chosen when
        it is one of them, or when ``keep`` (a loaded check is shown as it is saved)."""
        op.blockSignals(True)
        try:
            op.clear()
            for value in OPS_BY_SOURCE.get(source, tuple(CHECK_OPS)):
                op.addItem(CHECK_OPS[value], value)
            if op.findData(current) >= 0:
                op.setCurrentIndex(op.findData(current))
            elif keep:
                choose(op, current, CHECK_OPS.get(current, current))
        finally:
            op.blockSignals(False)

    def _on_combo_changed(self, box: QComboBox) -> None:
        r = self._row_of(box)
        if r >= 0 and box is self.cellWidget(r, _C_SOURCE):
            op = self._combo(r, _C_OP)
            self._offer_ops(op, box.currentData(), op.currentData(), keep=False)
        super()._on_combo_changed(box)

    def _refresh_row(self, r: int) -> None:
        source = self._combo(r, _C_SOURCE).currentData()
        op = self._combo(r, _C_OP).currentData()
        new = self._is_new(r)
        expression = self.item(r, _C_EXPRESSION)
        takes_expression = source in EXPRESSION_HINTS
        expression.setData(HINT_ROLE, EXPRESSION_HINTS.get(source, ""))
        set_cell_enabled(
            expression, takes_expression, f"{CHECK_SOURCES.get(source, source)} needs no expression"
        )
        if takes_expression:
            tip = "Header name, JSONPath ($.data.id) or XPath (//item/id)"
            problem = "" if new else expression_problem(source, expression.text())
            show_problem(expression, problem, tip)
        expected = self.item(r, _C_EXPECTED)
        expected.setData(HINT_ROLE, _expected_hint(source, op))
        set_cell_enabled(expected, op not in NO_EXPECTED, f"“{CHECK_OPS[op]}” needs no value")
        if op not in NO_EXPECTED:
            tip = "The expected value; may use {{variables}}"
            show_problem(expected, expected_problem(source, op, expected.text()), tip)


def _expected_hint(source: str, op: str) -> str:
    if op == "matches":
        return r"^2\d\d$" if source == "status" else "^[0-9a-f-]{36}$"
    if source == "time_ms":
        return "500"
    if op in ("less_than", "greater_than"):
        return "250"
    if source == "status":
        return "200"
    return "expected text or {{variable}}"


_P_VARIABLE, _P_SOURCE, _P_EXPRESSION = 1, 2, 3


class CapturesTable(_RuleTable):
    """Rows of (enabled, variable, source, expression)."""

    def __init__(self, object_name: str) -> None:
        super().__init__(object_name, ["", "Variable", "Source", "Expression"])
        header = self.horizontalHeader()
        header.resizeSection(_P_VARIABLE, 180)
        header.resizeSection(_P_SOURCE, 110)
        header.setSectionResizeMode(_P_EXPRESSION, QHeaderView.ResizeMode.Stretch)
        self._load([])

    def set_captures(self, captures: list[Capture]) -> None:
        self._load(captures)

    def captures(self) -> list[Capture]:
        return [
            Capture(
                variable=self._text(r, _P_VARIABLE),
                source=self._combo(r, _P_SOURCE).currentData(),
                expression=self._text(r, _P_EXPRESSION),
                enabled=self._enabled(r),
            )
            for r in self.used_rows()
        ]

    def _blank_model(self) -> Capture:
        return Capture(variable="")

    def _fill_row(self, r: int, model: object) -> None:
        assert isinstance(model, Capture)
        variable = QTableWidgetItem(model.variable)
        variable.setData(HINT_ROLE, "token")
        self.setItem(r, _P_VARIABLE, variable)
        source = self._new_combo(CAPTURE_SOURCES, "Where in the response the value is")
        choose(source, model.source)
        self.setCellWidget(r, _P_SOURCE, source)
        self.setItem(r, _P_EXPRESSION, QTableWidgetItem(model.expression))

    def _refresh_row(self, r: int) -> None:
        new = self._is_new(r)
        variable = self.item(r, _P_VARIABLE)
        problem = "" if new else variable_name_problem(variable.text())
        show_problem(variable, problem, "Later requests in the run use it as {{name}}")
        source = self._combo(r, _P_SOURCE).currentData()
        expression = self.item(r, _P_EXPRESSION)
        takes_expression = source in EXPRESSION_HINTS
        expression.setData(HINT_ROLE, EXPRESSION_HINTS.get(source, ""))
        set_cell_enabled(
            expression,
            takes_expression,
            f"{CAPTURE_SOURCES.get(source, source)} needs no expression: the whole value is taken",
        )
        if takes_expression:
            tip = "JSONPath, XPath, header name, or a regex whose first group is taken"
            problem = "" if new else expression_problem(source, expression.text())
            show_problem(expression, problem, tip)


# ---- the page ----------------------------------------------------------------------------


class ChecksEditor(QWidget):
    """The Tests page: checks and captures of one request.

    Tables are named ``<prefix>.checks`` and ``<prefix>.captures``; their Add and Remove
    buttons ``<prefix>.checks.add`` and so on.

    Signals:
        edited: the user changed a check or a capture (not emitted by ``set_values``).
        count_changed(int): the number of checks and captures, after any change.
    """

    edited = Signal()
    count_changed = Signal(int)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}.tests")
        self.checks_table = ChecksTable(f"{prefix}.checks")
        self.captures_table = CapturesTable(f"{prefix}.captures")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        checks_about = (
            "<b>Checks</b> run when this request runs in the collection runner "
            "(Batch tab ▸ Runner): each one must hold for the request to pass. "
            "Example: Status equals 200, or JSONPath $.data.id exists."
        )
        captures_about = (
            "<b>Captures</b> put a value from the response into a variable that later "
            "requests in the run can use as {{name}}. Example: token from JSONPath $.token."
        )
        self._add_section(layout, prefix, "checks", checks_about, self.checks_table)
        self._add_section(layout, prefix, "captures", captures_about, self.captures_table)
        for table in (self.checks_table, self.captures_table):
            table.rows_edited.connect(self._on_table_rows_edited)

    def _add_section(
        self, layout: QVBoxLayout, prefix: str, part: str, about: str, table: _RuleTable
    ) -> None:
        label = QLabel(about, wordWrap=True)
        label.setTextFormat(Qt.TextFormat.RichText)
        noun = part[:-1]
        add = QPushButton(f"Add {noun}", objectName=f"{prefix}.{part}.add")
        add.setToolTip(f"Add a {noun} (or type into the last row)")
        remove = QPushButton("Remove", objectName=f"{prefix}.{part}.remove")
        remove.setToolTip(f"Remove the selected {part} (Delete)")
        add.clicked.connect(self._add_check if part == "checks" else self._add_capture)
        remove.clicked.connect(table.remove_selected_rows)
        line = QHBoxLayout()
        line.addWidget(label, 1)
        line.addWidget(add)
        line.addWidget(remove)
        layout.addLayout(line)
        layout.addWidget(table, 1)

    def set_values(self, checks: list[Check], captures: list[Capture]) -> None:
        """Show ``checks`` and ``captures``; does not emit ``edited``."""
        self.checks_table.set_checks(checks)
        self.captures_table.set_captures(captures)
        self.count_changed.emit(len(checks) + len(captures))

    def checks(self) -> list[Check]:
        return self.checks_table.checks()

    def captures(self) -> list[Capture]:
        return self.captures_table.captures()

    def _add_check(self) -> None:
        r = self.checks_table.add_row(Check(source="status", op="equals", expected="200"))
        self.checks_table.setCurrentCell(r, _C_EXPECTED)

    def _add_capture(self) -> None:
        r = self.captures_table.add_row(Capture(variable=""))
        self.captures_table.setCurrentCell(r, _P_VARIABLE)
        self.captures_table.editItem(self.captures_table.item(r, _P_VARIABLE))

    def _on_table_rows_edited(self) -> None:
        self.count_changed.emit(
            len(self.checks_table.used_rows()) + len(self.captures_table.used_rows())
        )
        self.edited.emit()
