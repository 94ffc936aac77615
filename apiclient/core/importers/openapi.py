"""OpenAPI 3.0/3.1 and Swagger 2.0 descriptions (JSON or YAML) read into a collection.

What carries over: one REST request per operation, named by its ``summary``, else its
``operationId``, else "METHOD /path", with the summary and description as its
description. The URL is ``{{base_url}}`` plus the path, its ``{param}``s turned into
``{{param}}`` request variables (valued with the example or default when there is one;
otherwise left for the person to set, so sending says which one is missing). Query
parameters become params (required ones enabled, optional ones disabled), header
parameters headers, the request body an example (see ``openapi_bodies``), security an
auth (see ``openapi_security``). Requests are grouped in folders by their first tag, in
the order of the document's ``tags`` list; untagged operations stay at the root.

Each server becomes an environment with a ``base_url`` variable (server variables
replaced by their defaults); the first server is also the collection's ``base_url``, so
requests send without picking an environment. Swagger 2.0 gives one environment per
scheme from ``host`` and ``basePath``. With no server, ``base_url`` is
``http://localhost`` and a warning says so.

What does not, each said in a warning: cookie parameters (sent as a Cookie header),
OAuth 2 and OpenID Connect security, examples kept in other files, webhooks (3.1).
A ``$ref`` that cannot be followed (missing, remote, a cycle) stops the import with its
name and where it was used, unless it is inside a body's schema: then the example leaves
that part out and a warning says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from apiclient.core.importers import ImportResult, describe_document
from apiclient.core.importers.common import as_obj, left_out
from apiclient.core.importers.openapi_bodies import Bodies, BodyResult
from apiclient.core.importers.openapi_examples import NOTHING, ExampleBuilder, plain
from apiclient.core.importers.openapi_refs import (
    Documents,
    Node,
    OpenApiImportError,
    OpenApiRefError,
    load_document,
)
from apiclient.core.importers.openapi_security import Security
from apiclient.core.models import (
    Body,
    Collection,
    Environment,
    Folder,
    KeyValue,
    RestRequest,
    Variable,
)

__all__ = ["OpenApiImportError", "OpenApiRefError", "import_openapi"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCALHOST = "http://localhost"
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}  # OpenAPI says to ignore them
_ADVICE = "apiclient reads OpenAPI 3.0 and 3.1 and Swagger 2.0, in JSON or YAML."

Json = dict[str, Any]


def import_openapi(path: Path) -> ImportResult:
    """Read an OpenAPI 3.0/3.1 or Swagger 2.0 file; raise ``OpenApiImportError``."""
    doc = load_document(path)
    source = _source(doc, path)
    return _Importer(path, doc, swagger=source == "Swagger 2.0").run(source)


def _source(doc: Any, path: Path) -> str:
    """The format's name ("OpenAPI 3.1.0", "Swagger 2.0"), or an error saying what the
    file is instead."""
    if not isinstance(doc, dict):
        raise OpenApiImportError(
            f"{path} is not an OpenAPI description: {describe_document(doc)} {_ADVICE}", path
        )
    if "openapi" in doc:
        version = str(doc["openapi"])
        if re.fullmatch(r"3\.[01](\.\d+)?(-rc\d+)?", version):
            return f"OpenAPI {version}"
        raise OpenApiImportError(
            f"{path} declares OpenAPI version {version!r}, which apiclient does not read. "
            f"{_ADVICE}",
            path,
        )
    if "swagger" in doc:
        version = str(doc["swagger"])
        if version in ("2.0", "2"):
            return "Swagger 2.0"
        raise OpenApiImportError(
            f"{path} declares Swagger version {version!r}, which apiclient does not read. "
            f"{_ADVICE}",
            path,
        )
    if "swaggerVersion" in doc:
        raise OpenApiImportError(
            f"{path} is a Swagger 1.x description, which apiclient does not read. Convert it "
            "to OpenAPI 3 (for example with swagger2openapi) and import that file.",
            path,
        )
    raise OpenApiImportError(
        f"{path} is not an OpenAPI description (it has no 'openapi' or 'swagger' version): "
        f"{describe_document(doc)} {_ADVICE}",
        path,
    )


def _explicit(schema: Json) -> Any:
    """The value a schema itself gives (example, default, first enum value), or NOTHING."""
    for name in ("example", "const", "default"):
        if name in schema:
            return plain(schema[name])
    for name in ("examples", "enum"):
        values = schema.get(name)
        if isinstance(values, list) and values:
            return plain(values[0])
    return NOTHING


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(plain(value))


class _Importer:
    def __init__(self, path: Path, doc: Json, swagger: bool) -> None:
        self.path = path
        self.doc = doc
        self.swagger = swagger
        self.documents = Documents(path, doc)
        self.root = Node(doc, self.documents.root)
        self.warnings: list[str] = []
        self.examples = ExampleBuilder(self.documents, self.warnings)
        self.bodies = Bodies(self.documents, self.examples, self.warnings)
        self.security = Security(self.documents, self.root, swagger)

    def run(self, source: str) -> ImportResult:
        info = as_obj(self.doc.get("info"))
        name = _text(info.get("title")).strip() or self.path.stem
        environments = self._environments()
        folders: dict[str, list[RestRequest]] = {
            _text(t.get("name")): [] for t in self._tags() if _text(t.get("name"))
        }
        root_items: list[Any] = []
        for tag, request in self._requests():
            if tag:
                folders.setdefault(tag, []).append(request)
            else:
                root_items.append(request)
        descriptions = {_text(t.get("name")): _text(t.get("description")) for t in self._tags()}
        items: list[Any] = [
            Folder(name=tag, description=descriptions.get(tag, ""), items=list(requests))
            for tag, requests in folders.items()
            if requests
        ]
        if as_obj(self.doc.get("webhooks")):
            self.warnings.append(
                "The document's webhooks (requests the API sends to you) were not imported; "
                "use the webhook receiver to catch them."
            )
        self.warnings.extend(self.security.warnings())
        base_url = environments[0].variables[0].value
        collection = Collection(
            name=name,
            description=_text(info.get("description")),
            variables=[
                Variable(name="base_url", value=base_url),
                *self.security.variables.values(),
            ],
            environments=environments,
            items=items + root_items,
        )
        return ImportResult(collection, tuple(self.warnings), source)

    def _tags(self) -> list[Json]:
        tags = self.doc.get("tags")
        return [t for t in tags if isinstance(t, dict)] if isinstance(tags, list) else []

    # ---- servers -----------------------------------------------------------------------

    def _environments(self) -> list[Environment]:
        urls = self._swagger_urls() if self.swagger else self._server_urls(self.doc, "")
        if not urls:
            self.warnings.append(
                f"The document names no server, so base_url is {LOCALHOST}; change it in the "
                "environment to where the API runs."
            )
            urls = [("Default", LOCALHOST)]
        environments: list[Environment] = []
        for label, url in urls:
            name = label
            number = 2
            while any(e.name == name for e in environments):
                name = f"{label} ({number})"
                number += 1
            environments.append(
                Environment(name=name, variables=[Variable(name="base_url", value=url)])
            )
        return environments

    def _server_urls(self, holder: Json, where: str) -> list[tuple[str, str]]:
        servers = holder.get("servers")
        result = []
        for server in servers if isinstance(servers, list) else []:
            if not isinstance(server, dict) or not _text(server.get("url")).strip():
                continue
            url = self._server_url(server, where)
            result.append((_text(server.get("description")).strip() or url, url))
        return result

    def _server_url(self, server: Json, where: str) -> str:
        variables = as_obj(server.get("variables"))

        def value(match: re.Match[str]) -> str:
            spec = as_obj(variables.get(match.group(1)))
            enum = spec.get("enum")
            if "default" in spec:
                return _text(spec["default"])
            if isinstance(enum, list) and enum:
                return _text(enum[0])
            self.warnings.append(
                f"The server {server['url']!r}{where} uses the variable {{{match.group(1)}}} "
                "without a default; it was left in the URL as typed."
            )
            return match.group(0)

        url = _PATH_PARAM.sub(value, _text(server["url"]).strip()).rstrip("/")
        if "://" not in url:
            self.warnings.append(
                f"The server {server['url']!r}{where} is relative to where the document is "
                f"served; it was made absolute with {LOCALHOST}. Change base_url if needed."
            )
            url = LOCALHOST + ("/" + url.lstrip("/") if url else "")
        return url

    def _swagger_urls(self) -> list[tuple[str, str]]:
        host = _text(self.doc.get("host")).strip().rstrip("/")
        base_path = _text(self.doc.get("basePath")).strip().rstrip("/")
        if base_path and not base_path.startswith("/"):
            base_path = "/" + base_path
        if not host:
            return []
        schemes = self.doc.get("schemes")
        names = (
            [str(s) for s in schemes if s in ("http", "https")] if isinstance(schemes, list) else []
        )
        return [
            (f"{s}://{host}{base_path}", f"{s}://{host}{base_path}") for s in names or ["https"]
        ]

    # ---- operations --------------------------------------------------------------------

    def _requests(self) -> list[tuple[str, RestRequest]]:
        paths = self.doc.get("paths")
        if not isinstance(paths, dict) or not paths:
            self.warnings.append("The document describes no operations (its 'paths' is empty).")
            return []
        result = []
        for raw_path, raw_item in paths.items():
            path = _text(raw_path)
            if not path.startswith("/"):
                continue  # x- extensions
            item = self.documents.resolve(Node(raw_item, self.root.file), f"the path {path}")
            spec = as_obj(item.value)
            shared = spec.get("parameters")
            for method in METHODS:
                operation = spec.get(method)
                if not isinstance(operation, dict):
                    continue
                where = f"{method.upper()} {path}"
                try:
                    result.append(self._request(method, path, operation, shared, item, where))
                except ValidationError as exc:
                    self.warnings.append(left_out(where, exc))
        return result

    def _request(
        self, method: str, path: str, operation: Json, shared: Any, item: Node, where: str
    ) -> tuple[str, RestRequest]:
        params = self._parameters(shared, item.file, operation, where)
        base = "{{base_url}}"
        own_servers = self._server_urls(operation, f" of {where}") or self._server_urls(
            as_obj(item.value), f" of {path}"
        )
        if not self.swagger and own_servers:
            base = own_servers[0][1]
        request_params: list[KeyValue] = []
        headers: list[KeyValue] = []
        cookies: list[str] = []
        variables: list[Variable] = []
        for param in params:
            self._parameter(param, request_params, headers, cookies, variables, where)
        body = self._body(operation, params, item.file, where)
        if body.content_type:
            headers.append(KeyValue(name="Content-Type", value=body.content_type))
        security = self.security.for_operation(operation, where)
        headers += security.headers
        request_params += security.params
        cookies += security.cookies
        if cookies:
            self.warnings.append(
                f"{where}: cookie parameters ({', '.join(c.split('=')[0] for c in cookies)}) "
                "are sent as one Cookie header; edit its value there."
            )
            headers.append(KeyValue(name="Cookie", value="; ".join(cookies)))
        url = base + _PATH_PARAM.sub(lambda m: "{{" + m.group(1).strip() + "}}", path)
        summary = _text(operation.get("summary")).strip()
        description = "\n\n".join(
            part
            for part in (
                summary,
                _text(operation.get("description")).strip(),
                "Deprecated." if operation.get("deprecated") is True else "",
            )
            if part
        )
        name = summary or _text(operation.get("operationId")).strip() or where
        tags = operation.get("tags")
        tag = _text(tags[0]).strip() if isinstance(tags, list) and tags else ""
        request = RestRequest(
            name=name,
            description=description,
            method=method.upper(),
            url=url,
            params=request_params,
            headers=headers,
            body=body.body,
            auth=security.auth,
            variables=variables,
        )
        return tag, request

    def _parameters(self, shared: Any, file: Path, operation: Json, where: str) -> list[Json]:
        """Path-level then operation parameters, resolved; the operation's win by name+in."""
        merged: dict[tuple[str, str], Json] = {}
        own = operation.get("parameters")
        entries = [
            *(shared if isinstance(shared, list) else []),
            *(own if isinstance(own, list) else []),
        ]
        for number, raw in enumerate(entries, start=1):
            node = self.documents.resolve(Node(raw, file), f"{where} (parameter {number})")
            param = as_obj(node.value)
            if not param.get("name") or not param.get("in"):
                self.warnings.append(
                    f"{where}: parameter {number} has no name or no 'in'; it was skipped."
                )
                continue
            merged[(_text(param["name"]), _text(param["in"]))] = {**param, "_file": node.file}
        return list(merged.values())

    def _parameter(
        self,
        param: Json,
        query: list[KeyValue],
        headers: list[KeyValue],
        cookies: list[str],
        variables: list[Variable],
        where: str,
    ) -> None:
        name, place = _text(param["name"]), _text(param["in"])
        if place in ("body", "formData"):
            return
        values = self._param_values(param, where)
        description = _text(param.get("description")).strip()
        enabled = param.get("required") is True
        if place == "path":
            if values:
                variables.append(Variable(name=name, value=",".join(values)))
        elif place == "query":
            query += [
                KeyValue(name=name, value=v, enabled=enabled, description=description)
                for v in values or [""]
            ]
        elif place == "header":
            if name.lower() not in _IGNORED_HEADERS:
                headers.append(
                    KeyValue(
                        name=name, value=",".join(values), enabled=enabled, description=description
                    )
                )
        elif place == "cookie":
            cookies.append(f"{name}={','.join(values)}")
        else:
            self.warnings.append(f"{where}: parameter {name!r} is in {place!r}; it was skipped.")

    def _param_values(self, param: Json, where: str) -> list[str]:
        """The parameter's example as the texts to send: several for an exploded array."""
        file = param["_file"]
        value: Any = NOTHING
        if "example" in param:
            value = plain(param["example"])
        elif isinstance(param.get("examples"), dict) and param["examples"]:
            first = next(iter(param["examples"].values()))
            example = as_obj(self.documents.resolve(Node(first, file), where).value)
            value = plain(example["value"]) if "value" in example else NOTHING
        elif "x-example" in param:
            value = plain(param["x-example"])
        if value is NOTHING:
            raw_schema = param.get("schema", param if self.swagger else None)
            if raw_schema is not None:
                schema = as_obj(self.documents.resolve(Node(raw_schema, file), where).value)
                value = _explicit(schema)
                if value is NOTHING and isinstance(schema.get("items"), dict):
                    items = as_obj(self.documents.resolve(Node(schema["items"], file), where).value)
                    item = _explicit(items)
                    value = NOTHING if item is NOTHING else [item]
        if value is NOTHING or value is None:
            return []
        if isinstance(value, list):
            texts = [_scalar(v) for v in value]
            explode = param.get("explode", param.get("style", "form") == "form")
            multi = param.get("collectionFormat") == "multi" if self.swagger else explode
            return texts if multi and param.get("in") == "query" else [",".join(texts)]
        return [_scalar(value)]

    def _body(self, operation: Json, params: list[Json], file: Path, where: str) -> BodyResult:
        if self.swagger:
            consumes = operation.get("consumes", self.doc.get("consumes"))
            types = [str(t) for t in consumes] if isinstance(consumes, list) else []
            return self.bodies.from_swagger(params, types, file, where)
        if "requestBody" not in operation:
            return BodyResult(Body(), "")
        body = self.documents.resolve(Node(operation["requestBody"], file), f"the body of {where}")
        return self.bodies.from_content(as_obj(body.value).get("content"), body.file, where)
