"""An OpenAPI 3 document read into the operations a mock serves.

Checks what a mock needs and names the place of each problem ("api.yaml: paths./pets.
get.responses: ..."); it is not a full validator, so a file that breaks rules a mock
does not depend on (a missing description) is still served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mock_servers.contracts.base import ContractError
from mock_servers.contracts.openapi_load import Documents, check_version, describe
from mock_servers.contracts.openapi_schema import SchemaConverter

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_PLACES = ("path", "query", "header", "cookie")
FORM = "application/x-www-form-urlencoded"
_NO_EXAMPLE = object()


@dataclass(frozen=True)
class Parameter:
    name: str
    place: str
    required: bool
    schema: Any  # converted JSON Schema, None when the contract gives none
    explode: bool
    json: bool  # given with `content` instead of `schema`: the value is JSON text


@dataclass(frozen=True)
class RequestBody:
    required: bool
    media_types: tuple[str, ...]
    json_schema: Any  # of the JSON media type, None when there is none
    form_schema: Any = None  # of application/x-www-form-urlencoded, None when there is none


@dataclass(frozen=True)
class Media:
    """One media type of a response: its schema (converted) and example, if any."""

    schema: Any
    example: Any = _NO_EXAMPLE

    @property
    def has_example(self) -> bool:
        return self.example is not _NO_EXAMPLE


@dataclass(frozen=True)
class Response:
    media: dict[str, Media]  # JSON types first, then the contract's order
    headers: dict[str, Any] = field(default_factory=dict)

    @property
    def media_type(self) -> str | None:
        """The media type served when the request's Accept does not choose another."""
        return next(iter(self.media), None)

    @property
    def schema(self) -> Any:
        return self.media[self.media_type].schema if self.media_type else None


@dataclass(frozen=True)
class Operation:
    name: str  # the operationId, else "GET /pets/{id}": what pins are keyed by
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: dict[str, Response]  # by "200", "2XX" or "default", in the contract's order
    status: int  # what it answers when nothing is pinned


@dataclass(frozen=True)
class Contract:
    title: str
    base_path: str
    operations: tuple[Operation, ...]
    request_defs: dict[str, Any]
    response_defs: dict[str, Any]


def is_json(media_type: str) -> bool:
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def load_contract(path: Path) -> Contract:
    """Read ``path`` (and the files it refers to) into a Contract, or raise ContractError."""
    documents = Documents(path)
    version = check_version(documents.root, path.name)
    return _Reader(documents, version.startswith("3.0")).read()


class _Reader:
    def __init__(self, documents: Documents, openapi_30: bool) -> None:
        self.docs = documents
        self.name = documents.path.name
        self.requests = SchemaConverter(documents, openapi_30, "request")
        self.responses = SchemaConverter(documents, openapi_30, "response")
        self.openapi_30 = openapi_30

    def read(self) -> Contract:
        root = self.docs.root
        info = root.get("info")
        if not isinstance(info, dict) or "title" not in info or "version" not in info:
            raise ContractError(
                f"{self.name}: 'info' with a 'title' and a 'version' is required by OpenAPI; "
                "add it."
            )
        paths = root.get("paths", None if self.openapi_30 else {})
        if not isinstance(paths, dict):
            raise ContractError(f"{self.name}: 'paths' must be a mapping, not {describe(paths)}.")
        operations: list[Operation] = []
        for template, item in paths.items():
            operations.extend(self._path_item(str(template), item))
        if not operations:
            raise ContractError(
                f"{self.name} defines no operations ('paths' is empty); a mock needs at least one."
            )
        names: dict[str, Operation] = {}
        for operation in operations:
            if operation.name in names:
                other = names[operation.name]
                raise ContractError(
                    f"{self.name}: operationId '{operation.name}' is used by both "
                    f"{other.method} {other.path} and {operation.method} {operation.path}; "
                    "operationIds must be unique."
                )
            names[operation.name] = operation
        return Contract(
            title=str(info["title"]),
            base_path=_base_path(root.get("servers")),
            operations=tuple(operations),
            request_defs=self.requests.defs,
            response_defs=self.responses.defs,
        )

    def _path_item(self, template: str, item: Any) -> list[Operation]:
        where = f"{self.name}: paths.{template}"
        if not template.startswith("/"):
            raise ContractError(f"{where}: a path must start with '/'.")
        item, base = self.docs.follow(item, self.docs.path, where)
        if not isinstance(item, dict):
            raise ContractError(f"{where}: a path item must be a mapping, not {describe(item)}.")
        shared = self._parameters(item.get("parameters"), base, f"{where}.parameters")
        operations = []
        for method in HTTP_METHODS:
            if method in item:
                operations.append(
                    self._operation(template, method, item[method], shared, base, where)
                )
        return operations

    def _operation(
        self,
        template: str,
        method: str,
        spec: Any,
        shared: dict[tuple[str, str], Parameter],
        base: Path,
        where: str,
    ) -> Operation:
        where = f"{where}.{method}"
        if not isinstance(spec, dict):
            raise ContractError(f"{where}: an operation must be a mapping, not {describe(spec)}.")
        own = self._parameters(spec.get("parameters"), base, f"{where}.parameters")
        body = None
        if "requestBody" in spec:
            body = self._body(spec["requestBody"], base, f"{where}.requestBody")
        responses = self._responses(spec.get("responses"), base, f"{where}.responses")
        name = spec.get("operationId")
        return Operation(
            name=str(name) if name else f"{method.upper()} {template}",
            method=method.upper(),
            path=template,
            # A path parameter missing from the template could never be sent: ignored.
            parameters=tuple(
                p
                for p in {**shared, **own}.values()
                if p.place != "path" or "{" + p.name + "}" in template
            ),
            body=body,
            responses=responses,
            status=_default_status(responses),
        )

    def _parameters(self, specs: Any, base: Path, where: str) -> dict[tuple[str, str], Parameter]:
        if specs is None:
            return {}
        if not isinstance(specs, list):
            raise ContractError(f"{where}: must be a list, not {describe(specs)}.")
        found: dict[tuple[str, str], Parameter] = {}
        for i, raw in enumerate(specs):
            spec, file = self.docs.follow(raw, base, f"{where}[{i}]")
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise ContractError(f"{where}[{i}]: a parameter needs a 'name'.")
            place = spec.get("in")
            if place not in PARAMETER_PLACES:
                raise ContractError(
                    f"{where}[{i}] ({spec['name']}): 'in' must be one of "
                    f"{', '.join(PARAMETER_PLACES)}, not {place!r}."
                )
            schema, from_content = spec.get("schema"), False
            content = spec.get("content")
            if schema is None and isinstance(content, dict) and content:
                media = next(iter(content.values()))
                schema, from_content = (media or {}).get("schema"), True
            style = spec.get("style", "form" if place in ("query", "cookie") else "simple")
            found[(spec["name"], place)] = Parameter(
                name=spec["name"],
                place=place,
                required=bool(spec.get("required", place == "path")),
                schema=None
                if schema is None
                else self.requests.convert(schema, file, f"{where}[{i}].schema"),
                explode=bool(spec.get("explode", style == "form")),
                json=from_content,
            )
        return found

    def _body(self, raw: Any, base: Path, where: str) -> RequestBody:
        spec, file = self.docs.follow(raw, base, where)
        if not isinstance(spec, dict) or not isinstance(spec.get("content", {}), dict):
            raise ContractError(f"{where}: a request body needs 'content', a mapping.")
        content = spec.get("content", {})
        json_type = next((m for m in content if is_json(str(m))), None)
        return RequestBody(
            required=bool(spec.get("required", False)),
            media_types=tuple(str(m) for m in content),
            json_schema=self._body_schema(content, json_type, file, where),
            form_schema=self._body_schema(content, FORM, file, where),
        )

    def _body_schema(self, content: dict[Any, Any], media: Any, base: Path, where: str) -> Any:
        spec = content.get(media) if media is not None else None
        if not isinstance(spec, dict) or spec.get("schema") is None:
            return None
        return self.requests.convert(spec["schema"], base, f"{where}.{media}.schema")

    def _responses(self, specs: Any, base: Path, where: str) -> dict[str, Response]:
        if specs is None and not self.openapi_30:
            return {}
        if not isinstance(specs, dict) or not specs:
            raise ContractError(f"{where}: an operation needs 'responses', a non-empty mapping.")
        responses = {}
        for code, raw in specs.items():
            key = str(code).upper()
            if not re.fullmatch(r"[1-5]([0-9][0-9]|XX)|DEFAULT", key):
                raise ContractError(
                    f"{where}: '{code}' is not a status code; use a code like 200, "
                    "a range like 2XX, or default."
                )
            key = "default" if key == "DEFAULT" else key
            responses[key] = self._response(raw, base, f"{where}.{code}")
        return responses

    def _response(self, raw: Any, base: Path, where: str) -> Response:
        spec, file = self.docs.follow(raw, base, where)
        if not isinstance(spec, dict):
            raise ContractError(f"{where}: a response must be a mapping, not {describe(spec)}.")
        headers = {}
        for name, header in (spec.get("headers") or {}).items():
            header, header_file = self.docs.follow(header, file, f"{where}.headers.{name}")
            if str(name).lower() != "content-type" and isinstance(header, dict):
                schema = header.get("schema", {"type": "string"})
                headers[str(name)] = self.responses.convert(
                    schema, header_file, f"{where}.headers.{name}.schema"
                )
        content = spec.get("content") or {}
        if not isinstance(content, dict):
            raise ContractError(f"{where}.content: must be a mapping, not {describe(content)}.")
        ordered = sorted(content, key=lambda m: not is_json(str(m)))
        media = {}
        for media_type in ordered:
            spec_of_type = content[media_type] if isinstance(content[media_type], dict) else {}
            schema = spec_of_type.get("schema")
            at = f"{where}.content.{media_type}"
            media[str(media_type)] = Media(
                schema=None if schema is None else self.responses.convert(schema, file, at),
                example=self._example(spec_of_type, file, at),
            )
        return Response(media=media, headers=headers)

    def _example(self, media: dict[str, Any], base: Path, where: str) -> Any:
        if "example" in media:
            return media["example"]
        examples = media.get("examples")
        if isinstance(examples, dict):
            for name, raw in examples.items():
                example, _ = self.docs.follow(raw, base, f"{where}.examples.{name}")
                if isinstance(example, dict) and "value" in example:
                    return example["value"]
        return _NO_EXAMPLE


def _default_status(responses: dict[str, Response]) -> int:
    """The first 2xx the contract lists (2XX as 200), else 200 for default, else the first."""
    for key in responses:
        if key.startswith("2"):
            return 200 if key == "2XX" else int(key)
    numbered = [key for key in responses if key != "default"]
    if "default" in responses or not numbered:
        return 200
    return int(numbered[0].replace("XX", "00"))


def _base_path(servers: Any) -> str:
    """The path of the first server's URL, its variables at their defaults ("/v1")."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    path = urlsplit(url).path if "://" in url else url
    if "{" in path or not path.startswith("/"):
        return ""
    return path.rstrip("/")
