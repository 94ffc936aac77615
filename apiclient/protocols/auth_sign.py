"""The ``httpx.Auth`` a resolved request's auth needs at send time, checked first.

Basic and Digest are httpx's own; OAuth 1.0a, AWS Signature v4 and Hawk sign the final
request; NTLM runs its handshake. Bearer, API key and OAuth 2.0 are a plain header or
query row (``apiclient.core.http_parts.auth_part``) and need none. A required field left
empty, or one a header cannot carry, is a :class:`RequestBuildError` naming the field,
before any traffic. Each kind's library is imported only when that kind is sent.
"""

from __future__ import annotations

import re

import httpx

from apiclient.core.auth_fields import AUTH_TEXT_FIELDS
from apiclient.core.models import Auth
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.http import utf8

KIND_NAMES = {
    "basic": "Basic",
    "digest": "Digest",
    "bearer": "Bearer",
    "apikey": "API key",
    "oauth2": "OAuth 2.0",
    "oauth1": "OAuth 1.0a",
    "awsv4": "AWS Signature v4",
    "hawk": "Hawk",
    "ntlm": "NTLM",
}
"""What messages call each kind."""

HANDSHAKE_AUTH_KINDS = frozenset({"inherit", "none", "basic", "bearer", "apikey", "oauth2"})
"""The kinds a WebSocket upgrade can carry: a fixed header or query row. The others
answer a challenge or sign the exchange, which an upgrade request cannot do."""

NO_OAUTH2_TOKEN = "No OAuth 2.0 access token yet: click Get new token in the Auth tab."

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a Hawk header attribute may hold (mohawk's rule): printable ASCII but `"` and `\`.
_HAWK_ATTRIBUTE = re.compile(r"[ !#-\[\]-~]*")
_REQUIRED = {
    "oauth1": ("consumer_key", "consumer_secret"),
    "awsv4": ("access_key", "secret_key", "region", "service"),
    "hawk": ("hawk_id", "hawk_key"),
    "ntlm": ("username",),
}


def _label(kind: str, name: str) -> str:
    return next(f.label for f in AUTH_TEXT_FIELDS[kind] if f.name == name)


def _checked(auth: Auth) -> dict[str, str]:
    """The kind's fields, stripped: each required one filled, none with a control
    character or a half surrogate pair."""
    kind = auth.kind
    values: dict[str, str] = {}
    for field in AUTH_TEXT_FIELDS[kind]:
        value = getattr(auth, field.name)
        utf8(value, f"The {field.label} (Auth tab)")
        if _CONTROL.search(value):
            raise RequestBuildError(
                f"The {field.label} holds a line break or control character; remove it"
                " in the Auth tab."
            )
        values[field.name] = value.strip()
    for name in _REQUIRED.get(kind, ()):
        if not values[name]:
            raise RequestBuildError(
                f"{KIND_NAMES[kind]} auth needs the {_label(kind, name)}: fill it in the Auth tab."
            )
    return values


def request_auth(auth: Auth) -> httpx.Auth | None:
    """The send-time auth for ``auth`` (None for the header and query kinds and none);
    raises :class:`RequestBuildError` for a field that is missing or cannot be sent."""
    kind = auth.kind
    if kind in ("basic", "digest"):
        utf8(auth.username, "The username (Auth tab)")
        utf8(auth.password, "The password (Auth tab)")
        scheme = httpx.BasicAuth if kind == "basic" else httpx.DigestAuth
        return scheme(auth.username, auth.password)
    if kind == "oauth2" and not auth.token.strip():
        raise RequestBuildError(NO_OAUTH2_TOKEN)
    if kind not in _REQUIRED:
        return None
    values = _checked(auth)
    if kind == "oauth1":
        from apiclient.protocols.auth_oauth1 import OAuth1Auth

        if '"' in values["realm"] or "\\" in values["realm"]:
            raise RequestBuildError(
                'The OAuth 1.0 realm cannot hold " or \\: change it in the Auth tab.'
            )
        return OAuth1Auth(
            values["consumer_key"],
            values["consumer_secret"],
            values["token"],
            values["token_secret"],
            values["realm"],
        )
    if kind == "awsv4":
        from apiclient.protocols.auth_aws import AwsSigV4Auth

        return AwsSigV4Auth(
            values["access_key"],
            values["secret_key"],
            values["session_token"],
            values["region"],
            values["service"],
        )
    if kind == "hawk":
        from apiclient.protocols.auth_hawk import HawkAuth

        for name in ("hawk_id", "hawk_ext"):
            if not _HAWK_ATTRIBUTE.fullmatch(values[name]):
                raise RequestBuildError(
                    f"The {_label(kind, name)} may hold printable ASCII only, without"
                    ' " or \\: change it in the Auth tab.'
                )
        return HawkAuth(
            values["hawk_id"], values["hawk_key"], auth.hawk_algorithm, values["hawk_ext"]
        )
    from apiclient.protocols.auth_ntlm import NtlmAuth, ntlm_user

    return NtlmAuth(ntlm_user(values["username"], values["domain"]), auth.password)


def added_headers(send_time: httpx.Auth | None) -> tuple[str, ...]:
    """The headers (lower case) the send-time auth ``send_time`` adds to a request: its
    ``added_headers`` (AWS's ``X-Amz-*`` ones), else ``Authorization``; none without one.
    A redirect to another origin goes without them."""
    if send_time is None:
        return ()
    names: tuple[str, ...] = getattr(send_time, "added_headers", ("Authorization",))
    return tuple(name.lower() for name in names)


def check_handshake_auth(auth: Auth, where: str) -> None:
    """Raise :class:`RequestBuildError` when ``auth`` cannot go with an upgrade request
    (``where`` names it: "WebSocket handshakes", "a subscription")."""
    if auth.kind not in HANDSHAKE_AUTH_KINDS:
        raise RequestBuildError(
            f"{KIND_NAMES[auth.kind]} auth is not available for {where}: the upgrade request"
            " cannot answer a challenge or be signed. Choose No auth, Basic, Bearer, an API"
            " key or OAuth 2.0 in this request's Auth tab (or in the folder or collection it"
            " inherits from)."
        )
