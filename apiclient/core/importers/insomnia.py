"""Insomnia v4 exports (JSON or YAML) read into our models.

An export is a flat list of resources linked by ``parentId``; this rebuilds the tree.
What carries over: the workspace (name, description), folders in ``metaSortKey`` order,
HTTP requests (method, URL, query parameters, headers, body, auth, redirect setting),
folders' auth (a request without one inherits it, as in Insomnia; basic, digest, NTLM,
bearer, API key, OAuth 2.0 but its implicit grant, OAuth 1.0 HMAC-SHA1, AWS IAM as
Signature v4, Hawk),
GraphQL requests, gRPC requests, WebSocket requests with their saved payload, the base
environment (as collection variables) and its sub-environments (as environments).
Insomnia's ``{{ _.name }}`` becomes our ``{{name}}``.

What does not, each said in a warning naming the item: folder environments (we have no
folder variables: they join the collection variables unless the name is taken), other
template tags (``{% response ... %}`` and the like, kept as typed), auth kinds we do not
have, nested environment values (kept as JSON text), the ``.proto`` text embedded in an
export, and resources we have no place for (cookie jars, API specs, unit tests, mocks).
Pre-request and after-response scripts are kept as text in the description.

The v5 YAML format (Insomnia 11 and later) and the legacy formats 1 to 3 are refused
with a message saying so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from apiclient.core.importers import ImportResult
from apiclient.core.importers.common import (
    PATH_VARIABLE,
    Json,
    as_list,
    as_obj,
    as_text,
    left_out,
    raw_language,
    with_scripts,
)
from apiclient.core.importers.insomnia_auth import UnsupportedAuth, auth_from_insomnia
from apiclient.core.importers.insomnia_read import InsomniaImportError, read_export
from apiclient.core.models import (
    Auth,
    Body,
    Collection,
    Environment,
    Folder,
    FormField,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RequestSettings,
    RestRequest,
    Variable,
    WebsocketRequest,
    WsMessage,
    inherit_auth,
)
from apiclient.core.urls import join_url, split_url

__all__ = ["SCRIPTS_HEADING", "InsomniaImportError", "import_insomnia"]

SCRIPTS_HEADING = "Insomnia scripts (kept as text, not run by apiclient)"
_VARIABLE_TAG = re.compile(r"\{\{\s*(?:_\.)?([^{}\s]+?)\s*\}\}")
_OTHER_TAG = re.compile(r"\{%\s*([\w-]+)[^%]*%\}")
_REQUEST_TYPES = {"request", "grpc_request", "websocket_request"}
_LINKED_TYPES = {"workspace", "request_group", "environment", "proto_file", "websocket_payload"}


def import_insomnia(path: Path) -> ImportResult:
    """Read an Insomnia v4 export (JSON or YAML); raise ``InsomniaImportError``."""
    resources, unreadable = read_export(path)
    importer = _Importer(path, resources)
    if unreadable:
        importer.warnings.append(
            f"{unreadable} resources of the export are not objects with an _id; they were left out."
        )
    return importer.result()


# ---- small helpers for untrusted JSON ------------------------------------------------------


def _sort_key(resource: Json) -> float:
    key = resource.get("metaSortKey")
    return float(key) if isinstance(key, int | float) and not isinstance(key, bool) else 0.0


def _scripts(description: str, resource: Json) -> str:
    """``description`` with the resource's scripts appended as inert text."""
    scripts = [
        (title, as_text(resource.get(key)))
        for key, title in (
            ("preRequestScript", "Pre-request script"),
            ("afterResponseScript", "After-response script"),
        )
    ]
    return with_scripts(description, SCRIPTS_HEADING, scripts)


# ---- the conversion ---------------------------------------------------------------------


class _Importer:
    def __init__(self, path: Path, resources: list[Json]) -> None:
        self.path = path
        self.resources = resources
        self.by_id = {r["_id"]: r for r in resources}
        self.children: dict[Any, list[Json]] = {}
        for resource in resources:
            self.children.setdefault(resource.get("parentId"), []).append(resource)
        for siblings in self.children.values():
            siblings.sort(key=_sort_key)
        self.warnings: list[str] = []
        self.variables: dict[str, Variable] = {}
        self.placed: set[str] = set()
        self.scripted: list[str] = []

    def result(self) -> ImportResult:
        workspaces = [r for r in self.resources if r.get("_type") == "workspace"]
        groups = {r["_id"] for r in self.resources if r.get("_type") == "request_group"}
        tops = [
            r
            for r in self.resources
            if r.get("_type") in _REQUEST_TYPES | {"request_group"}
            and r.get("parentId") not in groups
        ]
        tops.sort(key=_sort_key)
        environments: list[Environment] = []
        if len(workspaces) == 1:
            workspace = workspaces[0]
            name = as_text(workspace.get("name")) or self.path.stem
            description = as_text(workspace.get("description"))
            environments = self._environments(workspace["_id"], "")
            items = self._items(tops, name)
        else:
            name, description, items = self.path.stem, "", []
            if not workspaces:
                environments = self._environments(None, "")
            for workspace in workspaces:
                label = as_text(workspace.get("name")) or "Workspace"
                environments += self._environments(workspace["_id"], f"{label} / ")
                mine = [r for r in tops if r.get("parentId") == workspace["_id"]]
                items.append(Folder(name=label, items=self._items(mine, label)))
            items += self._items([r for r in tops if r["_id"] not in self.placed], name)
        self._report_leftovers()
        collection = Collection(
            name=name,
            description=description,
            variables=list(self.variables.values()),
            environments=environments,
            items=items,
        )
        return ImportResult(collection, tuple(self.warnings), "Insomnia v4 export")

    def _report_leftovers(self) -> None:
        if self.scripted:
            names = ", ".join(repr(where) for where in self.scripted[:5])
            more = f" and {len(self.scripted) - 5} more" if len(self.scripted) > 5 else ""
            self.warnings.append(
                f"{len(self.scripted)} requests or folders have Insomnia scripts, which "
                f"apiclient does not run; they are kept as text in the descriptions ({names}"
                f"{more})."
            )
        if not any(r.get("_type") in _REQUEST_TYPES for r in self.resources):
            self.warnings.append("The export holds no requests.")
        unplaced = [
            r
            for r in self.resources
            if r.get("_type") in _REQUEST_TYPES | {"request_group"} and r["_id"] not in self.placed
        ]
        if unplaced:
            names = ", ".join(repr(as_text(r.get("name"))) for r in unplaced[:5])
            self.warnings.append(
                f"{len(unplaced)} requests or folders sit in folders that form a loop and were "
                f"left out ({names})."
            )
        others = Counter(
            as_text(r.get("_type")) or "untyped"
            for r in self.resources
            if r.get("_type") not in _REQUEST_TYPES | _LINKED_TYPES
        )
        if others:
            listed = ", ".join(f"{count} {kind}" for kind, count in sorted(others.items()))
            self.warnings.append(
                f"Left out resources apiclient has no place for: {listed}. Cookies are never "
                "imported; unit tests, API specs and mocks stay in Insomnia."
            )

    # ---- templates ----

    def _tpl(self, value: Any, where: str) -> str:
        """Insomnia template text as ours: ``{{ _.a }}`` -> ``{{a}}``, other tags kept."""
        text = _VARIABLE_TAG.sub(lambda m: "{{" + m.group(1) + "}}", as_text(value))
        for tag in dict.fromkeys(m.group(1) for m in _OTHER_TAG.finditer(text)):
            self.warnings.append(
                f"{where}: the Insomnia tag {{% {tag} %}} is not run by apiclient and was kept "
                "as typed. Replace it with a {{{{variable}}}} (or a capture from an earlier "
                "request)."
            )
        return text

    def _rows(self, entries: Any, where: str) -> list[KeyValue]:
        return [
            KeyValue(
                name=self._tpl(e.get("name"), where),
                value=self._tpl(e.get("value"), where),
                enabled=e.get("disabled") is not True,
                description=as_text(e.get("description")),
            )
            for e in as_list(entries)
            if isinstance(e, dict)
        ]

    # ---- environments ----

    def _environments(self, parent: Any, prefix: str) -> list[Environment]:
        """The sub-environments of the base environments under ``parent`` (a workspace id,
        or None for an export without a workspace: every environment not under another)."""
        envs = {r["_id"] for r in self.resources if r.get("_type") == "environment"}
        bases = [
            r
            for r in self.resources
            if r.get("_type") == "environment"
            and (r.get("parentId") == parent if parent else r.get("parentId") not in envs)
        ]
        found: list[Environment] = []
        for base in bases:
            for variable in self._env_values(base.get("data"), "the base environment"):
                self._add_variable(variable, "the base environment")
            for sub in self.children.get(base["_id"], []):
                if sub.get("_type") != "environment":
                    continue
                name = as_text(sub.get("name")) or "Environment"
                where = f"environment {name!r}"
                variables = self._env_values(sub.get("data"), where)
                if sub.get("isPrivate") is True:
                    variables = [v.model_copy(update={"secret": True}) for v in variables]
                found.append(Environment(name=prefix + name, variables=variables))
        return found

    def _env_values(self, data: Any, where: str) -> list[Variable]:
        variables = []
        for key, value in as_obj(data).items():
            if isinstance(value, dict | list):
                self.warnings.append(
                    f"The value of {key!r} in {where} is nested JSON; apiclient variables hold "
                    f"text, so it was kept as JSON text and references to its parts "
                    f"({{{{ _.{key}.field }}}}) will not resolve."
                )
            variables.append(Variable(name=str(key), value=self._tpl(value, where)))
        return variables

    def _add_variable(self, variable: Variable, where: str) -> bool:
        if variable.name in self.variables:
            self.warnings.append(
                f"The variable {variable.name!r} of {where} was left out: the collection "
                "already has a variable of that name."
            )
            return False
        self.variables[variable.name] = variable
        return True

    # ---- the tree ----

    def _items(self, resources: list[Json], trail: str) -> list[Any]:
        items: list[Any] = []
        for resource in resources:
            if resource["_id"] in self.placed:
                continue
            self.placed.add(resource["_id"])
            kind = resource.get("_type")
            name = as_text(resource.get("name")) or "Untitled"
            where = f"{trail} / {name}"
            if any(
                as_text(resource.get(k)).strip()
                for k in ("preRequestScript", "afterResponseScript")
            ):
                self.scripted.append(where)
            try:
                if kind == "request_group":
                    items.append(self._folder(resource, name, where))
                elif kind == "request":
                    items.append(self._request(resource, name, where))
                elif kind == "grpc_request":
                    items.append(self._grpc(resource, name, where))
                elif kind == "websocket_request":
                    items.append(self._websocket(resource, name, where))
            except ValidationError as exc:
                self.warnings.append(left_out(f"{where!r}", exc))
        return items

    def _folder(self, group: Json, name: str, where: str) -> Folder:
        moved = [
            v.name
            for v in self._env_values(group.get("environment"), f"folder {where!r}")
            if self._add_variable(v, f"folder {where!r}")
        ]
        if moved:
            self.warnings.append(
                f"Folder {where!r} has its own environment; apiclient has no folder variables, "
                f"so {', '.join(moved)} became collection variables."
            )
        if as_list(group.get("headers")):
            self.warnings.append(
                f"Folder {where!r} has headers for all its requests; apiclient has no folder "
                "headers, so they were not imported. Add them to each request."
            )
        children = [
            r
            for r in self.children.get(group["_id"], [])
            if r.get("_type") in _REQUEST_TYPES | {"request_group"}
        ]
        return Folder(
            name=name,
            description=_scripts(as_text(group.get("description")), group),
            auth=self._folder_auth(group, where),
            items=self._items(children, where),
        )

    def _folder_auth(self, group: Json, where: str) -> Auth:
        """The auth a folder's requests inherit; inherit when it sets none."""
        value = as_obj(group.get("authentication"))
        if not value:
            return inherit_auth()
        auth, headers = self._auth_of(value, f"Folder {where!r}")
        if headers:
            self.warnings.append(
                f"Folder {where!r} sends its API key as a cookie; apiclient has no folder "
                "headers, so it was not imported. Add the Cookie header to each request."
            )
            return inherit_auth()
        return auth

    def _auth(self, resource: Json, where: str) -> tuple[Auth, list[KeyValue]]:
        """A request's auth (inherit when it sets none, as in Insomnia) and any header it
        turns into."""
        value = as_obj(resource.get("authentication"))
        return self._auth_of(value, where) if value else (inherit_auth(), [])

    def _auth_of(self, value: Json, where: str) -> tuple[Auth, list[KeyValue]]:
        """Our auth for an ``authentication`` object, and any header it turns into."""
        try:
            return auth_from_insomnia(value, lambda key: self._tpl(value.get(key), where))
        except UnsupportedAuth as exc:
            self.warnings.append(
                f"{where}: {exc} is not supported by apiclient; it was imported without "
                "auth. Set the auth by hand (a header or a bearer token)."
            )
            return Auth(kind="none"), []

    def _url(self, resource: Json, where: str) -> tuple[str, list[KeyValue]]:
        base, params = split_url(self._tpl(resource.get("url"), where))
        values = {
            as_text(p.get("name")): self._tpl(p.get("value"), where)
            for p in as_list(resource.get("pathParameters"))
            if isinstance(p, dict)
        }

        def replace(match: re.Match[str]) -> str:
            return values.get(match.group(1)) or match.group(0)

        if values:
            base = PATH_VARIABLE.sub(replace, base)
        return base, params + self._rows(resource.get("parameters"), where)

    def _request(self, resource: Json, name: str, where: str) -> Any:
        where = f"Request {where!r}"
        url, params = self._url(resource, where)
        headers = self._rows(resource.get("headers"), where)
        auth, auth_headers = self._auth(resource, where)
        description = _scripts(as_text(resource.get("description")), resource)
        body = as_obj(resource.get("body"))
        mime = as_text(body.get("mimeType")).lower()
        method = (as_text(resource.get("method")) or "GET").upper()
        if mime == "application/graphql":
            return self._graphql(
                name, description, join_url(url, params), method, body, headers, auth, where
            )
        redirects = resource.get("settingFollowRedirects")
        settings = RequestSettings(follow_redirects=redirects != "off")
        return RestRequest(
            name=name,
            description=description,
            method=method,
            url=url,
            params=params,
            headers=headers + auth_headers,
            body=self._body(body, mime, where),
            auth=auth,
            settings=settings,
        )

    def _graphql(
        self,
        name: str,
        description: str,
        url: str,
        method: str,
        body: Json,
        headers: list[KeyValue],
        auth: Auth,
        where: str,
    ) -> GraphqlRequest:
        text = self._tpl(body.get("text"), where)
        try:
            doc = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            doc = None
        if not isinstance(doc, dict):
            self.warnings.append(
                f"{where}: its GraphQL body is not the JSON Insomnia writes, so the whole "
                "text became the query."
            )
            doc = {"query": text}
        variables = doc.get("variables")
        # Insomnia keeps variables as an object, or as text when they hold a template tag.
        if isinstance(variables, str):
            variables_json = variables
        else:
            variables_json = json.dumps(variables, indent=2) if variables else ""
        return GraphqlRequest(
            name=name,
            description=description,
            url=url,
            method="GET" if method == "GET" else "POST",
            query=as_text(doc.get("query")),
            variables_json=variables_json,
            operation_name=as_text(doc.get("operationName")),
            headers=headers,
            auth=auth,
        )

    def _body(self, body: Json, mime: str, where: str) -> Body:
        if mime == "application/x-www-form-urlencoded":
            return Body(mode="urlencoded", urlencoded=self._rows(body.get("params"), where))
        if mime.startswith("multipart/"):
            return Body(mode="multipart", multipart=self._form(body.get("params"), where))
        if body.get("fileName") is not None and "text" not in body:
            return Body(mode="binary", binary_path=as_text(body.get("fileName")))
        if "text" in body:
            return Body(
                mode="raw", raw=self._tpl(body.get("text"), where), language=raw_language(mime)
            )
        return Body()

    def _form(self, entries: Any, where: str) -> list[FormField]:
        fields = []
        for entry in as_list(entries):
            if not isinstance(entry, dict):
                continue
            is_file = entry.get("type") == "file"
            value = entry.get("fileName") if is_file else entry.get("value")
            fields.append(
                FormField(
                    name=self._tpl(entry.get("name"), where),
                    value=self._tpl(value, where),
                    enabled=entry.get("disabled") is not True,
                    description=as_text(entry.get("description")),
                    type="file" if is_file else "text",
                )
            )
        return fields

    def _grpc(self, resource: Json, name: str, where: str) -> GrpcRequest:
        where = f"gRPC request {where!r}"
        target = self._tpl(resource.get("url"), where)
        scheme, sep, rest = target.partition("://")
        proto = self.by_id.get(as_text(resource.get("protoFileId")))
        if proto is not None:
            self.warnings.append(
                f"{where} uses the .proto file {as_text(proto.get('name'))!r} stored inside the "
                "export; apiclient reads .proto files from disk, so save it to a file and add "
                "it to the request, or use server reflection."
            )
        return GrpcRequest(
            name=name,
            description=as_text(resource.get("description")),
            target=rest if sep else target,
            security="tls" if sep and scheme.lower() == "grpcs" else "plaintext",
            method=as_text(resource.get("protoMethodName")),
            message=self._tpl(as_obj(resource.get("body")).get("text"), where),
            metadata=self._rows(resource.get("metadata"), where),
        )

    def _websocket(self, resource: Json, name: str, where: str) -> WebsocketRequest:
        where = f"WebSocket request {where!r}"
        url, params = self._url(resource, where)
        auth, auth_headers = self._auth(resource, where)
        messages = [
            WsMessage(
                name=as_text(p.get("name")),
                format="json" if "json" in as_text(p.get("mode")) else "text",
                body=self._tpl(p.get("value"), where),
            )
            for p in self.children.get(resource["_id"], [])
            if p.get("_type") == "websocket_payload"
        ]
        return WebsocketRequest(
            name=name,
            description=as_text(resource.get("description")),
            url=join_url(url, params),
            headers=self._rows(resource.get("headers"), where) + auth_headers,
            auth=auth,
            message_format=messages[0].format if messages else "text",
            message=messages[0].body if messages else "",
            messages=messages,
        )
