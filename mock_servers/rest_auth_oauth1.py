"""`/auth/oauth1`: a resource that wants OAuth 1.0a HMAC-SHA1 in the Authorization
header, for consumer `demo-consumer` with token `demo-token`.

The signature is checked as RFC 5849 says, with authlib's base string and HMAC-SHA1: the
query's and a form body's parameters count, the timestamp must be within five minutes
and each nonce is accepted once.
"""

from __future__ import annotations

import hmac
import time
from typing import Any
from urllib.parse import parse_qsl
from urllib.request import parse_http_list, parse_keqv_list

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_servers.rest_auth_common import (
    CLOCK_SKEW_SECONDS,
    NonceCache,
    accepted,
    add_route,
    refused,
    signed_url,
)

CONSUMER_KEY = "demo-consumer"
CONSUMER_SECRET = "demo-consumer-secret"
TOKEN = "demo-token"
TOKEN_SECRET = "demo-token-secret"
_CHALLENGE = 'OAuth realm="mock"'
_NEEDED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
)


def _header_params(header: str) -> dict[str, str] | None:
    from authlib.oauth1.rfc5849.util import unescape

    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "oauth":
        return None
    try:
        items = parse_keqv_list(parse_http_list(rest))
    except (IndexError, ValueError):
        return None
    return {unescape(k): unescape(v) for k, v in items.items()}


def _expected_signature(request: Request, body: bytes, oauth: dict[str, str]) -> str:
    from authlib.oauth1.rfc5849.signature import construct_base_string, hmac_sha1_signature
    from authlib.oauth1.rfc5849.util import escape

    params = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), True)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        params += parse_qsl(body.decode("utf-8", errors="replace"), True)
    # construct_base_string unescapes oauth_* values: hand them over escaped.
    params += [(k, escape(v)) for k, v in oauth.items() if k.startswith("oauth_")]
    base = construct_base_string(request.method, signed_url(request, with_query=False), params)
    return str(hmac_sha1_signature(base, CONSUMER_SECRET, TOKEN_SECRET))


def create_oauth1_router() -> APIRouter:
    router = APIRouter(tags=["auth"])
    nonces = NonceCache()

    async def oauth1(request: Request) -> dict[str, Any] | JSONResponse:
        """200 when the request is signed for the demo consumer and token, else 401."""
        oauth = _header_params(request.headers.get("authorization", ""))
        if oauth is None:
            return refused("oauth1", "Send an 'Authorization: OAuth ...' header.", _CHALLENGE)
        missing = [name for name in (*_NEEDED, "oauth_signature") if not oauth.get(name)]
        if missing:
            return refused("oauth1", f"Missing {', '.join(missing)}.", _CHALLENGE)
        if oauth["oauth_consumer_key"] != CONSUMER_KEY:
            return refused(
                "oauth1", f"Unknown consumer key; the mock's is {CONSUMER_KEY!r}.", _CHALLENGE
            )
        if oauth["oauth_token"] != TOKEN:
            return refused("oauth1", f"Unknown token; the mock's is {TOKEN!r}.", _CHALLENGE)
        if oauth["oauth_signature_method"] != "HMAC-SHA1":
            return refused("oauth1", "Only HMAC-SHA1 signatures are accepted.", _CHALLENGE)
        now = time.time()
        try:
            stamp = int(oauth["oauth_timestamp"])
        except ValueError:
            stamp = 0
        if abs(now - stamp) > CLOCK_SKEW_SECONDS:
            return refused(
                "oauth1", "Stale timestamp: more than 5 minutes from the mock's clock.", _CHALLENGE
            )
        body = await request.body()
        expected = _expected_signature(request, body, oauth)
        if not hmac.compare_digest(expected, oauth["oauth_signature"]):
            return refused(
                "oauth1", "Bad signature: check the consumer secret and token secret.", _CHALLENGE
            )
        if not nonces.first_use((oauth["oauth_timestamp"], oauth["oauth_nonce"]), now):
            return refused("oauth1", "This nonce was already used; sign again.", _CHALLENGE)
        return accepted("oauth1", consumer_key=CONSUMER_KEY)

    add_route(router, "oauth1", "/auth/oauth1", oauth1)
    return router
