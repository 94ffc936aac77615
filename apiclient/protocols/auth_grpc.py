"""A gRPC call's auth as metadata: what a header would carry over HTTP/1.1.

Bearer and OAuth 2.0 send ``authorization: <prefix> <token>``, Basic
``authorization: Basic <user:password in base64>``, an API key its own key (lower case,
as gRPC wants; gRPC has no query, so the key goes as metadata wherever the Auth tab
puts it). The other kinds sign an HTTP exchange or answer its challenge, which a gRPC
call cannot, so they are refused before the call.
"""

from __future__ import annotations

import base64

from apiclient.core.http_parts import auth_part
from apiclient.core.models import Auth
from apiclient.protocols.auth_sign import KIND_NAMES, NO_OAUTH2_TOKEN
from apiclient.protocols.errors import RequestBuildError

GRPC_AUTH_KINDS = frozenset({"inherit", "none", "basic", "bearer", "apikey", "oauth2"})


def auth_metadata(auth: Auth) -> tuple[str, str] | None:
    """The metadata row ``auth`` adds (key in lower case), or None; raises
    :class:`RequestBuildError` for a kind gRPC cannot carry or a missing OAuth 2.0 token."""
    kind = auth.kind
    if kind not in GRPC_AUTH_KINDS:
        raise RequestBuildError(
            f"{KIND_NAMES[kind]} auth is not available for gRPC: a call carries auth as"
            " metadata only. Choose No auth, Bearer, Basic, an API key or OAuth 2.0 in this"
            " request's Auth tab (or in the folder or collection it inherits from)."
        )
    if kind == "oauth2" and not auth.token.strip():
        raise RequestBuildError(NO_OAUTH2_TOKEN)
    if kind == "apikey" and not auth.key_name.strip():
        raise RequestBuildError("API key auth needs a key name (Auth tab).")
    if kind == "basic":
        pair = f"{auth.username}:{auth.password}".encode()
        return "authorization", f"Basic {base64.b64encode(pair).decode('ascii')}"
    part = auth_part(auth)
    if part is None:
        return None
    return part.name.lower(), part.value.strip()
