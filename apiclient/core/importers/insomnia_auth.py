"""Insomnia ``authentication`` objects as our :class:`Auth`.

Basic, digest, NTLM, bearer, API key (in a header or the query; a cookie becomes a Cookie
header), OAuth 2.0 (client credentials, password, authorization code with or without
PKCE), OAuth 1.0 signed with HMAC-SHA1, AWS IAM (Signature v4) and Hawk map onto our
kinds; anything else raises :class:`UnsupportedAuth` for the importer to warn about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from apiclient.core.importers.common import as_text
from apiclient.core.importers.postman_auth import UnsupportedAuth
from apiclient.core.models import OAUTH2_DEFAULT_REDIRECT, Auth, KeyValue, OAuth2Grant

__all__ = ["UnsupportedAuth", "auth_from_insomnia"]

_OAUTH2_GRANTS: dict[str, OAuth2Grant] = {
    "client_credentials": "client_credentials",
    "password": "password",
    "authorization_code": "authorization_code",
}


def auth_from_insomnia(
    value: dict[str, Any], field: Callable[[str], str]
) -> tuple[Auth, list[KeyValue]]:
    """Our auth for a non-empty ``authentication`` object, and any header it turns into;
    ``field`` reads one of its text fields (with Insomnia's templates converted)."""
    kind = as_text(value.get("type"))
    if not kind or kind == "none" or value.get("disabled") is True:
        return Auth(kind="none"), []
    if kind in ("basic", "digest", "ntlm"):
        user, password = field("username"), field("password")
        return Auth.model_validate({"kind": kind, "username": user, "password": password}), []
    if kind == "bearer":
        return Auth(
            kind="bearer", token=field("token"), token_prefix=field("prefix") or "Bearer"
        ), []
    if kind == "apikey":
        add_to = as_text(value.get("addTo"))
        if add_to == "cookie":
            cookie = KeyValue(name="Cookie", value=f"{field('key')}={field('value')}")
            return Auth(kind="none"), [cookie]
        return Auth(
            kind="apikey",
            key_name=field("key"),
            key_value=field("value"),
            key_in="query" if add_to == "queryParams" else "header",
        ), []
    grant = _OAUTH2_GRANTS.get(as_text(value.get("grantType")))
    method = as_text(value.get("signatureMethod")) or "HMAC-SHA1"
    if kind == "oauth2" and grant is not None:
        return Auth(
            kind="oauth2",
            grant_type=grant,
            token_url=field("accessTokenUrl"),
            auth_url=field("authorizationUrl"),
            client_id=field("clientId"),
            client_secret=field("clientSecret"),
            scope=field("scope"),
            redirect_uri=field("redirectUrl") or OAUTH2_DEFAULT_REDIRECT,
            pkce=value.get("usePkce") is True,
            client_auth="body" if value.get("credentialsInBody") is True else "header",
            username=field("username"),
            password=field("password"),
            token_prefix=field("tokenPrefix") or "Bearer",
        ), []
    if kind == "oauth1" and method == "HMAC-SHA1":
        return Auth(
            kind="oauth1",
            consumer_key=field("consumerKey"),
            consumer_secret=field("consumerSecret"),
            token=field("tokenKey"),
            token_secret=field("tokenSecret"),
            realm=field("realm"),
        ), []
    if kind == "iam":
        return Auth(
            kind="awsv4",
            access_key=field("accessKeyId"),
            secret_key=field("secretAccessKey"),
            session_token=field("sessionToken"),
            region=field("region") or "us-east-1",
            service=field("service"),
        ), []
    if kind == "hawk":
        algorithm: Literal["sha1", "sha256"] = (
            "sha1" if as_text(value.get("algorithm")) == "sha1" else "sha256"
        )
        return Auth(
            kind="hawk",
            hawk_id=field("id"),
            hawk_key=field("key"),
            hawk_algorithm=algorithm,
            hawk_ext=field("ext"),
        ), []
    raise UnsupportedAuth(f"the {_label(kind, value)} auth")


def _label(kind: str, value: dict[str, Any]) -> str:
    """How a warning names an auth we cannot send: its kind, with the variant at fault."""
    if kind == "oauth2" and value.get("grantType"):
        return f"{kind} ({as_text(value.get('grantType'))} grant)"
    if kind == "oauth1":
        return f"{kind} ({as_text(value.get('signatureMethod'))})"
    return kind
