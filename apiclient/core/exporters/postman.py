"""A collection as Postman Collection v2.1, the format Postman imports and newman runs.

What carries over: folders in order, descriptions, collection variables, REST requests
(method, URL with its query rows, headers, every body mode, auth of every kind), the
collection's and folders' auth (a request that inherits has no ``auth``, as in Postman;
kind none is ``noauth``; see ``importers.postman_auth``), GraphQL requests (Postman's
graphql body) and SOAP requests (a raw XML POST with its SOAPAction). A request's own
variables become ``pm.variables.set`` lines at the top of its pre-request script: local
variables, which outrank the environment as ours do (our Postman importer reads them back).
Checks become ``pm.test`` lines newman runs, captures become ``pm.collectionVariables.set``
lines, where they translate simply.

Secrets: an export is a file people share, so by default it holds no secret value. Secret
collection variables are written blank (type "secret"). A literal secret becomes a
``{{name}}`` reference to a new blank secret collection variable named after the first
request that uses it (``items.create-item.password``); a value used by many requests (an
inherited token) shares one. Literal secrets are: the secret fields of the auth kind in use
(passwords, tokens, API-key values, client and consumer secrets, AWS secret keys...); the
values of secret request variables; the credentials of ``Authorization``,
``Proxy-Authorization``, ``Cookie`` and API-key headers; query rows named like a key or token
(``api_key``, ``access_token``...); ``user:password@`` in a URL. One warning names the
variables and says how to supply them to newman (``--env-var``, which wins over collection
variables). ``include_secrets=True`` writes the values instead, and a warning says the file
then holds secrets in clear text.

What does not, each named in a warning: gRPC, WebSocket, webhook and batch requests (newman
cannot run them), checks and captures with no simple JavaScript translation (kept as a
comment in the test script), WS-Security headers. ``{{variables}}`` pass through: Postman
uses the same syntax.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apiclient.core.auth_fields import AUTH_TEXT_FIELDS, SECRET_AUTH_FIELDS
from apiclient.core.importers.postman import SCRIPTS_HEADING
from apiclient.core.importers.postman_auth import auth_to_postman
from apiclient.core.models import (
    Auth,
    Body,
    Capture,
    Check,
    Collection,
    Folder,
    GraphqlRequest,
    KeyValue,
    RestRequest,
    SoapRequest,
    Variable,
)
from apiclient.core.secret_fields import only_references
from apiclient.core.store_format import slugify
from apiclient.core.urls import join_url, split_url

SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
LEFT_OUT_KINDS = {  # request kinds a Postman collection cannot hold, named for people
    "grpc": "gRPC",
    "websocket": "WebSocket",
    "webhook": "webhook receiver",
    "batch": "batch call",
}
_SIMPLE_PATH = re.compile(r"\$((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?:'[^']*'|\"[^\"]*\")\])*)")
_SEGMENT = re.compile(r"\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_SCRIPT_BLOCK = re.compile(
    r"### (Pre-request script|Test script)\n\n```javascript\n(.*?)\n```", re.DOTALL
)
_URL = re.compile(r"^(?:(?P<protocol>[A-Za-z][\w+.-]*)://)?(?P<host>[^/?#]*)(?P<path>[^?#]*)")
_SECRET_SUFFIX = {"key_value": "api-key"}
"""The suffix of the name of the variable that replaces a literal secret auth field,
where it is not the field's name in kebab case."""
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
)
_SECRET_QUERY = frozenset({"api_key", "apikey", "access_token", "token", "key"})
_AUTH_SCHEME = re.compile(r"([A-Za-z][\w-]*\s+)(\S.*)", re.DOTALL)
"""An Authorization value as its scheme ("Bearer ") and credentials: only the latter is
secret."""
_USERINFO = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://)(?P<user>[^/?#@:]*)(?::(?P<pw>[^/?#@]*))?@")

Json = dict[str, Any]


def export_postman(
    collection: Collection, *, include_secrets: bool = False, file_name: str = "FILE"
) -> tuple[Json, tuple[str, ...]]:
    """The Postman v2.1 document for ``collection`` and warnings naming what was left out.

    Without ``include_secrets`` no secret value is in the document (see the module's
    docstring); ``file_name`` is the file named in the warning's newman command line.
    Write it with ``json.dumps(doc, indent=2, ensure_ascii=False)``.
    """
    exporter = _Exporter(include_secrets, {v.name for v in collection.variables})
    variables = [exporter.variable(v) for v in collection.variables]
    doc: Json = {
        "info": {"name": collection.name, "schema": SCHEMA_V21},
        "item": exporter.items(collection.items, ()),
    }
    if collection.description:
        doc["info"]["description"] = collection.description
    auth = exporter.folder_auth(collection.auth, (collection.name,))
    if auth is not None and auth["type"] != "noauth":  # Postman's collection default
        doc["auth"] = auth
    variables += [{"key": name, "value": "", "type": "secret"} for name in exporter.references]
    if variables:
        doc["variable"] = variables
    return doc, (*exporter.warnings, *exporter.secret_warnings(file_name))


class _Exporter:
    def __init__(self, include_secrets: bool, variable_names: set[str]) -> None:
        self.warnings: list[str] = []
        self.include_secrets = include_secrets
        self.taken = set(variable_names)
        self.references: list[str] = []  # new blank secret variables that replace values
        self.replaced: dict[str, str] = {}  # each literal secret replaced: its variable
        self.blank: list[str] = []  # secret collection variables written without a value
        self.included: list[str] = []  # what holds a secret in clear text (include_secrets)

    def items(self, items: list[Any], trail: tuple[str, ...]) -> list[Json]:
        out: list[Json] = []
        for item in items:
            path = (*trail, item.name)
            where = " / ".join(path)
            if isinstance(item, Folder):
                folder: Json = {
                    "name": item.name,
                    "item": self.items(item.items, (*trail, item.name)),
                }
                if item.description:
                    folder["description"] = item.description
                auth = self.folder_auth(item.auth, path)
                if auth is not None:
                    folder["auth"] = auth
                out.append(folder)
            elif item.kind in LEFT_OUT_KINDS:
                self.warnings.append(
                    f"{where!r} is a {LEFT_OUT_KINDS[item.kind]}, which Postman collections "
                    "cannot hold (newman could not run it); it was left out."
                )
            else:
                out.append(self.request(item, path))
        return out

    def variable(self, variable: Variable) -> Json:
        entry: Json = {"key": variable.name, "value": variable.value}
        if variable.secret:
            entry["type"] = "secret"
            if not self.include_secrets:
                entry["value"] = ""
                self.blank.append(variable.name)
            elif variable.value:
                self.included.append(f"the variable {variable.name!r}")
        if not variable.enabled:
            entry["disabled"] = True
        return entry

    def secret_warnings(self, file_name: str) -> list[str]:
        """One warning naming the secret values left out and how to supply them, or (with
        ``include_secrets``) saying the file holds secrets."""
        if self.included:
            return [
                f"The file holds secret values in clear text ({_listed(self.included)}): "
                "keep it private, and do not commit or share it."
            ]
        names = [*self.blank, *self.references]
        if not names:
            return []
        run = " ".join(f'--env-var "{name}=VALUE"' for name in names)
        which = (
            f"variable {names[0]} has" if len(names) == 1 else f"variables {', '.join(names)} have"
        )
        return [
            f"Secret values were left out of the file: the secret collection {which} no "
            "value. Supply them when you run it, e.g. "
            f"newman run {file_name} {run} (a value given with --env-var wins over the "
            "collection's), or type them into the collection's variables in Postman."
        ]

    def request(
        self, item: RestRequest | GraphqlRequest | SoapRequest, path: tuple[str, ...]
    ) -> Json:
        auth = self._secret_auth(item.auth, path)
        if isinstance(item, GraphqlRequest):
            base, params = split_url(item.url)
            request = self._request(item.method, base, params, item.headers, auth, path)
            variables = item.variables_json.strip()
            request["body"] = {
                "mode": "graphql",
                "graphql": {"query": item.query, "variables": variables},
            }
        elif isinstance(item, SoapRequest):
            request = self._soap(item, auth, path)
        else:
            request = self._request(item.method, item.url, item.params, item.headers, auth, path)
            body = self._body(item.body)
            if body:
                request["body"] = body
        description, scripts = _split_scripts(item.description)
        if description:
            request["description"] = description
        entry: Json = {"name": item.name, "request": request}
        prerequest = self._variable_lines(item.variables, path) + scripts.get("prerequest", [])
        tests = scripts.get("test", [])
        tests += self._script(item.checks, item.captures, tests, " / ".join(path))
        by_listen = {"prerequest": prerequest, "test": tests}
        events = [(listen, lines) for listen, lines in by_listen.items() if lines]
        if events:
            entry["event"] = [
                {"listen": listen, "script": {"type": "text/javascript", "exec": lines}}
                for listen, lines in events
            ]
        return entry

    def _request(
        self,
        method: str,
        base: str,
        params: list[KeyValue],
        headers: list[KeyValue],
        auth: Auth,
        path: tuple[str, ...],
    ) -> Json:
        base = self._secret_userinfo(base, path)
        params = [self._secret_row(row, path, _SECRET_QUERY, "query row") for row in params]
        headers = [self._secret_header(row, path) for row in headers]
        header_rows = [_row(h) for h in headers]
        request: Json = {"method": method.upper(), "header": header_rows, "url": _url(base, params)}
        postman_auth = self._auth(auth, header_rows, " / ".join(path))
        if postman_auth:
            request["auth"] = postman_auth
        return request

    def _secret(self, value: str, path: tuple[str, ...], suffix: str, what: str) -> str:
        """``value`` as exported: a literal secret becomes a reference to a blank secret
        variable (one per distinct value, named after the first request that has it),
        unless secrets are included; empty values and references stay as they are."""
        if not value or only_references(value):
            return value
        if self.include_secrets:
            self.included.append(f"{what} of {' / '.join(path)!r}")
            return value
        name = self.replaced.get(value)
        if name is None:
            name = self.replaced[value] = self._reference_name(path, suffix)
            self.references.append(name)
        return f"{{{{{name}}}}}"

    def folder_auth(self, auth: Auth, path: tuple[str, ...]) -> Json | None:
        """A folder's or the collection's Postman ``auth`` (secrets hidden), or None
        when it inherits."""
        return self._auth(self._secret_auth(auth, path), None, " / ".join(path))

    def _secret_auth(self, auth: Auth, path: tuple[str, ...]) -> Auth:
        """``auth`` with the secret fields of the kind in use hidden (see ``_secret``)."""
        used = {f.name for f in AUTH_TEXT_FIELDS.get(auth.kind, ())}
        update = {
            name: self._secret(
                getattr(auth, name),
                path,
                _SECRET_SUFFIX.get(name, name.replace("_", "-")),
                "the auth",
            )
            for name in SECRET_AUTH_FIELDS
            if name in used
        }
        return auth.model_copy(update=update) if update else auth

    def _secret_header(self, row: KeyValue, path: tuple[str, ...]) -> KeyValue:
        """A credentials header with its credentials hidden; an Authorization scheme
        ("Bearer ", "Basic ") stays, so only the token itself is to supply."""
        if row.name.strip().lower() not in ("authorization", "proxy-authorization"):
            return self._secret_row(row, path, _SECRET_HEADERS, "header")
        match = _AUTH_SCHEME.fullmatch(row.value.strip())
        scheme, credentials = match.groups() if match else ("", row.value)
        what = f"the {row.name.strip()} header"
        value = self._secret(credentials, path, slugify(row.name, "header"), what)
        return row if value == credentials else row.model_copy(update={"value": scheme + value})

    def _secret_row(
        self, row: KeyValue, path: tuple[str, ...], names: frozenset[str], kind: str
    ) -> KeyValue:
        """``row`` with its value hidden when its name is one of ``names``."""
        if row.name.strip().lower() not in names:
            return row
        what = f"the {row.name.strip()} {kind}"
        value = self._secret(row.value, path, slugify(row.name, kind), what)
        return row if value == row.value else row.model_copy(update={"value": value})

    def _secret_userinfo(self, base: str, path: tuple[str, ...]) -> str:
        """``base`` with the password of ``user:password@`` hidden (or the user, when it
        stands alone: a token given as the user name)."""
        match = _USERINFO.match(base)
        if match is None:
            return base
        user, password = match["user"], match["pw"]
        if password is None:
            user = self._secret(user, path, "url-user", "the user in the URL")
            userinfo = user
        else:
            userinfo = f"{user}:{self._secret(password, path, 'url-password', 'the URL password')}"
        return f"{match['head']}{userinfo}@{base[match.end() :]}"

    def _variable_lines(self, variables: list[Variable], path: tuple[str, ...]) -> list[str]:
        """``pm.variables.set`` lines for the request's enabled variables; a secret value
        is hidden (see ``_secret``)."""
        lines = []
        for variable in variables:
            if not variable.enabled:
                continue
            value = variable.value
            if variable.secret:
                what = f"the variable {variable.name!r}"
                value = self._secret(value, path, slugify(variable.name, "variable"), what)
            lines.append(f"pm.variables.set({_js(variable.name)}, {_js(value)});")
        return lines

    def _reference_name(self, path: tuple[str, ...], field: str) -> str:
        """A variable name from the request's path, e.g. ``items.create-item.password``,
        made unique among the collection's variables."""
        base = ".".join(slugify(part, "request") for part in path) + f".{field}"
        name, counter = base, 2
        while name in self.taken:
            name, counter = f"{base}-{counter}", counter + 1
        self.taken.add(name)
        return name

    def _soap(self, item: SoapRequest, auth: Auth, path: tuple[str, ...]) -> Json:
        headers = list(item.headers)
        names = {h.name.lower() for h in headers if h.enabled}
        if item.soap_version == "1.2":
            content_type = "application/soap+xml; charset=utf-8"
            if item.soap_action:
                content_type += f'; action="{item.soap_action}"'
        else:
            content_type = "text/xml; charset=utf-8"
            if "soapaction" not in names:
                headers.append(KeyValue(name="SOAPAction", value=f'"{item.soap_action}"'))
        if "content-type" not in names:
            headers.append(KeyValue(name="Content-Type", value=content_type))
        if item.wsse.mode != "none":
            where = " / ".join(path)
            self.warnings.append(
                f"{where!r}: its WS-Security header is added when apiclient sends it, so the "
                "Postman request has none; add it to the envelope by hand."
            )
        base, params = split_url(item.endpoint)
        request = self._request("POST", base, params, headers, auth, path)
        request["body"] = {
            "mode": "raw",
            "raw": item.envelope,
            "options": {"raw": {"language": "xml"}},
        }
        return request

    def _body(self, body: Body) -> Json | None:
        if body.mode == "raw":
            return {"mode": "raw", "raw": body.raw, "options": {"raw": {"language": body.language}}}
        if body.mode == "urlencoded":
            return {"mode": "urlencoded", "urlencoded": [_row(r) for r in body.urlencoded]}
        if body.mode == "multipart":
            fields = []
            for row in body.multipart:
                field: Json = {"key": row.name, "type": row.type}
                field["src" if row.type == "file" else "value"] = row.value
                if row.content_type:
                    field["contentType"] = row.content_type
                if not row.enabled:
                    field["disabled"] = True
                if row.description:
                    field["description"] = row.description
                fields.append(field)
            return {"mode": "formdata", "formdata": fields}
        if body.mode == "binary":
            return {"mode": "file", "file": {"src": body.binary_path}}
        return None

    def _auth(self, auth: Auth, headers: list[Json] | None, where: str) -> Json | None:
        """The Postman ``auth`` object; None when it inherits. ``headers`` are a request's
        (None for a folder): a bearer token with a prefix other than "Bearer" becomes an
        Authorization header there, since Postman's bearer auth always says "Bearer"."""
        if auth.kind == "bearer" and auth.token_prefix.strip() != "Bearer":
            if headers is None:
                self.warnings.append(
                    f"{where!r}: Postman's bearer auth always says 'Bearer'; the prefix "
                    f"{auth.token_prefix!r} of the folder's token was not exported."
                )
                return auth_to_postman(auth)
            value = f"{auth.token_prefix.strip()} {auth.token}".strip()
            headers[:] = [h for h in headers if h["key"].lower() != "authorization"]
            headers.append({"key": "Authorization", "value": value})
            self.warnings.append(
                f"{where!r}: Postman's bearer auth always says 'Bearer'; the token with "
                f"the prefix {auth.token_prefix!r} became an Authorization header."
            )
            return None
        return auth_to_postman(auth)

    def _script(
        self, checks: list[Check], captures: list[Capture], kept: list[str], where: str
    ) -> list[str]:
        """Test lines for the checks and captures; a status check the kept Postman script
        already makes (the importer turned it into a check) is not made twice."""
        kept_text = "\n".join(kept)
        lines = []
        for check in checks:
            if check.enabled:
                if check.source == "status" and f"status({check.expected})" in kept_text:
                    continue
                line = _check_line(check)
                if line.startswith("//"):
                    self.warnings.append(
                        f"{where!r}: the check '{_describe(check)}' has no simple Postman test; "
                        "it is a comment in the test script."
                    )
                lines.append(line)
        for capture in captures:
            if capture.enabled:
                line = _capture_line(capture)
                if line.startswith("//"):
                    self.warnings.append(
                        f"{where!r}: the capture of {capture.variable!r} has no simple Postman "
                        "equivalent; it is a comment in the test script."
                    )
                lines.append(line)
        return lines


def _listed(things: list[str], shown: int = 5) -> str:
    """``things`` joined by commas; past ``shown`` of them, the rest as "and N more"."""
    if len(things) <= shown:
        return ", ".join(things)
    return ", ".join(things[:shown]) + f" and {len(things) - shown} more"


def _split_scripts(description: str) -> tuple[str, dict[str, list[str]]]:
    """The description without the Postman scripts the importer kept in it as text, and
    those scripts (by ``listen``), so they go back to Postman as scripts."""
    heading = f"## {SCRIPTS_HEADING}"
    text, found, section = description.partition(heading)
    if not found:
        return description, {}
    scripts: dict[str, list[str]] = {}
    for title, code in _SCRIPT_BLOCK.findall(section):
        listen = "prerequest" if title.startswith("Pre") else "test"
        scripts[listen] = code.split("\n")
    return text.rstrip(), scripts


def _row(row: KeyValue) -> Json:
    entry: Json = {"key": row.name, "value": row.value}
    if not row.enabled:
        entry["disabled"] = True
    if row.description:
        entry["description"] = row.description
    return entry


def _url(base: str, params: list[KeyValue]) -> Json:
    """Postman's URL object: ``raw`` for people and importers, the parts for newman."""
    raw = join_url(base, params)
    match = _URL.match(base.partition("#")[0])
    assert match is not None  # the pattern matches any text
    url: Json = {"raw": raw}
    if match["protocol"]:
        url["protocol"] = match["protocol"]
    host = match["host"]
    port_match = re.search(r":(\d+|\{\{[^}]*\}\})$", host)
    if port_match:
        url["port"] = port_match.group(1)
        host = host[: port_match.start()]
    url["host"] = [host] if "{{" in host else host.split(".")
    path = match["path"].lstrip("/")
    if path:
        url["path"] = path.split("/")
    if params:
        query = []
        for row in params:
            entry: Json = {
                "key": row.name,
                "value": None if row.bare and not row.value else row.value,
            }
            if not row.enabled:
                entry["disabled"] = True
            if row.description:
                entry["description"] = row.description
            query.append(entry)
        url["query"] = query
    return url


def _js(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _expected(check: Check) -> str:
    """The expected value as JavaScript; ``{{variables}}`` are replaced when the test runs."""
    if "{{" in check.expected:
        return f"pm.variables.replaceIn({_js(check.expected)})"
    return _js(check.expected)


def _json_access(path: str) -> str | None:
    """``$.a.b[0]['c d']`` as ``["a"]["b"][0]["c d"]``; None for anything not that simple."""
    match = _SIMPLE_PATH.fullmatch(path.strip())
    if match is None:
        return None
    out = []
    for seg in _SEGMENT.finditer(match.group(1)):
        name, index, single, double = seg.groups()
        out.append(f"[{index}]" if index is not None else f"[{_js(name or single or double)}]")
    return "".join(out)


def _test(title: str, body: str) -> str:
    return f"pm.test({_js(title)}, function () {{ {body} }});"


def _check_line(check: Check) -> str:
    title = _describe(check)
    if (
        check.source == "status"
        and check.op in ("equals", "not_equals")
        and check.expected.isdigit()
    ):
        negate = ".not" if check.op == "not_equals" else ""
        return _test(title, f"pm.response.to{negate}.have.status({check.expected});")
    if check.source == "header":
        value = f"pm.response.headers.get({_js(check.expression)})"
        if check.op == "equals":
            return _test(title, f"pm.expect({value}).to.eql({_expected(check)});")
        if check.op == "contains":
            return _test(title, f"pm.expect({value}).to.include({_expected(check)});")
        if check.op == "exists":
            return _test(title, f"pm.response.to.have.header({_js(check.expression)});")
    if check.source == "jsonpath":
        access = _json_access(check.expression)
        if access is not None:
            value = f"pm.response.json(){access}"
            if check.op == "equals":
                actual = f"(typeof {value} === 'string' ? {value} : JSON.stringify({value}))"
                return _test(title, f"pm.expect({actual}).to.eql({_expected(check)});")
            if check.op == "exists":
                return _test(title, f"pm.expect({value}).to.not.be.undefined;")
    if check.source == "body" and check.op == "contains":
        return _test(title, f"pm.expect(pm.response.text()).to.include({_expected(check)});")
    if check.source == "time_ms" and check.op == "less_than":
        return _test(
            title, f"pm.expect(pm.response.responseTime).to.be.below(Number({_expected(check)}));"
        )
    return f"// apiclient check not translated: {title}"


def _capture_line(capture: Capture) -> str:
    name = _js(capture.variable)
    if capture.source == "jsonpath":
        access = _json_access(capture.expression)
        if access is not None:
            value = f"pm.response.json(){access}"
            text = f"(typeof {value} === 'string' ? {value} : JSON.stringify({value}))"
            return f"pm.collectionVariables.set({name}, {text});"
    if capture.source == "header":
        header = f"pm.response.headers.get({_js(capture.expression)})"
        return f"pm.collectionVariables.set({name}, {header});"
    if capture.source == "status":
        return f"pm.collectionVariables.set({name}, String(pm.response.code));"
    if capture.source == "body":
        return f"pm.collectionVariables.set({name}, pm.response.text());"
    source = f"{capture.source} {capture.expression}".strip()
    return f"// apiclient capture not translated: {capture.variable} from {source}"


def _describe(check: Check) -> str:
    parts = [check.source, check.expression, check.op.replace("_", " "), check.expected]
    return " ".join(part for part in parts if part)
