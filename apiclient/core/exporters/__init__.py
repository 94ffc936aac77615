"""Exporters: our requests and collections written for other tools (curl, Python httpx,
JavaScript fetch, Postman).

They take a *resolved* request (variables already substituted, as the UI sends it) and are
pure text work: no file is read and nothing is sent. What a request sends is worked out
here once, by the rules the REST engine (``apiclient.protocols.rest``) also sends by
(:mod:`apiclient.core.http_parts`): the same URL encoding, the Auth tab applied to headers
and query, the same default Content-Type. So a snippet sends what the app sends.
"""

from __future__ import annotations

from dataclasses import dataclass

from apiclient.core.http_parts import (
    append_query,
    auth_part,
    default_content_type,
    enabled_rows,
    encode_url,
    keeps_header_with_multipart,
    query_pairs,
)
from apiclient.core.models import Auth, RestRequest

_SIGNED_KINDS = {
    "oauth1": "OAuth 1.0 (HMAC-SHA1)",
    "awsv4": "AWS Signature v4",
    "hawk": "Hawk",
    "ntlm": "NTLM",
}


def unsigned_note(auth: Auth, tool: str, kinds: tuple[str, ...] = tuple(_SIGNED_KINDS)) -> str:
    """A sentence for a comment line when ``tool`` cannot sign as ``auth`` does (one of
    ``kinds``); "" otherwise."""
    if auth.kind not in kinds:
        return ""
    return (
        f"apiclient signs this request with {_SIGNED_KINDS[auth.kind]}; {tool} cannot, so "
        "it goes without that auth."
    )


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
    headers = [(row.name.strip(), row.value.strip()) for row in enabled_rows(request.headers)]
    query = query_pairs(request.params)
    part = auth_part(request.auth)
    if part is not None and part.where == "query":
        query.append((part.name, part.value))
    elif part is not None:
        headers = [(k, v) for k, v in headers if k.lower() != part.name.lower()]
        headers.append((part.name, part.value))
    default = default_content_type(request.body)
    if default and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", default))
    if request.body.mode == "multipart":
        headers = [(k, v) for k, v in headers if keeps_header_with_multipart(k, v)]
    url = append_query(encode_url(request.url), query)
    return SentRequest(request.method.strip().upper(), url, tuple(headers), request.auth)
