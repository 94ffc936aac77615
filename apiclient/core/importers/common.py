"""Helpers every importer needs: reading a text file with errors fit for a person, and
reading untrusted JSON/YAML values without trusting their shape.

An export may hold anything where we expect an object, a list or text, so the importers
read values through :func:`as_obj`, :func:`as_list` and :func:`as_text` rather than indexing:
a wrong shape becomes an empty value (and a warning where it matters), never a crash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

if TYPE_CHECKING:
    from apiclient.core.importers import CollectionImportError

Json = dict[str, Any]

# ``/:id`` path variables, as Postman and Insomnia write them.
PATH_VARIABLE = re.compile(r"(?<=/):([A-Za-z_][\w.-]*)")
_LANGUAGES = (("json", "json"), ("xml", "xml"), ("html", "html"), ("javascript", "javascript"))


def read_text(
    path: Path,
    error: type[CollectionImportError],
    what: str,
    advice: str,
    reported: Path | None = None,
) -> str:
    """The text in ``path`` (UTF-8, a BOM allowed); ``error`` (about ``reported``,
    default ``path``) with a sentence ending in ``advice`` when it cannot be read, is not
    UTF-8 (so it is not ``what``, e.g. "a JSON export") or is empty."""
    reported = reported or path
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise error(f"Cannot read {path}: {reason}.", reported) from exc
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"{path} is not UTF-8 text (byte {exc.start} is not valid), so it is not {what}. "
            f"{advice}",
            reported,
        ) from exc
    if not content.strip():
        raise error(f"{path} is empty. {advice}", reported)
    return content


def json_syntax_message(path: Path, exc: json.JSONDecodeError, advice: str) -> str:
    """The sentence for a file that is not valid JSON, with the line and column."""
    return f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). {advice}"


def yaml_position(exc: yaml.YAMLError) -> str | None:
    """``line L, column C`` (1-based) of a YAML syntax error, or None when it has none."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return None
    return f"line {mark.line + 1}, column {mark.column + 1}"


def as_obj(value: Any) -> Json:
    """``value`` when it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    """A value as text: strings as they are, null as "", anything else as JSON (a YAML
    date, which JSON has not, as its text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def raw_language(mime: str) -> Any:
    """The raw body language (editor highlighting) for a media type; ``text`` by default."""
    return next((lang for marker, lang in _LANGUAGES if marker in mime.lower()), "text")


def left_out(where: str, exc: ValidationError) -> str:
    """The warning for an item our models refused: ``where`` (already quoted if it
    should be), the field and why."""
    problem = exc.errors()[0]
    location = ".".join(map(str, problem["loc"]))
    return f"{where} was left out: {location} {problem['msg'].lower()}."


def with_scripts(description: str, heading: str, scripts: list[tuple[str, str]]) -> str:
    """``description`` with each (title, code) script that is not blank appended under
    ``heading`` as inert Markdown code (never run; a ``` in the code cannot end the block)."""
    parts = [
        f"### {title}\n\n```javascript\n{code.replace('```', '` ` `')}\n```"
        for title, code in scripts
        if code.strip()
    ]
    if not parts:
        return description
    section = f"## {heading}\n\n" + "\n\n".join(parts)
    return f"{description.rstrip()}\n\n{section}" if description.strip() else section
