"""The selected mock's operations and the pin editor for the selected operation."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import PinnedResponse
from apiclient.ui.contract_mocks_rows import MockRow, parse_status, status_choices, status_label

PIN_MARK = " (pinned)"
_OPERATION = Qt.ItemDataRole.UserRole


class PinEditor(QWidget):
    """Signals:
    pin_requested(str, object): pin the operation to a ``PinnedResponse``.
    unpin_requested(str): answer the operation with generated data again.
    problem_found(str): what the user typed cannot be pinned (says what to type).
    """

    pin_requested = Signal(str, object)
    unpin_requested = Signal(str)
    problem_found = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._row: MockRow | None = None
        self.operations = QListWidget(objectName="contracts.operations")
        self.operations.setMinimumWidth(220)
        self.hint = QLabel(objectName="contracts.operations.hint", wordWrap=True)
        self.status_label = QLabel(status_label(""))
        self.status = QComboBox(objectName="contracts.pin.status", editable=True)
        self.status.lineEdit().setPlaceholderText("the contract's")
        self.delay = QDoubleSpinBox(objectName="contracts.pin.delay")
        self.delay.setRange(0, 600)
        self.delay.setDecimals(2)
        self.delay.setSingleStep(0.1)
        self.delay.setSuffix(" s")
        self.body = QPlainTextEdit(objectName="contracts.pin.body")
        self.body.setPlaceholderText("Response body (empty: the generated one)")
        self.pin = QPushButton("Pin", objectName="contracts.pin.set")
        self.pin.setToolTip("Answer this operation with this response from now on")
        self.unpin = QPushButton("Unpin", objectName="contracts.pin.clear")
        self.unpin.setToolTip("Answer this operation with generated data again")

        ops = QVBoxLayout()
        ops.setContentsMargins(0, 0, 0, 0)
        ops.addWidget(QLabel("Operations (pinned ones in bold):"))
        ops.addWidget(self.operations, 1)
        ops.addWidget(self.hint)
        form = QFormLayout()
        form.addRow(self.status_label, self.status)
        form.addRow("Delay:", self.delay)
        form.addRow("Body:", self.body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unpin)
        buttons.addWidget(self.pin)
        editor = QVBoxLayout()
        editor.addLayout(form, 1)
        editor.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(ops, 2)
        layout.addLayout(editor, 3)

        self.operations.currentItemChanged.connect(self._on_operations_current_item_changed)
        self.pin.clicked.connect(self._on_pin_clicked)
        self.unpin.clicked.connect(self._on_unpin_clicked)
        self.show_row(None)

    @property
    def operation(self) -> str:
        item = self.operations.currentItem()
        return item.data(_OPERATION) if item is not None else ""

    def show_row(self, row: MockRow | None) -> None:
        """Show ``row``'s operations, keeping the selected one when it is still there."""
        kept = self.operation if row is self._row else ""
        self._row = row
        self.operations.blockSignals(True)
        self.operations.clear()
        names = row.known_operations() if row is not None else []
        for name in names:
            pinned = row is not None and name in row.settings.pins
            item = QListWidgetItem(name + (PIN_MARK if pinned else ""))
            item.setData(_OPERATION, name)
            if pinned:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.operations.addItem(item)
            if name == kept:
                self.operations.setCurrentItem(item)
        self.operations.blockSignals(False)
        if row is None:
            self.hint.setText("Select a mock to see its operations.")
        elif not row.operations:
            self.hint.setText("Start the mock to list its operations.")
        else:
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))
        kind = row.kind if row is not None else ""
        self.status_label.setText(status_label(kind))
        if [self.status.itemText(i) for i in range(self.status.count())] != list(
            status_choices(kind)
        ):
            text = self.status.currentText()
            self.status.clear()
            self.status.addItems(status_choices(kind))
            self.status.setEditText(text)
        if kept and row is not None:
            self.unpin.setEnabled(kept in row.settings.pins)
        else:
            self._show_pin()

    def _on_operations_current_item_changed(self) -> None:
        self._show_pin()

    def _show_pin(self) -> None:
        operation = self.operation
        pinned = self._row.settings.pins.get(operation) if self._row and operation else None
        self.status.setEditText(
            "" if pinned is None or pinned.status is None else str(pinned.status)
        )
        self.delay.setValue(pinned.delay_s if pinned is not None else 0)
        self.body.setPlainText(pinned.body if pinned is not None else "")
        editors = (self.status, self.delay, self.body, self.pin, self.unpin)
        if any(widget.hasFocus() for widget in editors):
            # Disabling the focused widget would hand the focus to the next one in the
            # window, which may be the mocks table: it would select its current row again.
            self.operations.setFocus()
        for widget in editors[:-1]:
            widget.setEnabled(bool(operation))
        self.unpin.setEnabled(pinned is not None)

    def _on_pin_clicked(self) -> None:
        operation = self.operation
        if not operation or self._row is None:
            return
        try:
            status = parse_status(self._row.kind, self.status.currentText())
        except ValueError as exc:
            self.problem_found.emit(f"Not pinned: {exc}")
            return
        pinned = PinnedResponse(
            status=status, body=self.body.toPlainText(), delay_s=round(self.delay.value(), 2)
        )
        self.pin_requested.emit(operation, pinned)

    def _on_unpin_clicked(self) -> None:
        if self.operation:
            self.unpin_requested.emit(self.operation)
