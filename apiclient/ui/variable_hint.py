"""The line under a URL field: the text as it will be sent, or which variables are unknown.

Its colours are the theme's when it is made: the tabs make it again on a theme switch."""

from __future__ import annotations

from html import escape

from apiclient.core.errors import VariableError
from apiclient.core.variables import Scope, resolve_text, undefined_names
from apiclient.ui.theme import tone_span


def variable_hint_html(text: str, scope: Scope, where: str) -> str:
    """``""`` when ``text`` has no ``{{variables}}``; else the resolved text, or what is wrong."""
    if "{{" not in text:
        return ""
    missing = undefined_names(text, scope)
    if missing:
        names = ", ".join(f"{{{{{n}}}}}" for n in missing)
        return tone_span(
            f"Unknown variable {escape(names)}: define it in the "
            "environment, the collection or the request.",
            "error",
        )
    try:
        preview = resolve_text(text, scope, where)
    except VariableError as exc:
        return tone_span(escape(str(exc)), "error")
    return f'<span style="color:palette(mid)">→ {escape(preview)}</span>'
