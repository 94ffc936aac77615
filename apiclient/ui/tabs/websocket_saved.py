"""The saved messages of a WebSocket request: each row sends with one click (▶), and can
be loaded into the editor, renamed, moved or deleted."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import WsMessage

FORMAT_LABELS = {
    "text": "Text",
    "json": "JSON",
    "hex": "Binary (hex)",
    "base64": "Binary (base64)",
    "file": "Binary (file)",
}
_PREVIEW_CHARS = 120


class SavedMessages(QWidget):
    """Signals:
    edited: the list changed (added, renamed, moved, deleted).
    send_requested(int): send the saved message at that row.
    load_requested(int): put the saved message at that row into the editor.
    rename_requested(int): ask for a new name for that row.
    """

    edited = Signal()
    send_requested = Signal(int)
    load_requested = Signal(int)
    rename_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._messages: list[WsMessage] = []
        self.tree = QTreeWidget(objectName="websocket.saved")
        self.tree.setHeaderLabels(["", "Name", "Format", "Message"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 240)
        header.resizeSection(2, 110)
        header.setStretchLastSection(True)
        self.empty = QLabel(
            "No saved messages yet. Write one in the Message tab and press Save message: "
            "it is kept with the request and sent from here with one click.",
            objectName="websocket.saved.empty",
            wordWrap=True,
        )
        self.empty.setStyleSheet("color: palette(mid)")
        self.load = QPushButton("Load into editor", objectName="websocket.saved.load")
        self.rename = QPushButton("Rename…", objectName="websocket.saved.rename")
        self.up = QPushButton("Move up", objectName="websocket.saved.up")
        self.down = QPushButton("Move down", objectName="websocket.saved.down")
        self.delete = QPushButton("Delete", objectName="websocket.saved.delete")
        buttons = QHBoxLayout()
        for button in (self.load, self.rename, self.up, self.down, self.delete):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self.tree.itemDoubleClicked.connect(lambda item: self.load_requested.emit(self._row(item)))
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.load.clicked.connect(lambda: self.load_requested.emit(self.current_row()))
        self.rename.clicked.connect(lambda: self.rename_requested.emit(self.current_row()))
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.delete.clicked.connect(self._delete)
        self._rebuild()

    def messages(self) -> list[WsMessage]:
        return list(self._messages)

    def set_messages(self, messages: list[WsMessage]) -> None:
        """Show ``messages``; does not emit ``edited``."""
        self._messages = list(messages)
        self._rebuild()

    def message(self, row: int) -> WsMessage:
        return self._messages[row]

    def add(self, message: WsMessage) -> None:
        self._messages.append(message)
        self._rebuild(select=len(self._messages) - 1)
        self.edited.emit()

    def set_name(self, row: int, name: str) -> None:
        self._messages[row] = self._messages[row].model_copy(update={"name": name})
        self._rebuild(select=row)
        self.edited.emit()

    def current_row(self) -> int:
        item = self.tree.currentItem()
        return self._row(item) if item is not None else -1

    def _row(self, item: QTreeWidgetItem) -> int:
        return self.tree.indexOfTopLevelItem(item)

    def _move(self, step: int) -> None:
        row = self.current_row()
        target = row + step
        if row < 0 or not 0 <= target < len(self._messages):
            return
        messages = self._messages
        messages[row], messages[target] = messages[target], messages[row]
        self._rebuild(select=target)
        self.edited.emit()

    def _delete(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        del self._messages[row]
        self._rebuild(select=min(row, len(self._messages) - 1))
        self.edited.emit()

    def _rebuild(self, select: int = -1) -> None:
        self.tree.clear()
        for row, message in enumerate(self._messages):
            name = message.name or f"Message {row + 1}"
            body = message.body[:_PREVIEW_CHARS].replace("\n", " ")
            item = QTreeWidgetItem(["", name, FORMAT_LABELS[message.format], body])
            item.setToolTip(3, message.body[:2000])
            self.tree.addTopLevelItem(item)
            send = QToolButton(text="▶", objectName=f"websocket.saved.send.{row}")
            send.setToolTip(f"Send “{name}” now")
            send.clicked.connect(lambda _=False, row=row: self.send_requested.emit(row))
            self.tree.setItemWidget(item, 0, send)
        if 0 <= select < len(self._messages):
            self.tree.setCurrentItem(self.tree.topLevelItem(select))
        self.empty.setVisible(not self._messages)
        self.tree.setVisible(bool(self._messages))
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current_row()
        chosen = row >= 0
        for button in (self.load, self.rename, self.delete):
            button.setEnabled(chosen)
        self.up.setEnabled(row > 0)
        self.down.setEnabled(chosen and row < len(self._messages) - 1)
