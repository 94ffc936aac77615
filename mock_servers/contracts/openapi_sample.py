"""Values that fit a (converted) JSON Schema, plausible for each field's name.

The value at each place depends only on the seed and that place's path, through
``FakeData``. Choices: every property is filled (the optional ones too, so a client sees
the whole shape), an array holds a few items, ``oneOf``/``anyOf`` take their first
branch that is not ``null``, ``allOf`` merges its parts, the schema's own ``example``,
``examples``, ``const``, ``enum`` or ``default`` win over made-up values, a string
with a ``pattern`` its made-up value misses is made from the pattern, and a
reference already being expanded is not expanded again (an optional property or a list
stops there), so recursive schemas end.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mock_servers.contracts.fake_data import WORDS, FakeData
from mock_servers.contracts.openapi_pattern import matching_text

# Caps for contracts asking for huge values (minItems: 1000000): an answer that breaks the
# contract beats a mock that never answers.
MAX_ITEMS = 100
MAX_TEXT = 10_000
_KEYWORD_TYPES = (
    ("object", ("properties", "additionalProperties", "required", "patternProperties")),
    ("array", ("items", "prefixItems", "minItems", "maxItems")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
    ("string", ("format", "minLength", "maxLength", "pattern")),
)


class _Cycle(Exception):
    """A reference met again while it is being expanded."""


class SampleGenerator:
    """Generates values for schemas converted by ``SchemaConverter`` (their ``$defs``)."""

    def __init__(self, fake: FakeData, defs: dict[str, Any]) -> None:
        self._fake = fake
        self._defs = defs

    def value(self, schema: Any, path: str, name: str = "") -> Any:
        """A value for ``schema`` at ``path`` (the FakeData path), its field called ``name``."""
        try:
            return self._value(schema, path, name, ())
        except _Cycle:
            return None

    def _value(self, schema: Any, path: str, name: str, stack: tuple[str, ...]) -> Any:
        schema, stack = self._resolve(schema, stack)
        if "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            schema, stack = self._combine(schema, stack)
        for given in ("const", "example", "default"):
            if given in schema:
                return schema[given]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            options = [v for v in schema["enum"] if v is not None] or [None]
            return self._fake.choice(path, options)
        kind = _kind(schema)
        if kind == "object":
            return self._object(schema, path, name, stack)
        if kind == "array":
            return self._array(schema, path, name, stack)
        if kind == "integer":
            return self._integer(schema, path, name)
        if kind == "number":
            return self._number(schema, path, name)
        if kind == "boolean":
            return self._fake.boolean(path)
        if kind == "null":
            return None
        return self._string(schema, path, name)

    def _resolve(self, schema: Any, stack: tuple[str, ...]) -> tuple[dict[str, Any], tuple]:
        """Follow ``$ref``s into ``$defs``; what sits next to a ``$ref`` is merged over it."""
        while isinstance(schema, dict) and "$ref" in schema:
            key = str(schema["$ref"]).removeprefix("#/$defs/")
            if key in stack:
                raise _Cycle(key)
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            stack = (*stack, key)
            schema = _merge([self._defs.get(key, {}), rest]) if rest else self._defs.get(key, {})
        if not isinstance(schema, dict):
            return ({} if schema else {"not": {}}), stack
        return schema, stack

    def _combine(self, schema: dict[str, Any], stack: tuple) -> tuple[dict[str, Any], tuple]:
        """One schema for an ``allOf`` (merged) or ``oneOf``/``anyOf`` (first non-null)."""
        parts: list[dict[str, Any]] = []
        own = {k: v for k, v in schema.items() if k not in ("allOf", "oneOf", "anyOf")}
        for part in schema.get("allOf", []):
            resolved, stack = self._resolve(part, stack)
            if "allOf" in resolved or "oneOf" in resolved or "anyOf" in resolved:
                resolved, stack = self._combine(resolved, stack)
            parts.append(resolved)
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword) or []
            chosen = next((b for b in branches if _kind(self._peek(b)) != "null"), None)
            if chosen is not None:
                resolved, stack = self._resolve(chosen, stack)
                if "allOf" in resolved or "oneOf" in resolved or "anyOf" in resolved:
                    resolved, stack = self._combine(resolved, stack)
                parts.append(_with_discriminator(own, chosen, resolved))
        return _merge([own, *parts]), stack

    def _peek(self, schema: Any) -> Any:
        if isinstance(schema, dict) and "$ref" in schema:
            return self._defs.get(str(schema["$ref"]).removeprefix("#/$defs/"), {})
        return schema

    def _object(self, schema: dict[str, Any], path: str, name: str, stack: tuple) -> Any:
        properties = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        for prop, sub in properties.items():
            try:
                out[prop] = self._value(sub, f"{path}.{prop}", prop, stack)
            except _Cycle:
                if prop in required:
                    raise
        for prop in required:
            if prop not in out:
                out[prop] = self._fake.string(f"{path}.{prop}", prop)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict) and extra:
            for i in range(self._fake.list_length(path + "{}", 1, 3)):
                key = f"{self._fake.choice(f'{path}{{{i}}}', WORDS)}_{i + 1}"
                try:
                    out[key] = self._value(extra, f"{path}.{key}", key, stack)
                except _Cycle:
                    break
        return out

    def _array(self, schema: dict[str, Any], path: str, name: str, stack: tuple) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        low = schema.get("minItems", min(2, schema.get("maxItems", 2)))
        high = max(low, 4) if "maxItems" not in schema else min(max(low, 4), schema["maxItems"])
        count = max(len(prefix), self._fake.list_length(path, low, max(low, high)))
        if prefix and "items" not in schema:
            count = len(prefix)  # a tuple: as many as the contract lists
        count = min(count, MAX_ITEMS)
        item_name = name[:-1] if name.endswith("s") and not name.endswith("ss") else name
        items: list[Any] = []
        try:
            for i in range(count):
                sub = prefix[i] if i < len(prefix) else schema.get("items", {})
                items.append(self._value(sub, f"{path}[{i}]", item_name, stack))
        except _Cycle:
            return items
        if schema.get("uniqueItems"):
            unique: dict[str, Any] = {repr(item): item for item in items}
            items = list(unique.values())
        return items

    def _integer(self, schema: dict[str, Any], path: str, name: str) -> int:
        low, high = _bounds(schema, step=1)
        value = self._fake.integer(
            path,
            name,
            None if low is None else math.ceil(low),
            None if high is None else math.floor(high),
        )
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            value = value // step * step
            if low is not None and value < low:
                value += step
            if high is not None and value > high:
                value -= step  # no multiple in range means the contract cannot be met
        return value

    def _number(self, schema: dict[str, Any], path: str, name: str) -> float:
        low, high = _bounds(schema, step=0.01)
        value = self._fake.number(path, name, low, high)
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step > 0:
            value = round(math.ceil(value / step) * step, 10)
        return value

    def _string(self, schema: dict[str, Any], path: str, name: str) -> str:
        text = self._fake.string(path, name, str(schema.get("format", "")))
        shortest, longest = min(schema.get("minLength", 0), MAX_TEXT), schema.get("maxLength")
        if len(text) < shortest:
            text = ((text + "-") * (shortest // (len(text) + 1) + 1))[:shortest]
        if isinstance(longest, int):
            text = text[:longest]
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not _matches(pattern, text):
            text = matching_text(pattern, self._fake.rng(path + "~pattern")) or text
        return text


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read: keep the made-up value


def _kind(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "string"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null" if kind else None)
    if isinstance(kind, str):
        return kind
    for guess, keywords in _KEYWORD_TYPES:
        if any(k in schema for k in keywords):
            return guess
    return "string"


def _bounds(schema: dict[str, Any], step: float) -> tuple[float | None, float | None]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + step
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - step
    return low, high


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema from several: properties and required joined, else the first word wins."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                joined = dict(merged.get("properties", {}))
                for prop, sub in value.items():
                    joined.setdefault(prop, sub)
                merged["properties"] = joined
            elif key == "required" and isinstance(value, list):
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def _with_discriminator(own: dict[str, Any], chosen: Any, resolved: dict[str, Any]) -> dict:
    """The chosen branch, its discriminator property set to the value that selects it."""
    discriminator = own.get("discriminator")
    if not isinstance(discriminator, dict) or "propertyName" not in discriminator:
        return resolved
    ref = str(chosen.get("$ref", "")) if isinstance(chosen, dict) else ""
    value = ref.rsplit("/", 1)[-1]
    for label, target in (discriminator.get("mapping") or {}).items():
        if str(target).rsplit("/", 1)[-1] == value:
            value = label
    if not value:
        return resolved
    prop = str(discriminator["propertyName"])
    properties = {**(resolved.get("properties") or {}), prop: {"const": value}}
    return {**resolved, "properties": properties}
