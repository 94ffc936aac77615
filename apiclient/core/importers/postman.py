"""Postman Collection v2.1 and v2.0 exports, and Postman environments, read into our models.

What carries over: folders (item groups) in order, requests (method, URL with its query
rows, headers, body, auth), collection variables, descriptions. The collection's and the
folders' auth land on the collection and the folders, and a request without ``auth``
inherits, as in Postman; ``noauth`` is kind none. Basic, digest, NTLM, bearer, API key,
OAuth 2.0 (client credentials, password, authorization code), OAuth 1.0 (HMAC-SHA1), AWS
Signature v4 and Hawk map onto our kinds (see ``postman_auth``). ``{{variables}}`` pass
through unchanged.

We have no folder variables, so a folder's ``variable`` list is copied into every request
under it as request variables: an inner folder's value wins over an outer one's, and the
request's own ``variable`` list wins over both. A warning per folder says so, and names
the difference: our request variables outrank the environment, where Postman ranks folder
variables below it (and newman does not apply them at all).

``pm.variables.set("name", "value");`` lines (JSON strings) at the top of a request's
pre-request script, as our Postman exporter writes a request's own variables, come back
as request variables (winning over both lists) and leave the script.

What does not, each said in a warning naming the request: auth kinds and variants we do
not have (EdgeGrid, Akamai, the implicit OAuth 2.0 grant, RSA-signed OAuth 1.0...), path
variables (``:id``) without a value. Pre-request and test scripts are JavaScript we do
not run: they are kept as text at the end of the description, under a heading that says
so. Two common test lines,
``pm.response.to.have.status(200)`` and ``pm.expect(pm.response.code).to.eql(201)``,
also become status checks.

Any file gives a :class:`Collection` or a :class:`PostmanImportError` saying what the file
is instead (not JSON, an Insomnia export, an OpenAPI file, the v1 format...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from apiclient.core.importers import (
    CollectionImportError,
    ImportResult,
    describe_document,
    read_json_file,
)
from apiclient.core.importers.common import (
    PATH_VARIABLE,
    as_list,
    as_obj,
    as_text,
    left_out,
    with_scripts,
)
from apiclient.core.importers.postman_auth import UnsupportedAuth, auth_from_postman
from apiclient.core.importers.postman_variables import (
    merge_variables,
    own_variables,
    read_variable,
)
from apiclient.core.importers.progress import PARSING, ImportProgress
from apiclient.core.models import (
    Auth,
    Body,
    Check,
    Collection,
    Environment,
    Folder,
    FormField,
    GraphqlRequest,
    KeyValue,
    RestRequest,
    Variable,
    inherit_auth,
)
from apiclient.core.urls import join_url, split_url

SCRIPTS_HEADING = "Postman scripts (kept as text, not run by apiclient)"
_EXPORT_AGAIN = "Export it again from Postman as Collection v2.1 and import that file."
_LANGUAGES = {"json", "xml", "html", "text", "javascript"}
_STATUS_PATTERNS = (
    re.compile(r"pm\.response\.to\.have\.status\(\s*(\d{3})\s*\)"),
    re.compile(
        r"pm\.expect\(\s*pm\.response\.code\s*\)\.to\.(?:eql|equal|be\.equal|eq)\(\s*(\d{3})\s*\)"
    ),
)

_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
_SET_VARIABLE = re.compile(
    rf"pm\.variables\.set\(\s*({_JSON_STRING})\s*,\s*({_JSON_STRING})\s*\);?"
)

Json = dict[str, Any]


class PostmanImportError(CollectionImportError):
    """A file that is not a Postman collection (or environment) we can read."""


def import_postman(
    path: Path, doc: Any = None, progress: ImportProgress | None = None
) -> ImportResult:
    """Read a Postman v2.1 or v2.0 collection export; raise ``PostmanImportError``.

    ``doc`` is the file's JSON when the caller parsed it already; ``progress`` hears of
    each request converted and may cancel (``ImportCancelledError``).
    """
    if doc is None:
        doc = read_json_file(path, PostmanImportError, _EXPORT_AGAIN)
    _check_collection_shape(doc, path)
    return _Importer(path, progress or ImportProgress()).collection(doc)


def import_postman_environment(path: Path) -> Environment:
    """Read a Postman environment export (its enabled and disabled values).

    A name listed twice keeps its last enabled value, as Postman does when it runs.
    """
    doc = read_json_file(path, PostmanImportError, _EXPORT_AGAIN)
    values = doc.get("values") if isinstance(doc, dict) else None
    if not isinstance(values, list):
        raise PostmanImportError(
            f"{path} is not a Postman environment: {describe_document(doc)} An environment "
            'export is a JSON object with "name" and a "values" list; in Postman use '
            "Environments > ... > Export.",
            path,
        )
    variables = merge_variables([v for v in map(read_variable, values) if v is not None])
    name = as_text(doc.get("name")) or path.stem
    return Environment(name=name, variables=variables)


# ---- reading and recognising the file ------------------------------------------------------


def _check_collection_shape(doc: Any, path: Path) -> None:
    if isinstance(doc, dict) and "requests" in doc and "item" not in doc:
        raise PostmanImportError(
            f"{path} is a Postman collection in the v1 format, which is not supported. "
            "Open it in Postman and export it as Collection v2.1, then import that file.",
            path,
        )
    if not (isinstance(doc, dict) and isinstance(doc.get("item"), list)):
        if isinstance(doc, dict) and "values" in doc and "_postman_variable_scope" in doc:
            raise PostmanImportError(
                f"{path} is a Postman environment, not a collection. Import it as an "
                "environment (apiclient run --env FILE) and choose the collection file.",
                path,
            )
        if isinstance(doc, dict) and "info" in doc and "item" in doc:
            raise PostmanImportError(
                f"{path} looks like a Postman collection, but its 'item' is not a list of "
                f"requests and folders, so it is damaged. {_EXPORT_AGAIN}",
                path,
            )
        raise PostmanImportError(
            f"{path} is not a Postman collection: {describe_document(doc)} {_EXPORT_AGAIN}", path
        )
    info = as_obj(doc.get("info"))
    schema = as_text(info.get("schema") or info.get("_postman_schema"))
    if "v1." in schema:
        raise PostmanImportError(
            f"{path} declares the Postman v1 collection schema, which is not supported. "
            f"{_EXPORT_AGAIN}",
            path,
        )
    if schema and not re.search(r"2\.[01]\.\d", schema):
        raise PostmanImportError(
            f"{path} declares the collection schema {schema}, which apiclient does not read "
            f"(it reads v2.0 and v2.1). {_EXPORT_AGAIN}",
            path,
        )


# ---- small helpers for untrusted JSON ------------------------------------------------------


def _description(value: Any) -> str:
    return as_text(value.get("content")) if isinstance(value, dict) else as_text(value)


def _rows(value: Any, make: Callable[..., KeyValue] = KeyValue) -> list[Any]:
    """Postman key/value rows (headers, query, urlencoded) as ours, disabled ones kept."""
    if isinstance(value, str):  # v2.0 allows headers as "Name: value" lines
        pairs = [line.partition(":") for line in value.splitlines() if line.strip()]
        return [make(name=name.strip(), value=val.strip()) for name, _, val in pairs]
    rows = []
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        rows.append(
            make(
                name=as_text(entry.get("key")),
                value=as_text(entry.get("value")),
                enabled=entry.get("disabled") is not True,
                description=_description(entry.get("description")),
            )
        )
    return rows


# ---- the conversion ---------------------------------------------------------------------


class _Importer:
    def __init__(self, path: Path, progress: ImportProgress) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.progress = progress
        self.done = 0

    def collection(self, doc: Json) -> ImportResult:
        info = as_obj(doc.get("info"))
        name = as_text(info.get("name") or doc.get("name")) or self.path.stem
        description = _with_scripts(_description(info.get("description")), doc.get("event"))
        variables = [
            v
            for v in map(
                read_variable, as_list(doc.get("variable")) + as_list(doc.get("variables"))
            )
            if v is not None
        ]
        auth = self._auth(doc.get("auth"), f"the collection {name!r}")
        self.progress.start(PARSING, _count_requests(doc["item"]))
        items = self._items(doc["item"], (name,), [])
        collection = Collection(
            name=name, description=description, variables=variables, auth=auth, items=items
        )
        return ImportResult(collection, tuple(self.warnings), "Postman collection")

    def _items(
        self, entries: Iterable[Any], trail: tuple[str, ...], inherited: list[Variable]
    ) -> list[Any]:
        items: list[Any] = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                self.warnings.append(
                    f"Item {number} of {' / '.join(trail)} is not an object; it was left out."
                )
                continue
            name = as_text(entry.get("name")) or f"Item {number}"
            where = " / ".join((*trail[1:], name)) or name
            try:
                if isinstance(entry.get("item"), list):
                    items.append(self._folder(entry, (*trail, name), where, inherited))
                elif "request" in entry:
                    self.done += 1
                    self.progress.step(self.done)
                    items.append(self._request(entry, name, where, inherited))
                else:
                    self.warnings.append(f"{where!r} is neither a request nor a folder; skipped.")
            except ValidationError as exc:
                self.warnings.append(left_out(f"{where!r}", exc))
        return items

    def _folder(
        self, entry: Json, trail: tuple[str, ...], where: str, inherited: list[Variable]
    ) -> Folder:
        """``trail`` ends with this folder's name."""
        variables = own_variables(entry)
        if variables:
            names = ", ".join(dict.fromkeys(v.name for v in variables))
            self.warnings.append(
                f"Folder {where!r} has its own variables ({names}); apiclient has no folder "
                "variables, so they were copied into each request under it as request "
                "variables, which outrank the environment. In Postman folder variables "
                "rank below the environment, and newman does not apply them at all."
            )
        auth = self._auth(entry.get("auth"), f"folder {where!r}")
        description = _with_scripts(_description(entry.get("description")), entry.get("event"))
        children = self._items(entry["item"], trail, merge_variables(inherited, variables))
        return Folder(name=trail[-1], description=description, auth=auth, items=children)

    def _request(self, entry: Json, name: str, where: str, inherited: list[Variable]) -> Any:
        set_in_script, events = _script_variables(entry.get("event"))
        variables = merge_variables(inherited, own_variables(entry), set_in_script)
        request = entry["request"]
        if isinstance(request, str):
            request = {"url": request}
        request = as_obj(request)
        auth = self._auth(request.get("auth"), f"request {where!r}")
        url, params = self._url(request.get("url"), where)
        headers = _rows(request.get("header"))
        description = _with_scripts(_description(request.get("description")), events)
        checks = self._checks(events, where)
        method = (as_text(request.get("method")) or "GET").upper()
        body_doc = as_obj(request.get("body"))
        if body_doc.get("mode") == "graphql":
            graphql = as_obj(body_doc.get("graphql"))
            return GraphqlRequest(
                name=name,
                description=description,
                url=join_url(url, params),
                method="GET" if method == "GET" else "POST",
                query=as_text(graphql.get("query")),
                variables_json=as_text(graphql.get("variables")),
                headers=headers,
                auth=auth,
                checks=checks,
                variables=variables,
            )
        return RestRequest(
            name=name,
            description=description,
            method=method,
            url=url,
            params=params,
            headers=headers,
            body=self._body(body_doc, headers, where),
            auth=auth,
            checks=checks,
            variables=variables,
        )

    def _url(self, value: Any, where: str) -> tuple[str, list[KeyValue]]:
        if value is None or value == "":
            self.warnings.append(f"Request {where!r} has no URL.")
            return "", []
        if isinstance(value, str):
            raw, query, path_vars = value, None, []
        else:
            url = as_obj(value)
            raw = as_text(url.get("raw")) or _url_from_parts(url)
            query = url.get("query") if isinstance(url.get("query"), list) else None
            path_vars = as_list(url.get("variable"))
        base, params = split_url(raw)
        if query is not None:
            params = _rows(query)
        return self._path_variables(base, path_vars, where), params

    def _path_variables(self, base: str, declared: list[Any], where: str) -> str:
        values = {
            as_text(v.get("key")): as_text(v.get("value")) for v in declared if isinstance(v, dict)
        }

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if values.get(name):
                return values[name]
            self.warnings.append(
                f"Request {where!r}: the path variable :{name} has no value, so the URL keeps "
                f"':{name}' as typed. Replace it with a value or a {{{{variable}}}}."
            )
            return match.group(0)

        return PATH_VARIABLE.sub(replace, base)

    def _body(self, body: Json, headers: list[KeyValue], where: str) -> Body:
        mode = body.get("mode")
        if not mode or body.get("disabled") is True:
            return Body()
        if mode == "raw":
            return Body(mode="raw", raw=as_text(body.get("raw")), language=_language(body, headers))
        if mode == "urlencoded":
            return Body(mode="urlencoded", urlencoded=_rows(body.get("urlencoded")))
        if mode == "formdata":
            return Body(mode="multipart", multipart=self._form(body.get("formdata"), where))
        if mode == "file":
            src = as_obj(body.get("file")).get("src")
            if not src:
                self.warnings.append(f"Request {where!r}: the file body names no file.")
            return Body(mode="binary", binary_path=as_text(src))
        self.warnings.append(f"Request {where!r}: the body mode {mode!r} is not supported.")
        return Body()

    def _form(self, entries: Any, where: str) -> list[FormField]:
        fields = []
        for entry in as_list(entries):
            if not isinstance(entry, dict):
                continue
            is_file = entry.get("type") == "file"
            value = entry.get("src") if is_file else entry.get("value")
            if isinstance(value, list):
                if len(value) > 1:
                    self.warnings.append(
                        f"Request {where!r}: the form field {as_text(entry.get('key'))!r} sends "
                        "several files; only the first was kept."
                    )
                value = value[0] if value else ""
            fields.append(
                FormField(
                    name=as_text(entry.get("key")),
                    value=as_text(value),
                    enabled=entry.get("disabled") is not True,
                    description=_description(entry.get("description")),
                    type="file" if is_file else "text",
                    content_type=as_text(entry.get("contentType")),
                )
            )
        return fields

    def _auth(self, value: Any, where: str) -> Auth:
        """Our auth for a Postman ``auth`` object; inherit when it has none."""
        try:
            return auth_from_postman(value) or inherit_auth()
        except UnsupportedAuth as exc:
            self.warnings.append(
                f"{str(exc)[0].upper()}{str(exc)[1:]} of {where} is not supported by "
                "apiclient; it was imported without auth. Set the auth by hand."
            )
            return Auth(kind="none")

    def _checks(self, events: Any, where: str) -> list[Check]:
        checks = []
        for line in _script_lines(events, "test"):
            for pattern in _STATUS_PATTERNS:
                for match in pattern.finditer(line):
                    checks.append(Check(source="status", op="equals", expected=match.group(1)))
                    self.warnings.append(
                        f"Request {where!r}: the test {match.group(0)!r} became the check "
                        f"'status equals {match.group(1)}'; the rest of its test script is "
                        "kept as text in the description and not run."
                    )
        return checks


def _count_requests(entries: Any) -> int:
    """How many requests the item tree holds (as ``_Importer._items`` will find them)."""
    count = 0
    for entry in as_list(entries):
        if isinstance(entry, dict):
            if isinstance(entry.get("item"), list):
                count += _count_requests(entry["item"])
            elif "request" in entry:
                count += 1
    return count


def _url_from_parts(url: Json) -> str:
    host = url.get("host")
    host_text = ".".join(map(as_text, host)) if isinstance(host, list) else as_text(host)
    path = url.get("path")
    path_text = "/".join(map(as_text, path)) if isinstance(path, list) else as_text(path)
    text = host_text
    if url.get("port"):
        text += f":{as_text(url['port'])}"
    if path_text:
        text += "/" + path_text.lstrip("/")
    protocol = as_text(url.get("protocol"))
    return f"{protocol}://{text}" if protocol else text


def _language(body: Json, headers: list[KeyValue]) -> Any:
    language = as_text(as_obj(as_obj(as_obj(body.get("options")).get("raw"))).get("language"))
    if language in _LANGUAGES:
        return language
    content_type = next(
        (h.value.lower() for h in headers if h.enabled and h.name.lower() == "content-type"), ""
    )
    for known in ("json", "xml", "html", "javascript"):
        if known in content_type:
            return known
    return "text"


def _script_lines(events: Any, listen: str) -> list[str]:
    lines: list[str] = []
    for event in as_list(events):
        if not isinstance(event, dict) or event.get("listen") != listen:
            continue
        script = event.get("script")
        if isinstance(script, str):
            lines.append(script)
            continue
        exec_ = as_obj(script).get("exec")
        lines += [as_text(line) for line in exec_] if isinstance(exec_, list) else [as_text(exec_)]
    return lines


def _script_variables(events: Any) -> tuple[list[Variable], list[Any]]:
    """The variables set by ``pm.variables.set("name", "value");`` lines at the top of the
    pre-request script (as our exporter writes a request's variables), and the events
    without those lines."""
    variables: list[Variable] = []
    kept: list[Any] = []
    first = True
    for event in as_list(events):
        script = as_obj(as_obj(event).get("script"))
        lines = script.get("exec")
        if not (first and as_obj(event).get("listen") == "prerequest" and isinstance(lines, list)):
            kept.append(event)
            continue
        first = False
        taken = 0
        for line in lines:
            found = _SET_VARIABLE.fullmatch(as_text(line).strip())
            pair = _js_strings(found.groups()) if found else None
            if pair is None:
                break
            variables.append(Variable(name=pair[0], value=pair[1]))
            taken += 1
        kept.append({**event, "script": {**script, "exec": lines[taken:]}})
    return variables, kept


def _js_strings(texts: Iterable[str]) -> list[str] | None:
    """JSON string literals as their strings; None when one is not valid JSON."""
    try:
        return [json.loads(text) for text in texts]
    except ValueError:
        return None


def _with_scripts(description: str, events: Any) -> str:
    """``description`` with the pre-request and test scripts appended as inert text."""
    scripts = [
        (title, "\n".join(_script_lines(events, listen)))
        for listen, title in (("prerequest", "Pre-request script"), ("test", "Test script"))
    ]
    return with_scripts(description, SCRIPTS_HEADING, scripts)
