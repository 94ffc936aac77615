"""The line under a URL field: the text as it will be sent, or which variables are unknown."""

from __future__ import annotations

from html import escape

from apiclient.core.errors import VariableError
from apiclient.core.variables import Scope, resolve_text, undefined_names


def variable_hint_html(text: str, scope: Scope, where: str) -> str:
    """``""`` when ``text`` has no ``{{variables}}``; else the resolved text, or what is wrong."""
    if "{{" not in text:
        return ""
    missing = undefined_names(text, scope)
    if missing:
        names = ", ".join(f"{{{{{n}}}}}" for n in missing)
        return (
            f'<span style="color:#c62828">Unknown variable {escape(names)}: define it in the '
            f"environment, the collection or the request.</span>"
        )
    try:
        preview = resolve_text(text, scope, where)
    except VariableError as exc:
        return f'<span style="color:#c62828">{escape(str(exc))}</span>'
    return f'<span style="color:palette(mid)">→ {escape(preview)}</span>'
