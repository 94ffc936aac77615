"""The OAuth 2.0 token cache (kept in the secret store, so it survives a restart), its
keys, and :func:`ensure_token`'s choice between the cached token, a refresh and a fetch,
against the REST mock's authorization server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apiclient.core.models import Auth
from apiclient.core.oauth2_tokens import OAuth2Token, TokenCache, token_key
from apiclient.core.secrets import SecretStore
from apiclient.protocols.oauth2 import (
    OAuth2Error,
    OAuth2TokenExpiredError,
    OAuth2TokenMissingError,
    ensure_token,
    fetch_token,
)
from apiclient.protocols.rest import RestEngine


def oauth2(rest_url: str, **fields: object) -> Auth:
    values: dict[str, object] = {
        "kind": "oauth2",
        "token_url": f"{rest_url}/oauth2/token",
        "auth_url": f"{rest_url}/oauth2/authorize",
        "client_id": "apiclient-demo",
        "client_secret": "demo-secret",
        "username": "demo",
        "password": "demo-password",
    }
    values.update(fields)
    return Auth.model_validate(values)


# --- the token --------------------------------------------------------------------------


def test_expiry_and_its_text() -> None:
    token = OAuth2Token("t", expires_at=4600.0, obtained_at=1000.0)
    assert token.expires_in_text(now=1000.0) == "expires in 1 h"
    assert token.expires_in_text(now=4540.0) == "expires in 1 min"
    assert not token.expired(now=4594.0)
    assert token.expired(now=4596.0)  # a few seconds early, so it never dies in flight
    assert token.expires_in_text(now=4780.0) == "expired 3 min ago"
    short = OAuth2Token("t", expires_at=1001.0, obtained_at=1000.0)
    assert not short.expired(now=1000.5)  # the margin is at most a tenth of the lifetime
    forever = OAuth2Token("t")
    assert not forever.expired() and forever.expires_in_text() == "no expiry given"


# --- the cache --------------------------------------------------------------------------


def test_cache_put_get_clear_and_restart(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    token = OAuth2Token(
        "access-1", "Bearer", time.time() + 600, "refresh-1", "read", obtained_at=time.time()
    )
    cache = TokenCache(SecretStore(path))
    assert cache.get("k") is None
    cache.put("k", token)
    assert cache.get("k") == token
    # A restart: a new cache over a new store reading the same file.
    again = TokenCache(SecretStore(path))
    assert again.get("k") == token
    assert again.get("k").expires_in_text().startswith("expires in 9 min")  # type: ignore[union-attr]
    again.clear("k")
    assert TokenCache(SecretStore(path)).get("k") is None
    again.clear("k")  # clearing twice is no error


def test_memory_cache_writes_nothing(tmp_path: Path) -> None:
    cache = TokenCache(None)
    cache.put("k", OAuth2Token("a"))
    assert cache.get("k") == OAuth2Token("a")
    assert not (tmp_path / "data" / "secrets.json").exists()


def test_damaged_stored_token_reads_as_none(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.set("apiclient::oauth2-tokens", "k", "{not json")
    assert TokenCache(store).get("k") is None


def test_token_key_separates_clients_environments_and_collections() -> None:
    auth = Auth(kind="oauth2", token_url="https://id.example/token", client_id="a", scope="x y")
    key = token_key(auth, "dev", "/c")
    assert key == token_key(auth.model_copy(update={"client_secret": "changed"}), "dev", "/c")
    assert key == token_key(auth.model_copy(update={"scope": " x   y "}), "dev", "/c")
    assert key != token_key(auth.model_copy(update={"client_id": "b"}), "dev", "/c")
    assert key != token_key(auth, "prod", "/c")
    assert key != token_key(auth, "dev", "/other")
    assert key != token_key(auth.model_copy(update={"grant_type": "password"}), "dev", "/c")
    password = auth.model_copy(update={"grant_type": "password", "username": "u"})
    assert token_key(password, "dev", "/c") != token_key(
        password.model_copy(update={"username": "v"}), "dev", "/c"
    )
    assert "secret" not in key


# --- ensure_token -----------------------------------------------------------------------


async def test_ensure_fetches_then_reuses(engine: RestEngine, rest_url: str) -> None:
    cache = TokenCache(None)
    auth = oauth2(rest_url)
    first = await ensure_token(auth, cache, "k", engine)
    assert cache.get("k") == first
    assert await ensure_token(auth, cache, "k", engine) == first  # no new request


async def test_ensure_refreshes_an_expired_token(engine: RestEngine, rest_url: str) -> None:
    cache = TokenCache(None)
    auth = oauth2(rest_url, grant_type="password")
    issued = await fetch_token(auth, engine)
    # The same token, as if read back an hour later.
    stale = OAuth2Token(
        issued.access_token, expires_at=time.time() - 1, refresh_token=issued.refresh_token
    )
    cache.put("k", stale)
    fresh = await ensure_token(auth, cache, "k", engine)
    assert fresh.access_token != issued.access_token
    assert not fresh.expired()
    assert cache.get("k") == fresh


async def test_ensure_fetches_anew_when_a_refresh_is_refused(
    engine: RestEngine, rest_url: str
) -> None:
    cache = TokenCache(None)
    cache.put("k", OAuth2Token("old", expires_at=1.0, refresh_token="unknown-to-the-server"))
    fresh = await ensure_token(oauth2(rest_url, grant_type="password"), cache, "k", engine)
    assert fresh.access_token != "old" and cache.get("k") == fresh


async def test_ensure_code_grant_needs_the_user(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="authorization_code")
    cache = TokenCache(None)
    with pytest.raises(OAuth2TokenMissingError, match="click Get new token in the Auth tab"):
        await ensure_token(auth, cache, "k", engine)
    cache.put("k", OAuth2Token("old", expires_at=time.time() - 120))
    with pytest.raises(OAuth2TokenExpiredError, match="expired 2 min ago and cannot be refreshed"):
        await ensure_token(auth, cache, "k", engine)
    cache.put("k", OAuth2Token("old", expires_at=1.0, refresh_token="unknown"))
    with pytest.raises(OAuth2Error, match="invalid_grant"):
        await ensure_token(auth, cache, "k", engine)
    valid = OAuth2Token("cached", expires_at=time.time() + 60)
    cache.put("k", valid)
    assert await ensure_token(auth, cache, "k", engine) == valid


async def test_ensure_shows_a_wrong_secret(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, client_secret="wrong")
    cache = TokenCache(None)
    with pytest.raises(OAuth2Error, match="wrong secret"):
        await ensure_token(auth, cache, "k", engine)
    assert cache.get("k") is None
