"""Ctrl+F: search the text view that has the focus.

Where the focus is decides what is searched:

- in a response body (:class:`BodyView`, which searches its whole body, pages and
  spooled files included): its own search field takes the focus;
- in a code editor or any other text view (request bodies, GraphQL query, SOAP
  envelope, gRPC and WebSocket messages, log details): a find bar opens over its
  top-right corner (:class:`FindOverlay`);
- already in such a find bar: its term is selected, to type a new one;
- anywhere else (a URL field, a table, a button): the response body's search field of
  the request in front, when it has one; else the status bar says what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from apiclient.ui.widgets.body_view import BodyView
from apiclient.ui.widgets.find_overlay import FindOverlay, TextView, overlay_of

if TYPE_CHECKING:
    from apiclient.ui.main_window import MainWindow

NOTHING_TO_SEARCH = (
    "Nothing to search here: click into a text or a response body, then press Ctrl+F."
)


def find_in_focus(window: MainWindow) -> None:
    """Search where the focus is (see the module's docstring)."""
    focus = QApplication.focusWidget()
    overlay = overlay_of(focus)
    if overlay is not None:
        overlay.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        overlay.query.selectAll()
        return
    body = _ancestor_body(focus)
    if body is not None:
        _focus_field(body.find.query)
        return
    editor = _text_view(focus)
    if editor is not None:
        FindOverlay.of(editor).open()
        return
    body = _front_body(window)
    if body is not None:
        _focus_field(body.find.query)
        return
    window.statusBar().showMessage(NOTHING_TO_SEARCH, 6000)


def _focus_field(field: QLineEdit) -> None:
    field.setFocus(Qt.FocusReason.ShortcutFocusReason)
    field.selectAll()


def _ancestor_body(widget: QWidget | None) -> BodyView | None:
    while widget is not None:
        if isinstance(widget, BodyView):
            return widget
        widget = widget.parentWidget()
    return None


def _text_view(widget: QWidget | None) -> TextView | None:
    """The text view ``widget`` is (or whose viewport it is)."""
    for candidate in (widget, widget.parentWidget() if widget is not None else None):
        if isinstance(candidate, QPlainTextEdit | QTextEdit):
            return candidate
    return None


def _front_body(window: MainWindow) -> BodyView | None:
    """The response body shown in the request tab in front, if it has one."""
    tab = window.current_tab()
    if tab is None:
        return None
    shown = [body for body in tab.findChildren(BodyView) if body.isVisibleTo(tab)]
    return shown[0] if shown else None
