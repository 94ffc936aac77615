"""OpenAPI schemas as plain JSON Schema (draft 2020-12), for validation and generation.

Each schema a ``$ref`` reaches, in any local file, becomes one entry of a shared
``$defs`` and the ``$ref`` points there, so reference cycles need no special care.
OpenAPI 3.0's dialect is translated (``nullable``, boolean ``exclusiveMinimum``), and
the direction decides what ``readOnly``/``writeOnly`` mean: a request need not send a
read-only property, a response never carries a write-only one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from mock_servers.contracts.base import ContractError
from mock_servers.contracts.openapi_load import Documents, describe

Direction = Literal["request", "response"]

_ONE_SCHEMA = (
    "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
    "else", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
)  # fmt: skip
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


class SchemaConverter:
    """Converts the schemas of one contract for one direction, sharing their ``$defs``."""

    def __init__(self, documents: Documents, openapi_30: bool, direction: Direction) -> None:
        self.defs: dict[str, Any] = {}
        self._documents = documents
        self._openapi_30 = openapi_30
        self._direction = direction
        self._keys: dict[tuple[Path, str], str] = {}
        self._loop_free: set[str] = set()

    def convert(self, schema: Any, base: Path, where: str) -> dict[str, Any] | bool:
        """A JSON Schema for ``schema`` whose ``$ref``s point into ``self.defs``."""
        converted = self._convert(schema, base, where)
        _check(converted, where)
        self._check_loops(converted, (), where)
        return converted

    def _convert(self, schema: Any, base: Path, where: str) -> Any:
        if isinstance(schema, bool):
            return schema  # 3.1 anywhere; 3.0 for additionalProperties
        if not isinstance(schema, dict):
            raise ContractError(f"{where}: a schema must be a mapping, not {describe(schema)}.")
        if "$ref" in schema:
            ref = {"$ref": f"#/$defs/{self._def_for(schema['$ref'], base, where)}"}
            if self._openapi_30:
                return ref  # OpenAPI 3.0 ignores what sits next to a $ref
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return {**ref, **self._convert(rest, base, where)} if rest else ref
        out: dict[str, Any] = {}
        for key, value in schema.items():
            inner = f"{where}.{key}"
            if key in _ONE_SCHEMA and isinstance(value, dict | bool):
                out[key] = self._convert(value, base, inner)
            elif key in _ONE_SCHEMA and key == "items" and isinstance(value, list):
                out["prefixItems"] = [
                    self._convert(v, base, f"{inner}[{i}]") for i, v in enumerate(value)
                ]
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self._convert(v, base, f"{inner}[{i}]") for i, v in enumerate(value)]
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {
                    str(name): self._convert(v, base, f"{inner}.{name}")
                    for name, v in value.items()
                }
            else:
                out[key] = value
        if self._openapi_30:
            _from_openapi_30(out)
        self._apply_direction(out)
        return out

    def _def_for(self, ref: object, base: Path, where: str) -> str:
        """The ``$defs`` key of what ``ref`` names, converting it on first sight."""
        node, file, name = self._documents.resolve(ref, base, where)
        identity = (file, str(ref).partition("#")[2])
        if identity in self._keys:
            return self._keys[identity]
        key = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "schema"
        if key in self.defs:
            key = next(f"{key}-{n}" for n in range(2, 10_000) if f"{key}-{n}" not in self.defs)
        self._keys[identity] = key
        self.defs[key] = True  # taken now, so a cycle back to it stops here
        self.defs[key] = self._convert(node, file, f"{file.name}#{identity[1]}")
        _check(self.defs[key], f"{file.name}#{identity[1]}")
        return key

    def _check_loops(self, schema: Any, stack: tuple[str, ...], where: str) -> None:
        """Refuse a schema that reaches itself at the same place in the value (S: {anyOf:
        [S, ...]}): nothing could be checked against it, jsonschema would recurse forever."""
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            key = ref.removeprefix("#/$defs/")
            if key in stack:
                loop = " -> ".join((*stack[stack.index(key) :], key))
                raise ContractError(
                    f"{where}: schema {loop} refers to itself without a property or item in "
                    "between, so no value can match it; nest the reference in a property."
                )
            if key not in self._loop_free:
                self._check_loops(self.defs.get(key), (*stack, key), where)
                self._loop_free.add(key)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for part in schema.get(keyword) or []:
                self._check_loops(part, stack, where)
        for keyword in ("not", "if", "then", "else"):
            self._check_loops(schema.get(keyword), stack, where)

    def _apply_direction(self, schema: dict[str, Any]) -> None:
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return
        hidden = "readOnly" if self._direction == "request" else "writeOnly"
        skipped = {n for n, s in properties.items() if isinstance(s, dict) and s.get(hidden)}
        if self._direction == "response":
            schema["properties"] = {n: s for n, s in properties.items() if n not in skipped}
        if skipped and isinstance(schema.get("required"), list):
            schema["required"] = [n for n in schema["required"] if n not in skipped]


def _from_openapi_30(schema: dict[str, Any]) -> None:
    """Rewrite OpenAPI 3.0's own keywords as JSON Schema 2020-12 says them."""
    if schema.pop("nullable", False) is True:
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = schema.get(exclusive)
        if isinstance(flag, bool):
            del schema[exclusive]
            if flag and bound in schema:
                schema[exclusive] = schema.pop(bound)


def _check(schema: Any, where: str) -> None:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.absolute_path)
        raise ContractError(f"{where}{at}: invalid schema: {exc.message}.") from None
