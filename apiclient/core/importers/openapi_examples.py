"""Example values generated from OpenAPI schemas, for request bodies and parameters.

The value a person would type to try an operation: the schema's own ``example`` (or
``examples``, ``const``, ``default``, first ``enum`` value) when it has one, otherwise a
placeholder of the right shape: objects with all their properties (required and
optional; ``readOnly`` ones left out, since a request never sends them), arrays of one
item, strings shaped by their ``format``, the first branch of ``oneOf``/``anyOf``, the
branches of ``allOf`` merged.

A schema that refers to itself is expanded again only until the body is
:data:`MAX_DEPTH` levels deep, then the property is left out (an array gets no items).
An example stops growing after :data:`MAX_VALUES` values, with a warning.
A ``$ref`` that cannot be followed inside a schema does not stop the import: the
example is only a starting point, so the importer gets a warning naming the reference
and the value is left out. Errors in parameters or paths, by contrast, stop the import.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from apiclient.core.importers.openapi_refs import Documents, Node, OpenApiRefError

MAX_DEPTH = 4
MAX_VALUES = 5000  # a schema graph wide and deep enough (Stripe's...) cannot explode
_HARD_LIMIT = 24  # deeper than any hand-written schema; YAML aliases can nest forever

_FORMATS: dict[str, Any] = {
    "date-time": "2024-01-01T12:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "/path",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "c3RyaW5n",
    "binary": "",
    "password": "password",
}


class _Nothing:
    """No value: a property cut by recursion or by a broken reference is left out."""


NOTHING = _Nothing()


def plain(value: Any, depth: int = 0) -> Any:
    """A YAML value as JSON can hold it: dates as ISO text, keys as text."""
    if depth > _HARD_LIMIT:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


class ExampleBuilder:
    """Builds example values; ``warnings`` collects the references it could not follow."""

    def __init__(self, documents: Documents, warnings: list[str]) -> None:
        self._documents = documents
        self._warnings = warnings
        self._left = MAX_VALUES

    def example(self, schema: Node, where: str) -> Any:
        """An example for ``schema`` (``NOTHING`` when there is none to give)."""
        self._left = MAX_VALUES
        value = self._value(schema, where, (), 0)
        if self._left < 0:
            self._warnings.append(
                f"The example for {where} was cut short at {MAX_VALUES} values; its schema "
                "is too large to write out in full."
            )
        return value

    def _value(self, node: Node, where: str, stack: tuple[Any, ...], depth: int) -> Any:
        self._left -= 1
        if depth > _HARD_LIMIT or self._left < 0:
            return NOTHING
        try:
            node = self._documents.resolve(node, where)
        except OpenApiRefError as exc:
            self._warnings.append(f"{exc} The example body leaves that part out.")
            return NOTHING
        schema = node.value
        if not isinstance(schema, dict):
            return NOTHING
        # Documents are read once, so a schema reached again (through a $ref or a YAML
        # alias) is the same object: that is recursion.
        if id(schema) in stack and depth >= MAX_DEPTH:
            return NOTHING
        stack = (*stack, id(schema))
        for name in ("example", "const", "default"):
            if name in schema:
                return plain(schema[name])
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return plain(examples[0])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return plain(enum[0])
        sub = _Sub(self, node.file, where, stack, depth)
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, sub)
        for choice in ("oneOf", "anyOf"):
            options = schema.get(choice)
            if isinstance(options, list) and options:
                first = sub(options[0])
                own = self._object(schema, sub) if "properties" in schema else NOTHING
                return _merge(first, own)
        return self._typed(schema, sub)

    def _all_of(self, schema: dict[str, Any], sub: _Sub) -> Any:
        result: Any = NOTHING
        for part in schema["allOf"]:
            result = _merge(result, sub(part))
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        if "properties" in rest or "type" in rest or "items" in rest:
            result = _merge(result, self._typed(rest, sub))
        return result

    def _typed(self, schema: dict[str, Any], sub: _Sub) -> Any:
        kind = _type(schema)
        if kind == "object":
            return self._object(schema, sub)
        if kind == "array":
            items = schema.get("items")
            item = sub(items) if isinstance(items, dict) else NOTHING
            return [] if item is NOTHING else [item]
        if kind == "string":
            return _FORMATS.get(str(schema.get("format", "")), "string")
        if kind in ("integer", "number"):
            minimum = schema.get("minimum")
            if isinstance(minimum, int | float) and not isinstance(minimum, bool):
                return minimum
            return 0 if kind == "integer" else 0.0
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return NOTHING

    def _object(self, schema: dict[str, Any], sub: _Sub) -> Any:
        result: dict[str, Any] = {}
        properties = schema.get("properties")
        for name, prop in (properties if isinstance(properties, dict) else {}).items():
            if isinstance(prop, dict) and prop.get("readOnly") is True:
                continue
            value = sub(prop)
            if value is not NOTHING:
                result[str(name)] = value
        return result


class _Sub:
    """Expands a sub-schema one level deeper, in the file its parent came from."""

    def __init__(
        self, builder: ExampleBuilder, file: Path, where: str, stack: tuple[Any, ...], depth: int
    ) -> None:
        self._builder = builder
        self._file = file
        self._where = where
        self._stack = stack
        self._depth = depth

    def __call__(self, schema: Any) -> Any:
        return self._builder._value(
            Node(schema, self._file), self._where, self._stack, self._depth + 1
        )


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    fmt = schema.get("format")
    if fmt in ("int32", "int64"):
        return "integer"
    if fmt in ("float", "double"):
        return "number"
    return "string" if fmt in _FORMATS else ""


def _merge(first: Any, second: Any) -> Any:
    if first is NOTHING:
        return second
    if second is NOTHING:
        return first
    if isinstance(first, dict) and isinstance(second, dict):
        return {**first, **second}
    return second
