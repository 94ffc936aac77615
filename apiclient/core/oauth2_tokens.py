"""OAuth 2.0 access tokens and the cache that keeps them between sends and restarts.

A token is a secret, so the cache lives in the :class:`~apiclient.core.secrets.SecretStore`
(the OS keyring, or the private secrets file), never in a collection file. Tokens are
keyed by :func:`token_key`: a hash of everything that decides which token a server
hands out (token URL, client, grant, scope, user) plus the environment and the
collection, so switching environments or editing the client ID never sends another
client's token. Expiry is kept as absolute epoch seconds, so a token read back after a
restart knows how long it has left.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass

from apiclient.core.models import Auth
from apiclient.core.secrets import SecretStore

TOKENS_SCOPE = "apiclient::oauth2-tokens"
"""The secret store's scope key holding every cached token (names are token keys)."""

EXPIRY_MARGIN_S = 5.0
"""A token counts as expired this long before its end (at most a tenth of its lifetime),
so it does not run out between the check and the server reading it."""


@dataclass(frozen=True)
class OAuth2Token:
    """An access token as the token endpoint issued it. ``expires_at`` is epoch seconds
    (None: the server gave no lifetime), ``obtained_at`` when it was issued."""

    access_token: str
    token_type: str = "Bearer"
    expires_at: float | None = None
    refresh_token: str = ""
    scope: str = ""
    obtained_at: float = 0.0

    def expired(self, now: float | None = None) -> bool:
        """Whether the token is past (or within a few seconds of) its expiry."""
        if self.expires_at is None:
            return False
        current = time.time() if now is None else now
        lifetime = max(self.expires_at - self.obtained_at, 0.0)
        return current >= self.expires_at - min(EXPIRY_MARGIN_S, lifetime / 10)

    def expires_in_text(self, now: float | None = None) -> str:
        """How long the token has left, for a person: "expires in 59 min",
        "expired 3 s ago", "no expiry given"."""
        if self.expires_at is None:
            return "no expiry given"
        current = time.time() if now is None else now
        left = self.expires_at - current
        if left <= 0:
            return f"expired {_duration(-left)} ago"
        return f"expires in {_duration(left)}"

    def to_json(self) -> str:
        """The token as the cache stores it (one secret value)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OAuth2Token | None:
        """The token stored as ``text``, or None when it is not a stored token (a value
        written by another version, or damaged): the cache then just has no token."""
        try:
            data = json.loads(text)
            expires_at = data.get("expires_at")
            return cls(
                access_token=str(data["access_token"]),
                token_type=str(data.get("token_type") or "Bearer"),
                expires_at=None if expires_at is None else float(expires_at),
                refresh_token=str(data.get("refresh_token") or ""),
                scope=str(data.get("scope") or ""),
                obtained_at=float(data.get("obtained_at") or 0.0),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def _duration(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        hours, minutes = divmod(whole // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(whole // 3600, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def token_key(auth: Auth, environment: str, collection: str) -> str:
    """The cache key of the token ``auth`` (resolved) gets in ``environment`` of the
    collection at ``collection`` (its path; "" for a request outside any collection).

    The client secret and password are left out on purpose: fixing a mistyped secret
    should not orphan a good token, and the key must not be a hash of a secret.
    """
    parts = {
        "token_url": auth.token_url.strip(),
        "auth_url": auth.auth_url.strip() if auth.grant_type == "authorization_code" else "",
        "client_id": auth.client_id.strip(),
        "grant_type": auth.grant_type,
        "scope": " ".join(auth.scope.split()),
        "username": auth.username.strip() if auth.grant_type == "password" else "",
        "environment": environment,
        "collection": collection,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()
    return f"oauth2-{digest[:40]}"


class TokenCache:
    """Access tokens by :func:`token_key`, kept in ``store`` (so they survive restarts
    and never reach a collection file), or in memory only when ``store`` is None (a
    command-line run that must not leave tokens behind).

    Reading and writing go through the secret store's file (or keyring) each time, so
    two windows see each other's tokens; the file is small and its parse is cached.
    Each call may block (a keyring over D-Bus may wait for an unlock prompt), so callers
    on an event loop run them through ``asyncio.to_thread``; the store's ``StoreError``
    (a damaged secrets file, a locked keyring) is raised as is.
    """

    def __init__(self, store: SecretStore | None) -> None:
        self._store = store
        self._memory: dict[str, OAuth2Token] = {}

    def get(self, key: str) -> OAuth2Token | None:
        """The cached token (expired or not), or None."""
        if self._store is None:
            return self._memory.get(key)
        text = self._store.get(TOKENS_SCOPE, key)
        return None if text is None else OAuth2Token.from_json(text)

    def put(self, key: str, token: OAuth2Token) -> None:
        """Keep ``token`` under ``key``, replacing the one there."""
        if self._store is None:
            self._memory[key] = token
        else:
            self._store.set(TOKENS_SCOPE, key, token.to_json())

    def clear(self, key: str) -> None:
        """Forget the token under ``key`` (no error when there is none)."""
        if self._store is None:
            self._memory.pop(key, None)
        else:
            self._store.delete(TOKENS_SCOPE, key)
