"""Postman variable entries (collection, folder, request, environment) read into ours."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apiclient.core.importers.common import as_list, as_text
from apiclient.core.models import Variable


def read_variable(entry: Any) -> Variable | None:
    """One Postman ``{key, value, disabled, type}`` entry, or None if it names nothing."""
    if not isinstance(entry, dict):
        return None
    name = as_text(entry.get("key") or entry.get("id") or entry.get("name"))
    if not name:
        return None
    enabled = entry.get("enabled", True) is not False and entry.get("disabled") is not True
    secret = entry.get("type") == "secret"
    return Variable(name=name, value=as_text(entry.get("value")), enabled=enabled, secret=secret)


def own_variables(item: dict[str, Any]) -> list[Variable]:
    """The ``variable`` list of a folder or request item (not its URL's path variables)."""
    return [v for v in map(read_variable, as_list(item.get("variable"))) if v is not None]


def merge_variables(*layers: Iterable[Variable]) -> list[Variable]:
    """Variables by name, a later value winning, as an inner folder's wins over an outer
    one's and a request's over its folders'.

    A disabled value does not hide an enabled one: Postman skips disabled values when it
    runs, so the enabled value is the one that applied.
    """
    merged: dict[str, Variable] = {}
    for layer in layers:
        for variable in layer:
            earlier = merged.get(variable.name)
            if earlier is None or variable.enabled or not earlier.enabled:
                merged[variable.name] = variable
    return list(merged.values())
