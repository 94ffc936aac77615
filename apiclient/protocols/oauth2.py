"""Getting OAuth 2.0 access tokens: client credentials, password, authorization code
with PKCE, refresh; and :func:`ensure_token`, what a send does before it goes.

Every token request goes through the given :class:`RestEngine` as an urlencoded POST,
with the settings of the request the token is for, so proxies, TLS settings, timeouts
and the error messages are those of any request. The client authenticates as
``auth.client_auth`` says: ``header`` is HTTP Basic with the client ID and secret each
form-encoded first (RFC 6749 section 2.3.1), ``body`` sends them as form fields.

The authorization code flow (RFC 6749 4.1, PKCE S256 as RFC 7636) listens for the
browser's redirect on 127.0.0.1 (:mod:`.oauth2_listener`), opens the authorization URL
with ``open_browser`` and, once the browser came back with a code and the state sent,
exchanges the code with the PKCE verifier.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote_plus, urlencode, urljoin, urlsplit, urlunsplit

from apiclient.core.models import Auth, Body, KeyValue, RequestSettings, RestRequest
from apiclient.core.oauth2_tokens import OAuth2Token, TokenCache, token_key
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.oauth2_errors import (
    OAuth2Error,
    OAuth2TokenExpiredError,
    OAuth2TokenMissingError,
    RedirectListenerError,
)
from apiclient.protocols.rest import RestEngine, RestResponse

__all__ = [
    "OAuth2Context",
    "OAuth2Error",
    "OAuth2TokenExpiredError",
    "OAuth2TokenMissingError",
    "RedirectListenerError",
    "authorization_url",
    "ensure_token",
    "fetch_token",
    "refresh_token",
]

OpenBrowser = Callable[[str], object]

_GRANT_NAMES = {
    "client_credentials": "client credentials",
    "password": "password",
    "authorization_code": "authorization code",
}
_SHOWN_BODY_CHARS = 300


@dataclass(frozen=True)
class OAuth2Context:
    """Where a sender keeps tokens: the cache, and the environment and collection (its
    path) that key them (see :func:`~apiclient.core.oauth2_tokens.token_key`)."""

    cache: TokenCache
    environment: str = ""
    collection: str = ""

    def key(self, auth: Auth) -> str:
        """The cache key of ``auth``'s (resolved) token here."""
        return token_key(auth, self.environment, self.collection)


# --- the token endpoint -----------------------------------------------------------------


def _require(value: str, what: str) -> str:
    if not value.strip():
        raise RequestBuildError(f"OAuth 2.0 needs {what} (Auth tab).")
    return value.strip()


def _client_rows(auth: Auth) -> tuple[list[KeyValue], list[KeyValue]]:
    """The headers and form fields that authenticate the client."""
    client_id = _require(auth.client_id, "a client ID")
    if not auth.client_secret:
        # A public client (RFC 6749 3.2.1), e.g. a desktop app using PKCE: it names itself.
        return [], [KeyValue(name="client_id", value=client_id)]
    if auth.client_auth == "header":
        # RFC 6749 2.3.1: each part form-encoded before Basic's base64.
        pair = f"{quote_plus(client_id)}:{quote_plus(auth.client_secret)}"
        encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return [KeyValue(name="Authorization", value=f"Basic {encoded}")], []
    return [], [
        KeyValue(name="client_id", value=client_id),
        KeyValue(name="client_secret", value=auth.client_secret),
    ]


async def _token_request(
    auth: Auth,
    rest: RestEngine,
    form: list[tuple[str, str]],
    settings: RequestSettings | None,
    *,
    requested_scope: str = "",
    previous: OAuth2Token | None = None,
) -> OAuth2Token:
    """POST ``form`` to the token URL with the client's credentials; the token, or
    OAuth2Error with what the server said."""
    url = _require(auth.token_url, "a token URL")
    headers, client_fields = _client_rows(auth)
    headers.append(KeyValue(name="Accept", value="application/json"))
    fields = [KeyValue(name=name, value=value) for name, value in form] + client_fields
    request = RestRequest(
        method="POST",
        url=url,
        headers=headers,
        body=Body(mode="urlencoded", urlencoded=fields),
        auth=Auth(kind="none"),
        # Never followed: the client's secret or the user's password is in the body.
        settings=(settings or RequestSettings()).model_copy(update={"follow_redirects": False}),
    )
    asked = time.time()
    response = await rest.send(request)
    location = response.header("location")
    if 300 <= response.status_code < 400 and location:
        target = urljoin(url, location)
        raise OAuth2Error(
            f"The token URL {url} redirects to {target}: use that address as the token URL.",
            status=response.status_code,
            url=url,
        )
    return _token_from(response, url, asked, requested_scope, previous)


def _answer_fields(response: RestResponse) -> dict[str, object] | None:
    """The answer's fields: JSON (the standard) or urlencoded (some older servers)."""
    text = response.text()
    if response.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _sentence(text: str) -> str:
    """``text`` ending in a full stop (a server's description may bring its own)."""
    return text if text.endswith((".", "!", "?")) else text + "."


def _shown_body(response: RestResponse) -> str:
    text = " ".join(response.text().split())
    if not text:
        return "an empty body"
    cut = text[:_SHOWN_BODY_CHARS] + ("…" if len(text) > _SHOWN_BODY_CHARS else "")
    return f"“{cut}”"


def _server_error(data: dict[str, object], response: RestResponse, url: str) -> OAuth2Error:
    error = str(data.get("error") or "")
    description = str(data.get("error_description") or "")
    said = error + (f": {description}" if description else "")
    message = f"The token endpoint {url} refused (HTTP {response.status_code}): {_sentence(said)}"
    if data.get("error_uri"):
        message += f" More at {data['error_uri']}."
    if error == "invalid_client":
        message += " Check the client ID and secret, and whether the server expects them"
        message += " in the header or in the body (Client authentication)."
    elif error == "invalid_grant":
        message += " Get a new token (for the password grant, check the username and password)."
    return OAuth2Error(
        message, error=error, description=description, status=response.status_code, url=url
    )


def _token_from(
    response: RestResponse,
    url: str,
    asked: float,
    requested_scope: str,
    previous: OAuth2Token | None,
) -> OAuth2Token:
    data = _answer_fields(response)
    if data is not None and data.get("error"):
        raise _server_error(data, response, url)
    if data is None or not response.status_code < 300 or not data.get("access_token"):
        raise OAuth2Error(
            f"The token endpoint {url} answered HTTP {response.status_code} "
            f"{response.reason} with {_shown_body(response)}, not a token. Check the "
            "token URL.",
            status=response.status_code,
            url=url,
        )
    expires_at = None
    with contextlib.suppress(KeyError, ValueError):
        expires_at = asked + float(str(data["expires_in"]))
    refresh = str(data.get("refresh_token") or "")
    if not refresh and previous is not None:
        refresh = previous.refresh_token  # RFC 6749 6: the old one stays valid
    scope = str(data.get("scope") or "") or requested_scope
    return OAuth2Token(
        access_token=str(data["access_token"]),
        token_type=str(data.get("token_type") or "Bearer"),
        expires_at=expires_at,
        refresh_token=refresh,
        scope=scope,
        obtained_at=asked,
    )


# --- the grants -------------------------------------------------------------------------


def _scoped(form: list[tuple[str, str]], auth: Auth) -> list[tuple[str, str]]:
    scope = " ".join(auth.scope.split())
    return [*form, ("scope", scope)] if scope else form


async def fetch_token(
    auth: Auth,
    rest: RestEngine,
    *,
    open_browser: OpenBrowser | None = None,
    settings: RequestSettings | None = None,
) -> OAuth2Token:
    """A new token for ``auth`` (resolved), by its grant type.

    ``open_browser`` shows the authorization URL for the code grant (default: the
    system browser through :mod:`webbrowser`); ``settings`` are those of the request
    the token is for. Raises RequestBuildError for a setting missing, OAuth2Error when
    the server refuses, RedirectListenerError when the redirect cannot be listened for,
    and the REST engine's errors when the server cannot be reached.
    """
    scope = " ".join(auth.scope.split())
    if auth.grant_type == "client_credentials":
        form = _scoped([("grant_type", "client_credentials")], auth)
        return await _token_request(auth, rest, form, settings, requested_scope=scope)
    if auth.grant_type == "password":
        username = _require(auth.username, "a username for the password grant")
        form = _scoped(
            [("grant_type", "password"), ("username", username), ("password", auth.password)],
            auth,
        )
        return await _token_request(auth, rest, form, settings, requested_scope=scope)
    return await _authorization_code(auth, rest, open_browser, settings)


async def refresh_token(
    auth: Auth, token: OAuth2Token, rest: RestEngine, *, settings: RequestSettings | None = None
) -> OAuth2Token:
    """A new token from ``token``'s refresh token (RFC 6749 6). A server that does not
    rotate refresh tokens keeps the old one, so the result carries it on."""
    if not token.refresh_token:
        raise OAuth2TokenExpiredError(
            "The OAuth 2.0 token has no refresh token: click Get new token in the Auth tab."
        )
    form = [("grant_type", "refresh_token"), ("refresh_token", token.refresh_token)]
    return await _token_request(
        auth, rest, _scoped(form, auth), settings, requested_scope=token.scope, previous=token
    )


async def ensure_token(
    auth: Auth,
    cache: TokenCache,
    key: str,
    rest: RestEngine,
    *,
    settings: RequestSettings | None = None,
) -> OAuth2Token:
    """The token to send now: the cached one while valid; refreshed (and cached) once
    expired, when it has a refresh token; fetched (and cached) when there is none and
    the grant needs no person (client credentials, password).

    Raises OAuth2TokenMissingError (authorization code, no token yet) or
    OAuth2TokenExpiredError (expired, no refresh token, a grant that needs the browser),
    each saying what to click; a refused refresh falls back to fetching anew where the
    grant allows, else raises the server's OAuth2Error.
    """
    # The cache may be the keyring (D-Bus, an unlock prompt): never on the caller's loop.
    token = await asyncio.to_thread(cache.get, key)
    if token is not None and not token.expired():
        return token
    if token is not None and token.refresh_token:
        try:
            fresh = await refresh_token(auth, token, rest, settings=settings)
        except OAuth2Error:
            if auth.grant_type == "authorization_code":
                raise
        else:
            await asyncio.to_thread(cache.put, key, fresh)
            return fresh
    if auth.grant_type == "authorization_code":
        if token is None:
            raise OAuth2TokenMissingError(
                "No OAuth 2.0 access token yet: click Get new token in the Auth tab."
            )
        raise OAuth2TokenExpiredError(
            f"The OAuth 2.0 access token {token.expires_in_text()} and cannot be refreshed: "
            "click Get new token in the Auth tab."
        )
    fresh = await fetch_token(auth, rest, settings=settings)
    await asyncio.to_thread(cache.put, key, fresh)
    return fresh


# --- the authorization code grant -------------------------------------------------------


def authorization_url(auth: Auth, redirect_uri: str, state: str, code_challenge: str | None) -> str:
    """The address the browser opens: ``auth.auth_url`` with the request's parameters
    appended to any query it already has."""
    base = _require(auth.auth_url, "an authorization URL")
    params = [
        ("response_type", "code"),
        ("client_id", _require(auth.client_id, "a client ID")),
        ("redirect_uri", redirect_uri),
    ]
    scope = " ".join(auth.scope.split())
    if scope:
        params.append(("scope", scope))
    params.append(("state", state))
    if code_challenge is not None:
        params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
    parts = urlsplit(base)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _system_browser(url: str) -> bool:
    import webbrowser

    return webbrowser.open(url)


async def _authorization_code(
    auth: Auth,
    rest: RestEngine,
    open_browser: OpenBrowser | None,
    settings: RequestSettings | None,
) -> OAuth2Token:
    from authlib.common.security import generate_token
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    from apiclient.protocols.oauth2_listener import RedirectListener

    _require(auth.auth_url, "an authorization URL")
    _require(auth.token_url, "a token URL")
    _require(auth.client_id, "a client ID")
    verifier = generate_token(64) if auth.pkce else None
    challenge = create_s256_code_challenge(verifier) if verifier is not None else None
    state = generate_token(32)
    async with RedirectListener(auth.redirect_uri, state=state) as listener:
        redirect_uri = listener.redirect_uri
        url = authorization_url(auth, redirect_uri, state, challenge)
        if open_browser is None:
            if not await asyncio.to_thread(_system_browser, url):
                raise OAuth2Error(
                    f"No web browser could be opened to sign in at {url}: set a default "
                    "browser, then click Get new token again.",
                    url=auth.auth_url.strip(),
                )
        else:
            open_browser(url)
        params = await listener.wait()
    if params.get("error"):
        error, description = params["error"], params.get("error_description", "")
        said = error + (f": {description}" if description else "")
        raise OAuth2Error(
            f"The authorization server {auth.auth_url.strip()} refused: {_sentence(said)}",
            error=error,
            description=description,
            url=auth.auth_url.strip(),
        )
    if params.get("state") != state:
        raise OAuth2Error(
            f"The answer that reached {redirect_uri} does not carry the state apiclient "
            "sent, so it was not accepted (it may come from an earlier attempt, or from "
            "someone else). Click Get new token again.",
            error="state_mismatch",
            url=redirect_uri,
        )
    code = params.get("code", "")
    if not code:
        raise OAuth2Error(
            f"The answer that reached {redirect_uri} has no authorization code. Check the "
            "authorization URL, then click Get new token again.",
            url=redirect_uri,
        )
    form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ]
    if verifier is not None:
        form.append(("code_verifier", verifier))
    scope = " ".join(auth.scope.split())
    return await _token_request(auth, rest, form, settings, requested_scope=scope)
