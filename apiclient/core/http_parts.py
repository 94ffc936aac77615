"""The network-free rules of what a REST request puts on the wire.

The REST engine (``apiclient.protocols.rest``) sends by these rules and the exporters
(``apiclient.core.exporters``) write snippets by them, so a snippet and a send can never
disagree: how the URL and query rows are percent-encoded, which header or query row the
Auth tab adds, and which Content-Type a body gets when the user typed none. Nothing here
checks input or raises for the user: the engine checks first, then uses these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from apiclient.core.models import Auth, Body, KeyValue

LANGUAGE_CONTENT_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}
SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")
_ESCAPE_RE = re.compile(r"%[0-9A-Fa-f]{2}")
# Characters left as typed; everything else outside the unreserved set is escaped.
PATH_SAFE = "/:@!$&'()*+,;="
QUERY_NAME_SAFE = "/?:@!$'()*+,;"
QUERY_VALUE_SAFE = QUERY_NAME_SAFE + "="

Row = TypeVar("Row", bound=KeyValue)


def quote_keeping_escapes(text: str, safe: str) -> str:
    """Percent-encode ``text`` but keep ``%XX`` escapes the user already typed."""
    out: list[str] = []
    pos = 0
    for match in _ESCAPE_RE.finditer(text):
        out.append(quote(text[pos : match.start()], safe=safe))
        out.append(match.group())
        pos = match.end()
    out.append(quote(text[pos:], safe=safe))
    return "".join(out)


def encode_url(text: str) -> str:
    """The typed URL as sent: ``http://`` added when there is no scheme, the fragment
    dropped (it is never sent), path and query percent-encoded keeping typed escapes.

    No check is made: the engine checks the URL (``normalize_url``) before this.
    """
    url = text.strip()
    if not SCHEME_RE.match(url):
        url = f"http://{url}"
    url = url.partition("#")[0]
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": exported as typed; sending it says what is wrong
        return url
    path = quote_keeping_escapes(parts.path, PATH_SAFE)
    rebuilt = f"{parts.scheme.lower()}://{parts.netloc}{path}"
    if "?" in url:
        rebuilt += "?" + quote_keeping_escapes(parts.query, QUERY_VALUE_SAFE + "&")
    return rebuilt


def append_query(url: str, pairs: Iterable[tuple[str, str | None]]) -> str:
    """Append query rows textually (encoded, order and repeats kept) after any typed query.

    A value of None is a bare row (``?flag``, typed without ``=``) and is sent as typed.
    """
    items = [
        quote_keeping_escapes(name, QUERY_NAME_SAFE)
        + ("" if value is None else f"={quote_keeping_escapes(value, QUERY_VALUE_SAFE)}")
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


def query_pairs(params: Sequence[KeyValue]) -> list[tuple[str, str | None]]:
    """The params table as query pairs, sent as typed like the URL field
    (``apiclient.core.urls``) shows them: a row even without a name (``?=x``), and
    without ``=`` (value None) when it is bare (``?flag``)."""
    return [
        (row.name, None if row.bare and not row.value else row.value)
        for row in params
        if row.enabled and (row.name or row.value)
    ]


def enabled_rows(rows: Sequence[Row]) -> list[Row]:
    """The rows that are sent: enabled, with a name."""
    return [row for row in rows if row.enabled and row.name.strip()]


def urlencoded_body(rows: Sequence[KeyValue]) -> str:
    """An urlencoded body as it is sent (``+`` for spaces), enabled named rows only."""
    return urlencode([(row.name, row.value) for row in enabled_rows(rows)])


@dataclass(frozen=True)
class AuthPart:
    """The one header or query row the Auth tab adds to a request."""

    where: Literal["header", "query"]
    name: str
    value: str


def auth_part(auth: Auth) -> AuthPart | None:
    """The row bearer, OAuth 2.0 or API key auth adds; None for no auth, the kinds each
    client sends its own way (basic, digest, NTLM) or signs per request (OAuth 1.0a, AWS
    Signature v4, Hawk), an empty token or an API key without a name.

    OAuth 2.0 sends the access token its sender filled in ``auth.token`` (the token
    cache's) exactly as bearer does. A header value is stripped (header values are sent
    stripped); a query value is sent as typed.
    """
    if auth.kind in ("bearer", "oauth2"):
        prefix = auth.token_prefix.strip()
        value = f"{prefix} {auth.token.strip()}" if prefix else auth.token
        if value.strip():
            return AuthPart("header", "Authorization", value.strip())
    elif auth.kind == "apikey" and auth.key_name.strip():
        name = auth.key_name.strip()
        if auth.key_in == "query":
            return AuthPart("query", name, auth.key_value)
        return AuthPart("header", name, auth.key_value.strip())
    return None


def default_content_type(body: Body) -> str | None:
    """The Content-Type a body gets when the user typed none (multipart: the client's own,
    with its boundary; none: no body)."""
    if body.mode == "raw":
        return LANGUAGE_CONTENT_TYPES[body.language]
    return {
        "urlencoded": "application/x-www-form-urlencoded",
        "binary": "application/octet-stream",
    }.get(body.mode)


def keeps_header_with_multipart(name: str, value: str) -> bool:
    """Whether a typed header is sent with a multipart body: a Content-Type without a
    boundary is dropped, since the client writes its own and the body would be unreadable
    with another."""
    return name.lower() != "content-type" or "boundary=" in value.lower()
