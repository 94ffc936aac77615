"""Postman ``auth`` objects and our :class:`Auth`, both ways.

The importer reads a collection's, a folder's or a request's ``auth``; the exporter writes
one. Keeping the field names of each kind in one table means a field carried one way is
carried the other. Postman keeps a kind's parameters as a list of ``{key, value}`` (v2.1)
or an object (v2.0); both are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from apiclient.core.importers.common import as_list, as_text
from apiclient.core.models import Auth

POSTMAN_FIELDS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "basic": (("username", "username"), ("password", "password")),
        "digest": (("username", "username"), ("password", "password")),
        "ntlm": (("username", "username"), ("password", "password"), ("domain", "domain")),
        "bearer": (("token", "token"),),
        "apikey": (("key", "key_name"), ("value", "key_value")),
        "oauth2": (
            ("accessTokenUrl", "token_url"),
            ("authUrl", "auth_url"),
            ("clientId", "client_id"),
            ("clientSecret", "client_secret"),
            ("scope", "scope"),
            ("redirect_uri", "redirect_uri"),
            ("username", "username"),
            ("password", "password"),
            ("headerPrefix", "token_prefix"),
        ),
        "oauth1": (
            ("consumerKey", "consumer_key"),
            ("consumerSecret", "consumer_secret"),
            ("token", "token"),
            ("tokenSecret", "token_secret"),
            ("realm", "realm"),
        ),
        "awsv4": (
            ("accessKey", "access_key"),
            ("secretKey", "secret_key"),
            ("sessionToken", "session_token"),
            ("region", "region"),
            ("service", "service"),
        ),
        "hawk": (("authId", "hawk_id"), ("authKey", "hawk_key"), ("extraData", "hawk_ext")),
    }
)
"""Per kind (the same name in Postman and here), Postman's parameter and our field."""

_GRANTS_IN = {
    "client_credentials": "client_credentials",
    "password_credentials": "password",
    "authorization_code": "authorization_code",
    "authorization_code_with_pkce": "authorization_code",
}
_GRANTS_OUT = {
    "client_credentials": "client_credentials",
    "password": "password_credentials",
    "authorization_code": "authorization_code_with_pkce",
}


class UnsupportedAuth(ValueError):
    """A Postman auth kind, or a variant of one, we cannot send; ``str`` says which."""


def params_of(entries: Any) -> dict[str, str]:
    """v2.1 auth parameters (a list of {key, value}) or v2.0 ones (an object) as a dict."""
    if isinstance(entries, dict):
        return {str(k): as_text(v) for k, v in entries.items()}
    return {
        as_text(e.get("key")): as_text(e.get("value"))
        for e in as_list(entries)
        if isinstance(e, dict)
    }


def auth_from_postman(value: Any) -> Auth | None:
    """Our auth for a Postman ``auth`` object; None when there is none (inherit).

    Raises :class:`UnsupportedAuth` for a kind or variant we cannot send."""
    if not isinstance(value, dict):
        return None
    kind = as_text(value.get("type"))
    if kind == "inherit":
        return None
    if kind in ("noauth", ""):
        return Auth(kind="none")
    fields = POSTMAN_FIELDS.get(kind)
    if fields is None:
        raise UnsupportedAuth(f"the {kind} auth")
    params = params_of(value.get(kind))
    update: dict[str, Any] = {ours: params[theirs] for theirs, ours in fields if theirs in params}
    if kind == "apikey":
        update["key_in"] = "query" if params.get("in") == "query" else "header"
    elif kind == "oauth2":
        grant = _GRANTS_IN.get(params.get("grant_type", "authorization_code"))
        if grant is None:
            raise UnsupportedAuth(f"the OAuth 2.0 grant {params['grant_type']!r}")
        update["grant_type"] = grant
        update["pkce"] = params.get("grant_type") == "authorization_code_with_pkce"
        in_body = params.get("client_authentication") == "body"
        update["client_auth"] = "body" if in_body else "header"
    elif kind == "oauth1":
        method = params.get("signatureMethod", "HMAC-SHA1") or "HMAC-SHA1"
        if method != "HMAC-SHA1":
            raise UnsupportedAuth(f"the OAuth 1.0 signature method {method}")
    elif kind == "hawk" and params.get("algorithm", "sha256") in ("sha1", "sha256"):
        update["hawk_algorithm"] = params.get("algorithm", "sha256")
    if "token_prefix" in update and not update["token_prefix"]:
        del update["token_prefix"]
    return Auth.model_validate({"kind": kind, **update})


def auth_to_postman(auth: Auth) -> dict[str, Any] | None:
    """The Postman ``auth`` object (v2.1) for ``auth``; None for inherit (no object)."""
    if auth.kind == "inherit":
        return None
    if auth.kind == "none":
        return {"type": "noauth"}
    params: list[dict[str, Any]] = [
        {"key": theirs, "value": getattr(auth, ours), "type": "string"}
        for theirs, ours in POSTMAN_FIELDS[auth.kind]
    ]
    if auth.kind == "apikey":
        params.append({"key": "in", "value": auth.key_in, "type": "string"})
    elif auth.kind == "oauth2":
        grant = _GRANTS_OUT[auth.grant_type]
        if auth.grant_type == "authorization_code" and not auth.pkce:
            grant = "authorization_code"
        params += [
            {"key": "grant_type", "value": grant, "type": "string"},
            {"key": "client_authentication", "value": auth.client_auth, "type": "string"},
            {"key": "addTokenTo", "value": "header", "type": "string"},
        ]
        if auth.pkce:
            params.append({"key": "challengeAlgorithm", "value": "S256", "type": "string"})
    elif auth.kind == "oauth1":
        params += [
            {"key": "signatureMethod", "value": "HMAC-SHA1", "type": "string"},
            {"key": "addParamsToHeader", "value": True, "type": "boolean"},
        ]
    elif auth.kind == "hawk":
        params.append({"key": "algorithm", "value": auth.hawk_algorithm, "type": "string"})
    return {"type": auth.kind, auth.kind: params}
