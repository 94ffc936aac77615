"""A warning that stays in view from every page of a request editor: the title of the
page holding a risky setting (certificate checks off) gets a ⚠, and its tooltip the
warning, so a person on the Body page still sees that something is switched off."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

__all__ = ["WARNING_MARK", "mark_page"]

WARNING_MARK = " ⚠"


def mark_page(widget: QWidget, warning: str) -> None:
    """Mark the tab page that holds ``widget`` with ``warning``, or unmark it when the
    warning is empty. Does nothing while the widget sits in no tab widget."""
    child, parent = widget, widget.parentWidget()
    while parent is not None:
        tabs = parent.parentWidget()
        if isinstance(parent, QStackedWidget) and isinstance(tabs, QTabWidget):
            index = tabs.indexOf(child)
            title = tabs.tabText(index).removesuffix(WARNING_MARK)
            tabs.setTabText(index, title + WARNING_MARK if warning else title)
            tabs.setTabToolTip(index, warning)
            return
        child, parent = parent, parent.parentWidget()
