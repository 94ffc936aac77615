"""HAR 1.2 (and 1.1) captures, the network logs browsers and proxies save, read into our
models: one request per entry, duplicates kept, in the order of the capture.

Requests are grouped into one folder per page when the capture has pages, otherwise one
folder per host. A request is named ``METHOD /path``; its URL keeps the query text
exactly as sent (the ``queryString`` list is decoded and would not round-trip).

Headers that the HTTP client sets by itself or that describe the old connection are left
out: HTTP/2 pseudo-headers (``:authority``...), ``Host``, ``Content-Length``,
``Connection``, and the WebSocket handshake headers. Cookies are left out on purpose:
a capture's cookies are someone's live session, and collection files never hold cookies
(DESIGN.md, Storage). One warning names the requests that sent them, so the user knows
to log in (or add a ``Cookie`` header) by hand.

Bodies: form fields (``params``) become a urlencoded or multipart body; other text is
kept as a raw body with its ``Content-Type`` header, so the bytes sent are the captured
ones (a multipart text whose fields were not listed keeps its boundary and header).
``ws://``/``wss://`` entries become WebSocket requests; other schemes (``data:``,
``blob:``, ``chrome-extension:``) are left out with a warning.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from apiclient.core.importers import (
    CollectionImportError,
    ImportResult,
    describe_document,
    read_json_file,
)
from apiclient.core.importers.common import as_list, as_obj, as_text, left_out, raw_language
from apiclient.core.models import (
    Auth,
    Body,
    Collection,
    Folder,
    FormField,
    KeyValue,
    RestRequest,
    WebsocketRequest,
)
from apiclient.core.urls import split_url

_SAVE_AGAIN = (
    "Save the capture again from the browser's developer tools (Network > Save all as HAR) "
    "and import that file."
)
_READ_VERSIONS = ("1.1", "1.2")
_DROPPED_HEADERS = {
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
}
_MAX_NAME = 80

Json = dict[str, Any]


class HarImportError(CollectionImportError):
    """A file that is not a HAR capture we can read."""


def import_har(path: Path) -> ImportResult:
    """Read a HAR capture; raise ``HarImportError``.

    Also takes what some tools export instead of a whole log: a single entry (an object
    with ``request``) or a single request (with ``method`` and ``url``), with a warning.
    """
    doc = read_json_file(path, HarImportError, _SAVE_AGAIN)
    log, warnings = _log(doc, path)
    return _Importer(path, warnings).result(log)


def _log(doc: Any, path: Path) -> tuple[Json, list[str]]:
    """The ``log`` object of ``doc`` and the warnings about its shape, or the error."""
    if isinstance(doc, dict) and isinstance(doc.get("method"), str) and "url" in doc:
        note = f"{path} holds a single HAR request, not a whole capture; it was imported alone."
        return {"entries": [{"request": doc}]}, [note]
    if isinstance(doc, dict) and isinstance(doc.get("request"), dict):
        note = f"{path} holds a single HAR entry, not a whole capture; it was imported alone."
        return {"entries": [doc]}, [note]
    log = doc.get("log") if isinstance(doc, dict) else None
    if not isinstance(log, dict):
        raise HarImportError(
            f"{path} is not a HAR capture: {describe_document(doc)} A HAR file is a JSON "
            f'object with a "log" holding "entries". {_SAVE_AGAIN}',
            path,
        )
    if not isinstance(log.get("entries"), list):
        raise HarImportError(
            f'{path} is a HAR capture without an "entries" list, so it holds no requests. '
            f"{_SAVE_AGAIN}",
            path,
        )
    warnings = []
    version = log.get("version")
    if version is None:
        warnings.append(f"{path} does not say which HAR version it is; it was read as HAR 1.2.")
    elif str(version) not in _READ_VERSIONS:
        warnings.append(
            f"{path} says it is HAR {version}; apiclient reads HAR 1.1 and 1.2, so it was "
            "read as 1.2 and fields of other versions were ignored."
        )
    return log, warnings


def _name(method: str, url: str) -> str:
    path = urlsplit(url).path or "/"
    name = f"{method} {path}"
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 3] + "..."


# ---- the conversion ---------------------------------------------------------------------


class _Importer:
    def __init__(self, path: Path, warnings: list[str]) -> None:
        self.path = path
        self.warnings = warnings
        self.with_cookies: list[str] = []
        self.skipped_schemes: Counter[str] = Counter()

    def result(self, log: Json) -> ImportResult:
        pages = {
            as_text(p.get("id")): as_text(p.get("title")) or as_text(p.get("id"))
            for p in as_list(log.get("pages"))
            if isinstance(p, dict) and p.get("id") is not None
        }
        groups: dict[str, list[Any]] = {}
        entries = as_list(log.get("entries"))
        for number, entry in enumerate(entries, start=1):
            request = as_obj(entry).get("request")
            if not isinstance(request, dict):
                self.warnings.append(f"Entry {number} has no request object; it was left out.")
                continue
            url = as_text(request.get("url"))
            try:
                scheme = urlsplit(url).scheme.lower()
            except ValueError:  # "http://[::1": a bracket never closed, say
                self.warnings.append(
                    f"Entry {number} has a URL that is not valid ({url!r}); it was left out."
                )
                continue
            if scheme not in ("http", "https", "ws", "wss"):
                self.skipped_schemes[scheme or "no scheme"] += 1
                continue
            try:
                item = self._request(request, url, scheme, number)
            except ValidationError as exc:
                self.warnings.append(left_out(f"Entry {number} ({url})", exc))
                continue
            page = pages.get(as_text(as_obj(entry).get("pageref")))
            group = page or urlsplit(url).netloc or "requests"
            groups.setdefault(group, []).append(item)
        self._report(len(entries))
        if not groups:
            raise HarImportError(
                f"{self.path} holds no HTTP requests apiclient can import "
                f"({len(entries)} entries). {' '.join(self.warnings)}".rstrip(),
                self.path,
            )
        folders: list[Any] = [Folder(name=name, items=items) for name, items in groups.items()]
        collection = Collection(name=self.path.stem.removesuffix(".har"), items=folders)
        return ImportResult(collection, tuple(self.warnings), "HAR capture")

    def _report(self, total: int) -> None:
        if self.skipped_schemes:
            listed = ", ".join(f"{n} {s}" for s, n in sorted(self.skipped_schemes.items()))
            self.warnings.append(
                f"Left out entries that are not HTTP or WebSocket requests ({listed} URLs)."
            )
        if self.with_cookies:
            names = ", ".join(repr(n) for n in self.with_cookies[:5])
            more = f" and {len(self.with_cookies) - 5} more" if len(self.with_cookies) > 5 else ""
            self.warnings.append(
                f"{len(self.with_cookies)} of {total} requests sent cookies ({names}{more}); "
                "captured cookies are a live session and were not imported. Log in again, or "
                "add a Cookie header by hand where a request needs one."
            )

    def _request(self, request: Json, url: str, scheme: str, number: int) -> Any:
        method = (as_text(request.get("method")) or "GET").upper()
        name = _name(method, url)
        headers = self._headers(request, f"{name} (entry {number})")
        if scheme in ("ws", "wss"):
            return WebsocketRequest(name=name, url=url, headers=headers)
        base, params = split_url(url)
        if not params:  # some tools list the query only in queryString
            params = [
                KeyValue(name=as_text(q.get("name")), value=as_text(q.get("value")))
                for q in as_list(request.get("queryString"))
                if isinstance(q, dict)
            ]
        post = as_obj(request.get("postData"))
        body, headers = self._body(post, headers) if post else (Body(), headers)
        if body.mode == "raw" and not any(h.name.lower() == "content-type" for h in headers):
            self.warnings.append(
                f"{name} (entry {number}): the capture does not say what type its body is, so "
                "it is sent as captured with no Content-Type header; add one if the server "
                "needs it."
            )
        # What was sent, Authorization header included: nothing to inherit on top.
        return RestRequest(
            name=name,
            method=method,
            url=base,
            params=params,
            headers=headers,
            body=body,
            auth=Auth(kind="none"),
        )

    def _headers(self, request: Json, where: str) -> list[KeyValue]:
        headers = []
        cookies = bool(as_list(request.get("cookies")))
        for entry in as_list(request.get("headers")):
            if not isinstance(entry, dict):
                continue
            name = as_text(entry.get("name"))
            lowered = name.lower()
            if lowered == "cookie":
                cookies = True
                continue
            if not name or name.startswith(":") or lowered in _DROPPED_HEADERS:
                continue
            headers.append(KeyValue(name=name, value=as_text(entry.get("value"))))
        if cookies:
            self.with_cookies.append(where)
        return headers

    def _body(self, post: Json, headers: list[KeyValue]) -> tuple[Body, list[KeyValue]]:
        """The body of ``postData`` and the headers to send with it."""
        mime = as_text(post.get("mimeType"))
        text = as_text(post.get("text"))
        params = [p for p in as_list(post.get("params")) if isinstance(p, dict)]
        lowered = mime.lower()
        if not lowered and any(p.get("fileName") for p in params):
            lowered = "multipart/form-data"
        if "x-www-form-urlencoded" in lowered and (text or params):
            if text:  # the text is what was sent; params may or may not be decoded
                rows = [KeyValue(name=k, value=v) for k, v in parse_qsl(text, True)]
            else:
                rows = [
                    KeyValue(name=as_text(p.get("name")), value=as_text(p.get("value")))
                    for p in params
                ]
            return Body(mode="urlencoded", urlencoded=rows), headers
        if "multipart/form-data" in lowered and params:
            fields = [self._field(p) for p in params]
            # The captured Content-Type carries the capture's boundary; httpx sets its own.
            kept = [h for h in headers if h.name.lower() != "content-type"]
            return Body(mode="multipart", multipart=fields), kept
        if "multipart/form-data" not in lowered and params and not text:
            rows = [
                KeyValue(name=as_text(p.get("name")), value=as_text(p.get("value"))) for p in params
            ]
            return Body(mode="urlencoded", urlencoded=rows), headers
        if not text:
            return Body(), headers
        has_type = any(h.name.lower() == "content-type" for h in headers)
        if mime and not has_type:
            headers = [*headers, KeyValue(name="Content-Type", value=mime)]
        return Body(mode="raw", raw=text, language=raw_language(mime)), headers

    def _field(self, param: Json) -> FormField:
        file_name = param.get("fileName")
        if file_name:
            return FormField(
                name=as_text(param.get("name")),
                value=as_text(file_name),
                type="file",
                content_type=as_text(param.get("contentType")),
                description="The capture names this file but does not hold it; point the "
                "field at a file on this computer.",
            )
        return FormField(
            name=as_text(param.get("name")),
            value=as_text(param.get("value")),
            content_type=as_text(param.get("contentType")),
            description=as_text(param.get("comment")),
        )
