"""HTTP Basic and Digest authentication, with the user and password in the path
(as httpbin does), so a person can test their client's auth settings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from typing import Annotated, Any
from urllib.request import parse_http_list, parse_keqv_list

from fastapi import APIRouter, Header, HTTPException, Request, status

DIGEST_REALM = "mock@apiclient"
# A nonce is accepted for this long after the challenge that carried it.
NONCE_LIFETIME_SECONDS = 300


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def create_auth_router() -> APIRouter:
    """Build the auth routes; nonces are signed with a key made fresh for each app."""
    router = APIRouter(tags=["auth"])
    nonce_key = secrets.token_bytes(32)
    opaque = secrets.token_hex(16)

    def make_nonce() -> str:
        stamp = f"{int(time.time()):x}"
        return stamp + hmac.new(nonce_key, stamp.encode(), "sha256").hexdigest()[:32]

    def nonce_is_ours(nonce: str) -> bool:
        stamp, signature = nonce[:-32], nonce[-32:]
        expected = hmac.new(nonce_key, stamp.encode(), "sha256").hexdigest()[:32]
        try:
            age = time.time() - int(stamp, 16)
        except ValueError:
            return False
        return hmac.compare_digest(signature, expected) and 0 <= age <= NONCE_LIFETIME_SECONDS

    def digest_challenge(message: str) -> HTTPException:
        challenge = (
            f'Digest realm="{DIGEST_REALM}", nonce="{make_nonce()}", qop="auth", '
            f'opaque="{opaque}", algorithm=MD5'
        )
        return HTTPException(
            status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": challenge}
        )

    @router.get("/basic-auth/{user}/{passwd}")
    async def basic_auth(
        user: str, passwd: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        """200 when the Basic credentials match the path, else a 401 challenge."""
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            given_user, _, given_pass = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            given_user = given_pass = ""
        if not (
            scheme.lower() == "basic"
            and secrets.compare_digest(given_user.encode(), user.encode())
            and secrets.compare_digest(given_pass.encode(), passwd.encode())
        ):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                f"Send Basic credentials for user {user!r} and the password in the path.",
                headers={"WWW-Authenticate": 'Basic realm="mock"'},
            )
        return {"authenticated": True, "user": user}

    @router.get("/digest-auth/{qop}/{user}/{passwd}")
    async def digest_auth(
        qop: str,
        user: str,
        passwd: str,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """RFC 7616 Digest with MD5 and qop=auth: challenge first, 200 once it verifies."""
        if qop != "auth":
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, f"qop {qop!r} is not supported; use 'auth'."
            )
        scheme, _, params_text = (authorization or "").partition(" ")
        if scheme.lower() != "digest":
            raise digest_challenge("Digest authentication required.")
        params = parse_keqv_list(parse_http_list(params_text))
        needed = ("username", "realm", "nonce", "uri", "response", "nc", "cnonce", "qop")
        if any(key not in params for key in needed):
            raise digest_challenge("Incomplete Digest Authorization header.")
        if not nonce_is_ours(params["nonce"]):
            raise digest_challenge("Stale or unknown nonce; use the one from this challenge.")
        ha1 = _md5(f"{user}:{DIGEST_REALM}:{passwd}")
        ha2 = _md5(f"{request.method}:{params['uri']}")
        expected = _md5(
            f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}"
        )
        if params["username"] != user or not hmac.compare_digest(params["response"], expected):
            raise digest_challenge(f"Wrong user or password; expected user {user!r}.")
        return {"authenticated": True, "user": user}

    return router
