"""The Script page of the WebSocket tab: the steps the collection runner plays in order.

Each row is a step: Send a message, or Expect one that matches. The cells a step does
not use are greyed out but keep their text, so switching a step between Send and Expect
loses nothing. A step typed wrongly (JSON that does not parse, a regex that does not
compile) shows a red cell whose tooltip says why, and is kept as typed.
"""

from __future__ import annotations

import base64
import binascii

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.formatting import json_problem
from apiclient.core.models import WsStep
from apiclient.core.variables import VARIABLE_PATTERN
from apiclient.ui.tabs.websocket_saved import FORMAT_LABELS
from apiclient.ui.widgets.checks_editor import (
    HINT_ROLE,
    HintDelegate,
    choose,
    combo,
    set_cell_enabled,
    show_problem,
)
from apiclient.ui.widgets.checks_validation import expression_problem, regex_problem

ACTIONS = {"send": "Send", "expect": "Expect"}
MATCHES = {
    "contains": "contains",
    "equals": "equals",
    "matches": "matches regex",
    "jsonpath": "JSONPath equals",
}
_ACTION, _FORMAT, _MATCH, _EXPRESSION, _BODY, _TIMEOUT = range(6)
_BODY_HINTS = {
    "text": "hello",
    "json": '{"op": "subscribe", "topic": "{{topic}}"}',
    "hex": "48 65 6c 6c 6f",
    "base64": "SGVsbG8=",
    "file": "/path/to/message.bin",
}
_EXPECT_HINTS = {
    "contains": "pong",
    "equals": "pong",
    "matches": r'"id":\s*\d+',
    "jsonpath": "(empty: any value)",
}


def _body_problem(step: WsStep) -> str:
    """Why the Send or Expect text of ``step`` cannot work as typed, or empty."""
    body = step.body
    if step.action == "expect":
        return regex_problem(body) if step.match == "matches" else ""
    if VARIABLE_PATTERN.search(body):
        return ""  # resolved when run: judged then
    if step.format == "json":
        problem = json_problem(body)
        return f"{problem}." if problem else ""
    if step.format == "hex":
        try:
            bytes.fromhex("".join(body.split()))
        except ValueError:
            return "Type pairs of hex digits, for example 48 65 6c 6c 6f."
    if step.format == "base64":
        try:
            base64.b64decode("".join(body.split()), validate=True)
        except binascii.Error as exc:
            return f"This is not base64: {exc}."
    if step.format == "file" and not body.strip():
        return "Type the path of the file to send."
    return ""


class _CellSpinBox(QDoubleSpinBox):
    """The timeout in a table cell: as for the step's combos (``CellCombo``), the mouse
    wheel scrolls the table unless the box has the focus."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class ScriptEditor(QWidget):
    """Edits a WebSocket request's ``script``: a table named ``websocket.script`` with
    buttons ``websocket.script.add_send``, ``.add_expect``, ``.remove``, ``.up``, ``.down``.

    Signals:
        edited: the user changed a step (not emitted by ``set_steps``).
        count_changed(int): the number of steps, after any change.
    """

    edited = Signal()
    count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.table = QTableWidget(0, 6, objectName="websocket.script")
        self.table.setHorizontalHeaderLabels(
            ["Action", "Format", "Match", "JSONPath", "Body / expected text", "Timeout"]
        )
        header = self.table.horizontalHeader()
        for column, width in ((_ACTION, 90), (_FORMAT, 130), (_MATCH, 130), (_EXPRESSION, 150)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(_BODY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_TIMEOUT, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setItemDelegate(HintDelegate(self.table))
        self.table.itemChanged.connect(self._on_item_changed)

        about = QLabel(
            "<b>Script</b>: the collection runner connects, sends and waits for each step "
            "in order, then closes; the request passes when every Expect step receives a "
            "matching message in time. Messages that do not match are passed over.",
            wordWrap=True,
        )
        self.add_send = QPushButton("Add send", objectName="websocket.script.add_send")
        self.add_send.setToolTip("Add a step that sends a message")
        self.add_expect = QPushButton("Add expect", objectName="websocket.script.add_expect")
        self.add_expect.setToolTip("Add a step that waits for a matching message")
        self.remove = QPushButton("Remove", objectName="websocket.script.remove")
        self.remove.setToolTip("Remove the selected step (Delete)")
        self.up = QPushButton("Move up", objectName="websocket.script.up")
        self.down = QPushButton("Move down", objectName="websocket.script.down")
        buttons = QHBoxLayout()
        for button in (self.add_send, self.add_expect, self.remove, self.up, self.down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(about)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

        self.add_send.clicked.connect(lambda: self._add(WsStep(action="send")))
        self.add_expect.clicked.connect(lambda: self._add(WsStep(action="expect")))
        self.remove.clicked.connect(self._remove_selected)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.table.itemSelectionChanged.connect(self._show_buttons)
        self._show_buttons()

    # -- the steps -------------------------------------------------------------------------

    def set_steps(self, steps: list[WsStep]) -> None:
        """Show ``steps``; does not emit ``edited``."""
        self._show(steps)
        self.count_changed.emit(len(steps))

    def steps(self) -> list[WsStep]:
        return [self._step(r) for r in range(self.table.rowCount())]

    def _step(self, r: int) -> WsStep:
        loaded = self.table.item(r, _BODY).data(Qt.ItemDataRole.UserRole)
        spin = self._widget(r, _TIMEOUT, QDoubleSpinBox)
        unchanged = round(loaded.timeout_s, 2) == round(spin.value(), 2)
        timeout = loaded.timeout_s if unchanged else spin.value()
        return WsStep(
            action=self._widget(r, _ACTION, QComboBox).currentData(),
            format=self._widget(r, _FORMAT, QComboBox).currentData(),
            match=self._widget(r, _MATCH, QComboBox).currentData(),
            expression=self.table.item(r, _EXPRESSION).text(),
            body=self.table.item(r, _BODY).text(),
            timeout_s=timeout,
        )

    def _widget(self, r: int, c: int, kind: type) -> QWidget:
        widget = self.table.cellWidget(r, c)
        assert isinstance(widget, kind)
        return widget

    def _show(self, steps: list[WsStep], select: int = -1) -> None:
        self._loading = True
        try:
            self.table.setRowCount(0)
            for step in steps:
                self._append(step)
        finally:
            self._loading = False
        if select >= 0:
            self.table.selectRow(select)
        self._show_buttons()

    def _append(self, step: WsStep) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        action = combo(ACTIONS, "Send a message, or wait for one that matches")
        choose(action, step.action)
        message_format = combo(FORMAT_LABELS, "How the body is sent (binary formats as one frame)")
        choose(message_format, step.format)
        match = combo(MATCHES, "When an incoming text message counts as the expected one")
        choose(match, step.match)
        timeout = _CellSpinBox(decimals=2, minimum=0.1, maximum=300.0, suffix=" s")
        timeout.setValue(step.timeout_s)
        timeout.setToolTip("How long to wait for a matching message before the step fails")
        for c, widget in ((_ACTION, action), (_FORMAT, message_format), (_MATCH, match)):
            widget.currentIndexChanged.connect(lambda _i, w=widget: self._on_widget_changed(w))
            self.table.setCellWidget(r, c, widget)
        timeout.valueChanged.connect(lambda _v: self._on_widget_changed(timeout))
        self.table.setCellWidget(r, _TIMEOUT, timeout)
        self.table.setItem(r, _EXPRESSION, QTableWidgetItem(step.expression))
        body = QTableWidgetItem(step.body)
        body.setData(Qt.ItemDataRole.UserRole, step)
        self.table.setItem(r, _BODY, body)
        self._refresh_row(r)

    def _refresh_row(self, r: int) -> None:
        """Grey out what the step does not use and mark what cannot work as typed."""
        was_loading, self._loading = self._loading, True
        try:
            step = self._step(r)
            send = step.action == "send"
            self._widget(r, _FORMAT, QComboBox).setEnabled(send)
            self._widget(r, _MATCH, QComboBox).setEnabled(not send)
            self._widget(r, _TIMEOUT, QDoubleSpinBox).setEnabled(not send)
            expression = self.table.item(r, _EXPRESSION)
            uses_path = not send and step.match == "jsonpath"
            expression.setData(HINT_ROLE, "$.type")
            set_cell_enabled(expression, uses_path, "Only an Expect step matched by JSONPath")
            if uses_path:
                problem = expression_problem("jsonpath", step.expression)
                show_problem(expression, problem, "Where the value is in the JSON message")
            body = self.table.item(r, _BODY)
            hint = _BODY_HINTS[step.format] if send else _EXPECT_HINTS[step.match]
            body.setData(HINT_ROLE, hint)
            tip = "The message to send" if send else "The text an incoming message must match"
            show_problem(body, _body_problem(step), f"{tip}; may use {{{{variables}}}}")
        finally:
            self._loading = was_loading

    # -- what the user does ----------------------------------------------------------------

    def _add(self, step: WsStep) -> None:
        steps = self.steps()
        row = self._current_row() + 1 if self._current_row() >= 0 else len(steps)
        steps.insert(row, step)
        self._show(steps, select=row)
        self._changed()

    def _remove_selected(self) -> None:
        row = self._current_row()
        if row < 0:
            return
        steps = self.steps()
        del steps[row]
        self._show(steps, select=min(row, len(steps) - 1))
        self._changed()

    def _move(self, by: int) -> None:
        row = self._current_row()
        target = row + by
        steps = self.steps()
        if row < 0 or not 0 <= target < len(steps):
            return
        steps[row], steps[target] = steps[target], steps[row]
        self._show(steps, select=target)
        self._changed()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.table.state() != self.table.State.EditingState:
            self._remove_selected()
            return
        super().keyPressEvent(event)

    def _current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _show_buttons(self) -> None:
        row = self._current_row()
        self.remove.setEnabled(row >= 0)
        self.up.setEnabled(row > 0)
        self.down.setEnabled(0 <= row < self.table.rowCount() - 1)

    def _on_widget_changed(self, widget: QWidget) -> None:
        if self._loading:
            return
        for r in range(self.table.rowCount()):
            if widget in (
                self.table.cellWidget(r, c) for c in (_ACTION, _FORMAT, _MATCH, _TIMEOUT)
            ):
                self._refresh_row(r)
        self._changed()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        self._refresh_row(item.row())
        self._changed()

    def _changed(self) -> None:
        self.count_changed.emit(self.table.rowCount())
        self.edited.emit()
