"""The Send button that turns into Cancel while a request is in flight."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def swap_send_cancel(send: QPushButton, cancel: QPushButton, sending: bool) -> None:
    """Swap the two buttons; focus follows, so it never falls to the next field (where
    a keystroke would overwrite, e.g., the selected text of the SOAPAction)."""
    had_focus = (send if sending else cancel).hasFocus()
    send.setVisible(not sending)
    cancel.setVisible(sending)
    if had_focus:
        (cancel if sending else send).setFocus()
