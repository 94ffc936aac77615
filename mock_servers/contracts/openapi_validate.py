"""Check a request against its operation: parameters (400), the JSON or form body (422).

Each problem is reported as a person reads it: what is wrong and where, in the form
``query.limit`` or ``body.items[0].price``. Parameters arrive as text, so they are
turned into the schema's type first (``"7"`` for an integer is 7), and what cannot be
turned is left as text for the schema to refuse with its own words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from mock_servers.contracts.openapi_model import FORM, Operation, Parameter, is_json

MAX_LISTED_ERRORS = 10
# Headers OpenAPI says a parameter may not describe: HTTP itself carries them.
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}


def _multiple_of(
    validator: Any, step: float, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """``multipleOf`` in decimal: binary floats make jsonschema refuse 19.99 as a multiple
    of 0.01, which a client sending a price would not expect."""
    if not validator.is_type(instance, "number"):
        return
    try:
        remainder = Decimal(str(instance)) % Decimal(str(step))
    except (InvalidOperation, ArithmeticError):
        return
    if remainder != 0:
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


SchemaValidator = validators.extend(Draft202012Validator, {"multipleOf": _multiple_of})


@dataclass(frozen=True)
class Problem:
    """Why a request is refused: the HTTP status and a JSON body saying what and where."""

    status: int
    error: str
    where: str
    errors: tuple[dict[str, str], ...] = ()

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "where": self.where}
        if len(self.errors) > 1:
            body["errors"] = list(self.errors)
        return body


class RequestValidator:
    """Validators for one contract's request schemas, each built on first use, then kept."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self._defs = defs
        self._validators: dict[int, Any] = {}

    def _validator(self, schema: Any) -> Any:
        key = id(schema)
        if key not in self._validators:
            full = {**schema, "$defs": self._defs} if isinstance(schema, dict) else schema
            self._validators[key] = SchemaValidator(
                full, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return self._validators[key]

    def check_parameters(
        self,
        operation: Operation,
        path: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        cookies: Mapping[str, str],
    ) -> Problem | None:
        """The first problem with the parameters (400), or None."""
        lowered = {k.lower(): v for k, v in headers.items()}
        for parameter in operation.parameters:
            if parameter.place == "header" and parameter.name.lower() in _IGNORED_HEADERS:
                continue
            where = f"{parameter.place}.{parameter.name}"
            texts = _texts(parameter, path, query, lowered, cookies)
            if texts is None:
                if parameter.required:
                    return Problem(
                        400,
                        f"The required {_place(parameter)} '{parameter.name}' is missing.",
                        where,
                    )
                continue
            if parameter.schema is None or (
                _type(parameter.schema) == "object" and not parameter.json
            ):
                continue  # objects in a query (deepObject, form) are not unpacked here
            value = _typed(parameter, texts)
            errors = list(self._validator(parameter.schema).iter_errors(value))
            if errors:
                error = best_match(errors)
                return Problem(
                    400,
                    f"The {_place(parameter)} '{parameter.name}' is not valid: {error.message}.",
                    where + _at(error),
                )
        return None

    def check_body(
        self, operation: Operation, content_type: str | None, raw: bytes
    ) -> Problem | None:
        """The problems with a JSON or form body (422; 415 for an undeclared media type)."""
        body = operation.body
        if body is None:
            return None
        if not raw.strip():
            if body.required:
                accepted = ", ".join(body.media_types) or "a body"
                return Problem(422, f"The request body is required: send {accepted}.", "body")
            return None
        media = (content_type or "").split(";", 1)[0].strip().lower()
        declared = [m.lower() for m in body.media_types]
        if media and declared and not _accepts(declared, media):
            return Problem(
                415,
                f"This operation takes {', '.join(body.media_types)}, not {media}; "
                "send one of those as the Content-Type.",
                "header.Content-Type",
            )
        if media == FORM and body.form_schema is not None:
            schema, value = body.form_schema, _form_fields(raw, body.form_schema)
        elif body.json_schema is not None and (not media or is_json(media)):
            schema = body.json_schema
            try:
                value = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                return Problem(422, f"The request body is not valid JSON: {exc}.", "body")
        else:
            return None  # other media types are taken as they come
        errors = sorted(self._validator(schema).iter_errors(value), key=lambda e: list(e.path))
        if not errors:
            return None
        # allOf branches each report the same mismatch: list every problem once.
        distinct = dict.fromkeys((f"{e.message}.", "body" + _at(e)) for e in errors)
        listed = tuple({"error": text, "where": where} for text, where in distinct)[
            :MAX_LISTED_ERRORS
        ]
        first = best_match(errors)
        return Problem(422, f"{first.message}.", "body" + _at(first), listed)


def _accepts(declared: Iterable[str], media: str) -> bool:
    for pattern in declared:
        essence = pattern.split(";", 1)[0].strip()
        if essence in (media, "*/*") or (essence.endswith("/*") and media.startswith(essence[:-1])):
            return True
    return False


def _form_fields(raw: bytes, schema: Any) -> dict[str, Any]:
    """A form body as the object its schema describes: fields typed, lists where an array."""
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    value: dict[str, Any] = {}
    for name, texts in fields.items():
        prop = properties.get(name, {})
        if _type(prop) == "array":
            items = prop.get("items", {}) if isinstance(prop, dict) else {}
            value[name] = [_coerce(text, _type(items)) for text in texts]
        else:
            value[name] = _coerce(texts[-1], _type(prop))
    return value


def _place(parameter: Parameter) -> str:
    return {"path": "path parameter", "query": "query parameter"}.get(
        parameter.place, f"{parameter.place} parameter"
    )


def _texts(
    parameter: Parameter,
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> list[str] | None:
    """The parameter's raw values as sent, None when it was not sent."""
    if parameter.place == "query":
        return query.get(parameter.name) or None
    source = {"path": path, "cookie": cookies}.get(parameter.place)
    value = headers.get(parameter.name.lower()) if source is None else source.get(parameter.name)
    return None if value is None else [value]


def _typed(parameter: Parameter, texts: list[str]) -> Any:
    schema = parameter.schema
    if parameter.json:
        try:
            return json.loads(texts[-1])
        except ValueError:
            return texts[-1]
    if _type(schema) == "array":
        parts = texts if parameter.explode and parameter.place == "query" else texts[-1].split(",")
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        return [_coerce(part, _type(items)) for part in parts]
    return _coerce(texts[-1], _type(schema))


def _type(schema: Any) -> str | None:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def _coerce(text: str, kind: str | None) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _at(error: ValidationError) -> str:
    """Where in the value the error is, with the missing property's name for ``required``."""
    steps = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        steps.extend(missing[:1])
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)
