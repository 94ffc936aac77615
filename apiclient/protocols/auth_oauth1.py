"""OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849), in the Authorization header.

The signature base string covers the method, the URL without its query, and every
parameter: the query's, an ``application/x-www-form-urlencoded`` body's (RFC 5849
3.4.1.3.1; other bodies are not covered, as the RFC says) and the protocol's own.

Built from authlib's primitives rather than its client: the client refuses plain
``http://`` URLs other than loopback ones (OAuth 1.0a signs precisely so that it may
travel without TLS), and it empties a non-form body.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

import httpx

from apiclient.protocols.auth_flow import SigningAuth

FORM_TYPE = "application/x-www-form-urlencoded"


def request_parameters(request: httpx.Request) -> list[tuple[str, str]]:
    """The query's and a form body's parameters, decoded, in order (repeats kept)."""
    params = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == FORM_TYPE and request.content:
        body = request.content.decode("utf-8", errors="replace")
        params += parse_qsl(body, keep_blank_values=True)
    return params


def signature_base_string(
    method: str, url: str, params: list[tuple[str, str]], oauth: list[tuple[str, str]]
) -> str:
    """RFC 5849 3.4.1: what HMAC-SHA1 signs. ``oauth`` holds the protocol parameters as
    plain values (``realm`` and ``oauth_signature`` are left out by the rules)."""
    from authlib.oauth1.rfc5849.signature import construct_base_string
    from authlib.oauth1.rfc5849.util import escape

    # authlib unescapes oauth_* values once (they usually come straight from a header),
    # so they are handed over escaped to be signed as the values they are.
    return construct_base_string(method, url, [*params, *((k, escape(v)) for k, v in oauth)])


def hmac_sha1(base_string: str, consumer_secret: str, token_secret: str) -> str:
    """The base64 HMAC-SHA1 signature keyed by the two secrets (RFC 5849 3.4.2)."""
    from authlib.oauth1.rfc5849.signature import hmac_sha1_signature

    return str(hmac_sha1_signature(base_string, consumer_secret, token_secret))


class OAuth1Auth(SigningAuth):
    """Signs each request for a consumer and, optionally, an access token."""

    library = "authlib.oauth1.rfc5849.signature"

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token: str = "",
        token_secret: str = "",
        realm: str = "",
    ) -> None:
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self._token = token
        self._token_secret = token_secret
        self._realm = realm

    def sign(self, request: httpx.Request) -> None:
        from authlib.common.security import generate_token
        from authlib.oauth1.rfc5849.parameters import prepare_headers

        oauth = [
            ("oauth_consumer_key", self._consumer_key),
            ("oauth_nonce", generate_token()),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", str(int(time.time()))),
            ("oauth_version", "1.0"),
        ]
        if self._token:
            oauth.append(("oauth_token", self._token))
        base = signature_base_string(
            request.method, str(request.url), request_parameters(request), oauth
        )
        oauth.append(
            ("oauth_signature", hmac_sha1(base, self._consumer_secret, self._token_secret))
        )
        header = prepare_headers(oauth, {}, realm=self._realm or None)["Authorization"]
        request.headers["Authorization"] = header
