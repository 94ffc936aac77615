"""Request bodies of OpenAPI operations: which media type, and an example to start from.

Of the media types an operation accepts, the first of JSON, form (urlencoded), multipart,
plain text and XML is used, in that order of preference; a ``+json``/``+xml`` type
counts as JSON/XML. The body is the media type's ``example`` or first ``examples`` entry,
or one generated from its schema (see ``openapi_examples``), and the request gets that
``Content-Type`` header. Swagger 2.0 ``body`` and ``formData`` parameters are turned into
the same shape first, with ``consumes`` as the media types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from apiclient.core.importers.openapi_examples import NOTHING, ExampleBuilder, plain
from apiclient.core.importers.openapi_refs import Documents, Node, OpenApiRefError
from apiclient.core.models import Body, FormField, KeyValue

PREFERRED = (
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "application/xml",
)


@dataclass(frozen=True)
class BodyResult:
    body: Body
    content_type: str  # "" for no body


class Bodies:
    """Builds bodies; warnings about what was left out go to ``warnings``."""

    def __init__(self, documents: Documents, examples: ExampleBuilder, warnings: list[str]) -> None:
        self._documents = documents
        self._examples = examples
        self._warnings = warnings

    def from_content(self, content: Any, file: Path, where: str) -> BodyResult:
        """The body for an OpenAPI 3 ``requestBody.content`` map."""
        if not isinstance(content, dict) or not content:
            return BodyResult(Body(), "")
        chosen = _choose(list(map(str, content)))
        if chosen is None:
            types = ", ".join(map(str, content))
            self._warnings.append(
                f"{where}: the request body types ({types}) are not ones apiclient can build, "
                "so the request was imported without a body."
            )
            return BodyResult(Body(), "")
        media_type, kind = chosen
        media = self._documents.resolve(Node(content[media_type], file), where)
        return BodyResult(self._body(media, kind, where), media_type)

    def from_swagger(
        self, params: list[dict[str, Any]], consumes: list[str], file: Path, where: str
    ) -> BodyResult:
        """The body for Swagger 2.0 ``body``/``formData`` parameters (already resolved)."""
        body_param = next((p for p in params if p.get("in") == "body"), None)
        form = [p for p in params if p.get("in") == "formData"]
        if body_param is not None:
            types = consumes or ["application/json"]
            chosen = _choose(types) or ("application/json", "json")
            media = {"schema": body_param.get("schema", {})}
            if "x-example" in body_param:
                media["example"] = body_param["x-example"]
            origin = body_param.get("_file", file)
            return BodyResult(self._body(Node(media, origin), chosen[1], where), chosen[0])
        if not form:
            return BodyResult(Body(), "")
        has_file = any(p.get("type") == "file" for p in form)
        media_type = (
            "multipart/form-data"
            if has_file or "multipart/form-data" in consumes
            else "application/x-www-form-urlencoded"
        )
        properties = {
            str(p.get("name", "")): (
                {"type": "string", "format": "binary"} if p.get("type") == "file" else p
            )
            for p in form
        }
        schema = {"type": "object", "properties": properties}
        kind = "multipart" if media_type.startswith("multipart") else "urlencoded"
        return BodyResult(self._body(Node({"schema": schema}, file), kind, where), media_type)

    def _body(self, media: Node, kind: str, where: str) -> Body:
        spec = media.value if isinstance(media.value, dict) else {}
        value = self._example(spec, media.file, where)
        schema = Node(spec.get("schema"), media.file)
        if kind in ("urlencoded", "multipart"):
            return self._form(value, schema, kind, where)
        if value is NOTHING:
            return Body(mode="raw", raw="", language=_language(kind))
        if kind == "json":
            text = value if isinstance(value, str) and _is_json(value) else _json(value)
        elif kind == "xml":
            text = value if isinstance(value, str) else _xml(self._root_name(schema, where), value)
        else:
            text = value if isinstance(value, str) else _json(value)
        return Body(mode="raw", raw=text, language=_language(kind))

    def _example(self, media: dict[str, Any], file: Path, where: str) -> Any:
        if "example" in media:
            return plain(media["example"])
        examples = media.get("examples")
        if isinstance(examples, dict) and examples:
            name, first = next(iter(examples.items()))
            example = self._documents.resolve(Node(first, file), where).value
            if isinstance(example, dict) and "value" in example:
                return plain(example["value"])
            if isinstance(example, dict) and "externalValue" in example:
                self._warnings.append(
                    f"{where}: the example {name!r} is in another file "
                    f"({example['externalValue']}), which is not fetched; the body was "
                    "generated from the schema instead."
                )
        if "schema" not in media:
            return NOTHING
        return self._examples.example(Node(media["schema"], file), f"the body of {where}")

    def _root_name(self, schema: Node, where: str) -> str:
        """The XML element name: the schema's ``xml.name``, its $ref's last part, or root."""
        ref = schema.value.get("$ref") if isinstance(schema.value, dict) else None
        try:
            spec = self._documents.resolve(schema, f"the body of {where}").value
        except OpenApiRefError:
            spec = None
        xml = spec.get("xml") if isinstance(spec, dict) else None
        if isinstance(xml, dict) and isinstance(xml.get("name"), str):
            return xml["name"]
        if isinstance(ref, str) and "/" in ref:
            return ref.rsplit("/", 1)[1]
        return "root"

    def _form(self, value: Any, schema: Node, kind: str, where: str) -> Body:
        if value is not NOTHING and not isinstance(value, dict):
            self._warnings.append(
                f"{where}: the form body's example is not an object of fields, so the form "
                "was left empty."
            )
            value = {}
        files = _binary_fields(self._documents, schema, where)
        fields = value if isinstance(value, dict) else {}
        if kind == "urlencoded":
            rows = [KeyValue(name=k, value=_field_text(v)) for k, v in fields.items()]
            return Body(mode="urlencoded", urlencoded=rows)
        multipart = [
            FormField(name=k, value="", type="file")
            if k in files
            else FormField(name=k, value=_field_text(v))
            for k, v in fields.items()
        ]
        return Body(mode="multipart", multipart=multipart)


def _choose(types: list[str]) -> tuple[str, str] | None:
    """The media type to use and its kind (json, urlencoded, multipart, text, xml)."""
    bare = {t: t.split(";")[0].strip().lower() for t in types}
    kinds = dict(zip(PREFERRED, ("json", "urlencoded", "multipart", "text", "xml"), strict=True))
    for preferred in PREFERRED:
        for original, clean in bare.items():
            if clean == preferred:
                return original, kinds[preferred]
    for original, clean in bare.items():
        if clean.endswith("+json") or clean == "text/json":
            return original, "json"
        if clean.endswith("+xml") or clean == "text/xml":
            return original, "xml"
    return None


def _binary_fields(documents: Documents, schema: Node, where: str) -> set[str]:
    if schema.value is None:
        return set()
    spec = documents.resolve(schema, f"the body of {where}").value
    properties = spec.get("properties") if isinstance(spec, dict) else None
    names = set()
    for name, prop in (properties if isinstance(properties, dict) else {}).items():
        if isinstance(prop, dict) and prop.get("format") in ("binary", "base64"):
            names.add(str(name))
    return names


def _field_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _language(kind: str) -> Any:
    return {"json": "json", "xml": "xml"}.get(kind, "text")


def _xml(name: str, value: Any, indent: str = "") -> str:
    """A small XML rendering of an example value (elements for properties and items)."""
    if isinstance(value, dict):
        inner = "\n".join(_xml(str(k), v, indent + "  ") for k, v in value.items())
        return f"{indent}<{name}>\n{inner}\n{indent}</{name}>" if inner else f"{indent}<{name}/>"
    if isinstance(value, list):
        return "\n".join(_xml(name, item, indent) for item in value) or f"{indent}<{name}/>"
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return f"{indent}<{name}>{escape(text)}</{name}>"
