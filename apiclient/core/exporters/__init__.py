"""Exporters: our requests and collections written for other tools (curl, Python httpx,
JavaScript fetch, Postman).

They take a *resolved* request (variables already substituted, as the UI sends it) and are
pure text work: no file is read and nothing is sent. What a request sends is worked out
here once, the way the REST engine (``apiclient.protocols.rest``) builds it: the same
URL encoding, the Auth tab applied to headers and query, the same default Content-Type.
So a snippet sends what the app sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlencode, urlsplit

from apiclient.core.models import Auth, KeyValue, RestRequest

LANGUAGE_CONTENT_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PATH_SAFE = "/:@!$&'()*+,;="
_QUERY_NAME_SAFE = "/?:@!$'()*+,;"
_QUERY_VALUE_SAFE = _QUERY_NAME_SAFE + "="


@dataclass(frozen=True)
class SentRequest:
    """What a resolved request puts on the wire, before the body is encoded.

    ``headers`` are the enabled rows with the Auth tab's header and the body's default
    Content-Type applied (a multipart body drops a typed Content-Type without a boundary,
    since the client writes its own). ``basic`` and ``digest`` auth stay in ``auth``:
    each tool has its own way to send them.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    auth: Auth


def sent_request(request: RestRequest) -> SentRequest:
    """The method, encoded URL (with the query) and headers the REST engine would send."""
    headers = [(row.name.strip(), row.value.strip()) for row in _enabled(request.headers)]
    query: list[tuple[str, str | None]] = [
        (row.name, None if row.bare and not row.value else row.value)
        for row in request.params
        if row.enabled and (row.name or row.value)
    ]
    auth = request.auth
    if auth.kind == "bearer":
        prefix = auth.token_prefix.strip()
        value = f"{prefix} {auth.token.strip()}" if prefix else auth.token
        if value.strip():
            _set(headers, "Authorization", value.strip())
    elif auth.kind == "apikey" and auth.key_name.strip():
        if auth.key_in == "query":
            query.append((auth.key_name.strip(), auth.key_value))
        else:
            _set(headers, auth.key_name.strip(), auth.key_value.strip())
    body = request.body
    default = {
        "raw": LANGUAGE_CONTENT_TYPES[body.language],
        "urlencoded": "application/x-www-form-urlencoded",
        "binary": "application/octet-stream",
    }.get(body.mode)
    if default and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", default))
    if body.mode == "multipart":
        headers = [
            (name, value)
            for name, value in headers
            if name.lower() != "content-type" or "boundary=" in value.lower()
        ]
    url = _append_query(_encode_url(request.url), query)
    return SentRequest(request.method.strip().upper(), url, tuple(headers), auth)


def urlencoded_body(rows: list[KeyValue]) -> str:
    """An urlencoded body exactly as the engine encodes it (``+`` for spaces)."""
    return urlencode([(row.name, row.value) for row in _enabled(rows)])


Row = TypeVar("Row", bound=KeyValue)


def enabled_rows(rows: list[Row]) -> list[Row]:
    """The rows that are sent: enabled, with a name."""
    return [row for row in rows if row.enabled and row.name.strip()]


_enabled = enabled_rows


def _set(headers: list[tuple[str, str]], name: str, value: str) -> None:
    headers[:] = [(k, v) for k, v in headers if k.lower() != name.lower()]
    headers.append((name, value))


def _quote(text: str, safe: str) -> str:
    """Percent-encode ``text`` but keep ``%XX`` escapes already there."""
    out: list[str] = []
    pos = 0
    for match in _ESCAPE.finditer(text):
        out.append(quote(text[pos : match.start()], safe=safe))
        out.append(match.group())
        pos = match.end()
    out.append(quote(text[pos:], safe=safe))
    return "".join(out)


def _encode_url(text: str) -> str:
    url = text.strip()
    if not _SCHEME.match(url):
        url = f"http://{url}"
    url = url.partition("#")[0]
    parts = urlsplit(url)
    rebuilt = f"{parts.scheme.lower()}://{parts.netloc}{_quote(parts.path, _PATH_SAFE)}"
    if "?" in url:
        rebuilt += "?" + _quote(parts.query, _QUERY_VALUE_SAFE + "&")
    return rebuilt


def _append_query(url: str, pairs: list[tuple[str, str | None]]) -> str:
    items = [
        _quote(name, _QUERY_NAME_SAFE)
        + ("" if value is None else f"={_quote(value, _QUERY_VALUE_SAFE)}")
        for name, value in pairs
    ]
    if not items:
        return url
    query = "&".join(items)
    if "?" not in url:
        return f"{url}?{query}"
    if url.endswith(("?", "&")):
        return url + query
    return f"{url}&{query}"
