"""`/oauth2/...`: an OAuth 2.0 authorization server and a resource it protects, so every
grant a client supports can be tried, and tested, offline.

* `POST /oauth2/token`: the client credentials, password, authorization code (with PKCE
  S256 checked) and refresh token grants. The client authenticates with HTTP Basic
  (RFC 6749 2.3.1) or with `client_id`/`client_secret` form fields; a public client
  (no secret, only `client_id`) may use the code grant with PKCE, and refresh. Errors are those of
  RFC 6749 5.2 (`invalid_client` is a 401 with `WWW-Authenticate`), with a description
  that says what to fix.
* `GET /oauth2/authorize`: approves at once (it is a mock; the user is `demo`) and
  redirects to the loopback `redirect_uri` with `code` and `state`. An unknown client
  or a redirect URI that is not `http://127.0.0.1|localhost` gets an error page (never a
  redirect, RFC 6749 4.1.2.1); other errors are redirected as `error=...`.
* `GET /oauth2/protected`: 200 with the token's subject, client and scope for a Bearer
  token this server issued and that has not expired; else 401 with
  `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 3).

Clients: `apiclient-demo`/`demo-secret` (tokens last an hour) and `apiclient-short`/
`short-secret` (tokens last one second, to reach expiry fast). Refresh tokens come with
the password and code grants and rotate on each use. State lives in memory per app.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import unquote_plus, urlencode, urlsplit

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

DEMO_CLIENT_ID = "apiclient-demo"
DEMO_CLIENT_SECRET = "demo-secret"
SHORT_CLIENT_ID = "apiclient-short"
SHORT_CLIENT_SECRET = "short-secret"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"
TOKEN_LIFETIME_S = 3600
SHORT_TOKEN_LIFETIME_S = 1
CODE_LIFETIME_S = 60
DEFAULT_SCOPE = "read"
REALM = "mock-oauth2"

ENDPOINTS: list[tuple[str, str]] = [
    (
        "/oauth2/token",
        f"OAuth 2.0 token endpoint: client credentials, password ({DEMO_USER}/"
        f"{DEMO_PASSWORD}), authorization code + PKCE, refresh; client {DEMO_CLIENT_ID}/"
        f"{DEMO_CLIENT_SECRET} ({SHORT_CLIENT_ID}/{SHORT_CLIENT_SECRET}: 1 s tokens)",
    ),
    ("/oauth2/authorize", "OAuth 2.0 authorization: approves at once, redirects to a loopback URI"),
    ("/oauth2/protected", "Needs a Bearer token issued by /oauth2/token"),
]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class _Client:
    secret: str
    lifetime_s: int


_CLIENTS = {
    DEMO_CLIENT_ID: _Client(DEMO_CLIENT_SECRET, TOKEN_LIFETIME_S),
    SHORT_CLIENT_ID: _Client(SHORT_CLIENT_SECRET, SHORT_TOKEN_LIFETIME_S),
}
_CLIENT_LIST = (
    f"{DEMO_CLIENT_ID} (secret {DEMO_CLIENT_SECRET}), "
    f"{SHORT_CLIENT_ID} (secret {SHORT_CLIENT_SECRET})"
)


@dataclass(frozen=True)
class _Grant:
    """What a token stands for: which client, on behalf of whom, for what."""

    client_id: str
    subject: str
    scope: str


@dataclass
class _Code:
    grant: _Grant
    redirect_uri: str
    challenge: str | None
    expires_at: float
    used: bool = False
    issued: list[str] = field(default_factory=list)  # tokens issued for it, revoked on reuse


@dataclass
class _State:
    codes: dict[str, _Code] = field(default_factory=dict)
    access: dict[str, tuple[_Grant, float]] = field(default_factory=dict)
    refresh: dict[str, _Grant] = field(default_factory=dict)


class _OAuthError(Exception):
    """An RFC 6749 5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        headers = dict(_NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _OAuthError(
            "invalid_client", "The Basic credentials are not valid base64.", 401
        ) from None
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _authenticate(authorization: str | None, form: dict[str, str]) -> tuple[str, bool]:
    """The client's ID and whether it proved itself with its secret (a public client,
    such as a desktop app using PKCE, sends only its ID: RFC 6749 3.2.1), or an
    ``invalid_client``/``invalid_request`` error."""
    from_header = _basic_credentials(authorization or "")
    in_body = "client_secret" in form
    if from_header is not None and in_body:
        raise _OAuthError(
            "invalid_request",
            "Send the client's credentials either in the header or in the body, not both.",
        )
    if from_header is not None:
        client_id, secret = from_header
    elif "client_id" in form:
        client_id, secret = form["client_id"], form.get("client_secret", "")
    else:
        raise _OAuthError(
            "invalid_client",
            "No client authentication: send HTTP Basic client_id:client_secret, or the "
            "client_id and client_secret form fields.",
            401,
        )
    client = _CLIENTS.get(client_id)
    if client is None:
        raise _OAuthError(
            "invalid_client",
            f"Unknown client {client_id!r}. The mock's clients: {_CLIENT_LIST}.",
            401,
        )
    if not secret:
        return client_id, False
    if not secrets.compare_digest(secret.encode(), client.secret.encode()):
        raise _OAuthError(
            "invalid_client", f"Client authentication failed: wrong secret for {client_id!r}.", 401
        )
    return client_id, True


def _loopback_http(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK and not parts.fragment


def _error_page(message: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><title>Authorization error</title></head><body>"
        f"<h1>Authorization error</h1><p>{html.escape(message)}</p></body></html>",
        status_code=400,
    )


def _redirect(uri: str, params: dict[str, str]) -> RedirectResponse:
    joiner = "&" if urlsplit(uri).query else "?"
    return RedirectResponse(f"{uri}{joiner}{urlencode(params)}", status_code=302)


def create_oauth2_router() -> APIRouter:
    """Build the `/oauth2` routes, with their own tokens and codes."""
    router = APIRouter(prefix="/oauth2", tags=["oauth2"])
    state = _State()

    def issue(grant: _Grant, *, with_refresh: bool) -> dict[str, object]:
        lifetime = _CLIENTS[grant.client_id].lifetime_s
        token = secrets.token_urlsafe(24)
        state.access[token] = (grant, time.time() + lifetime)
        answer: dict[str, object] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": grant.scope,
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(24)
            state.refresh[refresh] = grant
            answer["refresh_token"] = refresh
        return answer

    def code_grant(client_id: str, form: dict[str, str], confidential: bool) -> dict[str, object]:
        code = state.codes.get(form.get("code", ""))
        if code is None or code.grant.client_id != client_id:
            raise _OAuthError("invalid_grant", "Unknown authorization code for this client.")
        if not confidential and code.challenge is None:
            raise _OAuthError(
                "invalid_client",
                "No client secret: a client without one must use PKCE (code_challenge).",
                401,
            )
        if code.used:
            for token in code.issued:  # RFC 6749 4.1.2: a reused code revokes its tokens
                state.access.pop(token, None)
                state.refresh.pop(token, None)
            raise _OAuthError("invalid_grant", "The authorization code was already used.")
        code.used = True
        if time.time() > code.expires_at:
            raise _OAuthError("invalid_grant", "The authorization code expired; authorize again.")
        if form.get("redirect_uri", "") != code.redirect_uri:
            raise _OAuthError(
                "invalid_grant", "redirect_uri differs from the one sent to /oauth2/authorize."
            )
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            if not verifier:
                raise _OAuthError("invalid_request", "code_verifier is missing (PKCE).")
            if not secrets.compare_digest(s256(verifier), code.challenge):
                raise _OAuthError(
                    "invalid_grant", "PKCE verification failed: code_verifier does not match."
                )
        answer = issue(code.grant, with_refresh=True)
        code.issued += [str(answer["access_token"]), str(answer["refresh_token"])]
        return answer

    def grant_answer(client_id: str, form: dict[str, str], confidential: bool) -> dict[str, object]:
        grant_type = form.get("grant_type", "")
        scope = " ".join(form.get("scope", "").split()) or DEFAULT_SCOPE
        if not confidential and grant_type in ("client_credentials", "password"):
            raise _OAuthError(
                "invalid_client",
                f"No client secret: the {grant_type} grant needs the client's secret.",
                401,
            )
        if grant_type == "client_credentials":
            return issue(_Grant(client_id, client_id, scope), with_refresh=False)
        if grant_type == "password":
            user, password = form.get("username", ""), form.get("password", "")
            if not (
                secrets.compare_digest(user.encode(), DEMO_USER.encode())
                and secrets.compare_digest(password.encode(), DEMO_PASSWORD.encode())
            ):
                raise _OAuthError(
                    "invalid_grant",
                    f"Wrong username or password (the demo user is {DEMO_USER}/{DEMO_PASSWORD}).",
                )
            return issue(_Grant(client_id, user, scope), with_refresh=True)
        if grant_type == "authorization_code":
            return code_grant(client_id, form, confidential)
        if grant_type == "refresh_token":
            grant = state.refresh.get(form.get("refresh_token", ""))
            if grant is None or grant.client_id != client_id:
                raise _OAuthError("invalid_grant", "Unknown or already used refresh token.")
            del state.refresh[form["refresh_token"]]  # rotated: each one works once
            return issue(grant, with_refresh=True)
        if not grant_type:
            raise _OAuthError("invalid_request", "grant_type is missing.")
        raise _OAuthError(
            "unsupported_grant_type",
            f"grant_type {grant_type!r} is not supported: use client_credentials, password, "
            "authorization_code or refresh_token.",
        )

    @router.post("/token")
    async def token(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        """Issue a token for any of the four grants (RFC 6749 4 and 6)."""
        raw = await request.form()
        form = {key: str(value) for key, value in raw.items()}
        try:
            client_id, confidential = _authenticate(authorization, form)
            answer = grant_answer(client_id, form, confidential)
        except _OAuthError as exc:
            return exc.response()
        return JSONResponse(answer, headers=_NO_STORE)

    @router.get("/authorize")
    async def authorize(request: Request) -> Response:
        """Approve at once (the user is `demo`) and redirect back with a code."""
        params = request.query_params
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if client_id not in _CLIENTS:
            return _error_page(f"Unknown client {client_id!r}. The mock's clients: {_CLIENT_LIST}.")
        if not _loopback_http(redirect_uri):
            return _error_page(
                f"redirect_uri {redirect_uri!r} is not allowed: the mock redirects only to "
                "http://127.0.0.1, http://localhost or http://[::1] addresses."
            )
        back: dict[str, str] = {"state": params["state"]} if "state" in params else {}
        if params.get("response_type") != "code":
            return _redirect(
                redirect_uri,
                {
                    "error": "unsupported_response_type",
                    "error_description": "Use response_type=code.",
                    **back,
                },
            )
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if (challenge is None) != (method is None) or (method is not None and method != "S256"):
            return _redirect(
                redirect_uri,
                {
                    "error": "invalid_request",
                    "error_description": (
                        "PKCE needs code_challenge with code_challenge_method=S256."
                    ),
                    **back,
                },
            )
        scope = " ".join(params.get("scope", "").split()) or DEFAULT_SCOPE
        code = secrets.token_urlsafe(24)
        state.codes[code] = _Code(
            _Grant(client_id, DEMO_USER, scope),
            redirect_uri,
            challenge,
            time.time() + CODE_LIFETIME_S,
        )
        return _redirect(redirect_uri, {"code": code, **back})

    @router.get("/protected")
    async def protected(authorization: Annotated[str | None, Header()] = None) -> Response:
        """The token's subject, client and scope, for a valid Bearer token."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return JSONResponse(
                {"detail": "Send 'Authorization: Bearer <token>' with a token from /oauth2/token."},
                status_code=401,
                headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
            )
        issued = state.access.get(token.strip())
        if issued is None or time.time() >= issued[1]:
            why = "The access token expired" if issued else "Unknown access token"
            return JSONResponse(
                {"detail": f"{why}: get a new one from /oauth2/token."},
                status_code=401,
                headers={
                    "WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token", '
                    f'error_description="{why}"'
                },
            )
        grant, expires_at = issued
        return JSONResponse(
            {
                "authenticated": True,
                "subject": grant.subject,
                "client_id": grant.client_id,
                "scope": grant.scope,
                "expires_in": max(int(expires_at - time.time()), 0),
            }
        )

    return router
