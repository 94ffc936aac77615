"""Questions to the user that a coroutine can await.

``QMessageBox.question`` and friends run a nested event loop. Called from a coroutine
(an ``@asyncSlot``), that nested loop wakes other asyncio tasks while the calling task
is still executing, and qasync fails them with "Cannot enter into task ... while
another task is being executed" (a send in flight then hangs for good). These helpers
open the dialog window-modal with ``open()`` and await its ``finished`` signal instead,
so the asyncio loop keeps running normally.

Call them through the module (``dialogs.question(...)``) so tests can answer for the
user by replacing these functions.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QWidget,
)

Button = QMessageBox.StandardButton


async def _run(dialog: QDialog) -> int:
    """Show ``dialog`` window-modal and wait until it closes; returns its result code."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finish)
    dialog.open()
    try:
        return await done
    finally:
        dialog.deleteLater()


async def shown(dialog: QDialog) -> int:
    """Show a dialog of the app's own window-modal until it closes (it is then deleted);
    returns its result code."""
    return await _run(dialog)


async def question(
    parent: QWidget,
    title: str,
    text: str,
    buttons: Button = Button.Yes | Button.No,
    default: Button = Button.NoButton,
) -> Button:
    """Ask a question; the button pressed (closing the box counts as its escape button)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setDefaultButton(default)
    await _run(box)
    clicked = box.clickedButton()
    return box.standardButton(clicked) if clicked is not None else Button.NoButton


async def get_text(parent: QWidget, title: str, label: str, text: str = "") -> tuple[str, bool]:
    """Ask for one line of text: ``(text, True)`` on OK, ``("", False)`` on Cancel."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    accepted = await _run(dialog) == QDialog.DialogCode.Accepted
    return (dialog.textValue(), True) if accepted else ("", False)


async def existing_directory(parent: QWidget, title: str) -> str:
    """Ask for a folder; ``""`` when the user cancels."""
    dialog = QFileDialog(parent, title)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    if await _run(dialog) != QDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""


async def open_file(parent: QWidget, title: str, start: str, name_filter: str) -> str:
    """Ask for an existing file (``start``: where to begin); ``""`` on Cancel."""
    dialog = QFileDialog(parent, title, start, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if await _run(dialog) != QDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""


async def save_file(parent: QWidget, title: str, suggested: str, name_filter: str) -> str:
    """Ask where to save a file (``suggested`` is the proposed path); ``""`` on Cancel."""
    dialog = QFileDialog(parent, title, suggested, name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if await _run(dialog) != QDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""


def add_accept_cancel(buttons: QDialogButtonBox, prefix: str, text: str) -> QPushButton:
    """Add the default "``text``" button (``<prefix>.accept``) and Cancel
    (``<prefix>.cancel``) to ``buttons``; returns the accept button."""
    accept = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    accept.setObjectName(f"{prefix}.accept")
    accept.setDefault(True)
    cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    cancel.setObjectName(f"{prefix}.cancel")
    return accept
