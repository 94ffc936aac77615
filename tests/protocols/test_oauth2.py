"""OAuth 2.0 token flows against the REST mock's authorization server: every grant, the
code flow driven without a browser, refresh, and what a person sees when it goes wrong."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from apiclient.core.models import Auth, RestRequest
from apiclient.core.oauth2_tokens import OAuth2Token
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.oauth2 import (
    OAuth2Error,
    RedirectListenerError,
    authorization_url,
    fetch_token,
    refresh_token,
)
from apiclient.protocols.rest import RestEngine

# The window's engine and the runner's (worker threads); the code flow is the window's.
both_engines = pytest.mark.parametrize("engine", ["async", "threaded"], indirect=True)


def oauth2(rest_url: str, **fields: object) -> Auth:
    values: dict[str, object] = {
        "kind": "oauth2",
        "token_url": f"{rest_url}/oauth2/token",
        "auth_url": f"{rest_url}/oauth2/authorize",
        "client_id": "apiclient-demo",
        "client_secret": "demo-secret",
        "redirect_uri": "http://127.0.0.1:0/callback",
    }
    values.update(fields)
    return Auth.model_validate(values)


async def protected(engine: RestEngine, rest_url: str, token: OAuth2Token) -> httpx.Response:
    """What /oauth2/protected answers to ``token`` (sent as a bearer token)."""
    auth = Auth(kind="bearer", token=token.access_token)
    response = await engine.send(RestRequest(url=f"{rest_url}/oauth2/protected", auth=auth))
    return httpx.Response(response.status_code, content=response.body)


class Browser:
    """Stands in for the system browser: follows the authorization redirect back to the
    listener with a blocking client, as a person's browser would (``tamper`` may edit
    the URL first). Keeps the last page the listener showed."""

    def __init__(self, tamper: Callable[[str], str] = lambda url: url) -> None:
        self.tamper = tamper
        self.opened: list[str] = []
        self.page = ""

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        with httpx.Client(follow_redirects=True, timeout=10, trust_env=False) as client:
            self.page = client.get(self.tamper(url)).text


# --- the grants -------------------------------------------------------------------------


@both_engines
@pytest.mark.parametrize("client_auth", ["header", "body"])
async def test_client_credentials(engine: RestEngine, rest_url: str, client_auth: str) -> None:
    auth = oauth2(rest_url, client_auth=client_auth, scope="read  write")
    token = await fetch_token(auth, engine)
    assert token.token_type == "Bearer"
    assert token.scope == "read write"
    assert token.refresh_token == ""  # client credentials get none (RFC 6749 4.4.3)
    assert token.expires_at is not None
    assert 3590 < token.expires_at - token.obtained_at <= 3600
    assert not token.expired()
    answer = await protected(engine, rest_url, token)
    assert answer.status_code == 200
    assert answer.json()["subject"] == "apiclient-demo"


@both_engines
async def test_password_grant(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="password", username="demo", password="demo-password")
    token = await fetch_token(auth, engine)
    assert token.refresh_token
    assert token.scope == "read"  # the server's default, as it said
    answer = await protected(engine, rest_url, token)
    assert answer.json()["subject"] == "demo"


async def test_authorization_code_with_pkce(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="authorization_code", scope="profile")
    browser = Browser()
    token = await fetch_token(auth, engine, open_browser=browser)
    assert token.refresh_token and token.scope == "profile"
    (opened,) = browser.opened
    query = parse_qs(urlsplit(opened).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    redirect = urlsplit(query["redirect_uri"][0])
    assert (redirect.hostname, redirect.path) == ("127.0.0.1", "/callback")
    assert redirect.port not in (None, 0)  # port 0 asks for a free one: the real one is sent
    assert "You can close this tab and return to apiclient" in browser.page
    answer = await protected(engine, rest_url, token)
    assert answer.json()["subject"] == "demo"
    # The listener stopped after its one callback.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", redirect.port)) != 0


async def test_authorization_code_for_a_public_client(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="authorization_code", client_secret="")
    token = await fetch_token(auth, engine, open_browser=Browser())
    assert (await protected(engine, rest_url, token)).status_code == 200


async def test_refresh_after_expiry(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(
        rest_url,
        client_id="apiclient-short",
        client_secret="short-secret",
        grant_type="password",
        username="demo",
        password="demo-password",
    )
    first = await fetch_token(auth, engine)
    await asyncio.sleep(max(first.expires_at - first.obtained_at, 0) + 0.1)  # type: ignore[operator]
    assert first.expired()
    assert (await protected(engine, rest_url, first)).status_code == 401
    second = await refresh_token(auth, first, engine)
    assert second.access_token != first.access_token
    assert second.refresh_token not in ("", first.refresh_token)  # the mock rotates them
    assert (await protected(engine, rest_url, second)).status_code == 200


# --- what goes wrong --------------------------------------------------------------------


@pytest.mark.parametrize("client_auth", ["header", "body"])
async def test_wrong_client_secret_shows_the_servers_error(
    engine: RestEngine, rest_url: str, client_auth: str
) -> None:
    auth = oauth2(rest_url, client_secret="not-the-secret", client_auth=client_auth)
    with pytest.raises(OAuth2Error) as caught:
        await fetch_token(auth, engine)
    error = caught.value
    assert (error.error, error.status) == ("invalid_client", 401)
    assert "wrong secret for 'apiclient-demo'" in error.description
    assert f"{rest_url}/oauth2/token" in str(error)
    assert "HTTP 401" in str(error)
    assert "wrong secret for 'apiclient-demo'. Check the client ID" in str(error)


async def test_wrong_password_is_invalid_grant(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="password", username="demo", password="nope")
    with pytest.raises(OAuth2Error, match="invalid_grant: Wrong username or password"):
        await fetch_token(auth, engine)


@both_engines
@pytest.mark.parametrize("grant", ["client_credentials", "password"])
async def test_a_token_url_that_redirects_is_not_followed(
    engine: RestEngine, rest_url: str, grant: str
) -> None:
    """The secret and password are in the body: a 307 would carry them on."""
    target = f"{rest_url}/oauth2/token"
    moved = f"{rest_url}/redirect-to?{urlencode({'url': target, 'status_code': 307})}"
    auth = oauth2(
        rest_url, token_url=moved, grant_type=grant, username="demo", password="demo-password"
    )
    with pytest.raises(OAuth2Error) as caught:
        await fetch_token(auth, engine)
    assert str(caught.value) == (
        f"The token URL {moved} redirects to {target}: use that address as the token URL."
    )
    assert caught.value.status == 307


async def test_an_answer_that_is_not_a_token(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, token_url=f"{rest_url}/html")
    with pytest.raises(OAuth2Error, match=r"answered HTTP (405|200) .* not a token"):
        await fetch_token(auth, engine)


async def test_missing_settings_fail_before_any_traffic(engine: RestEngine, rest_url: str) -> None:
    with pytest.raises(RequestBuildError, match="needs a token URL"):
        await fetch_token(oauth2(rest_url, token_url=" "), engine)
    with pytest.raises(RequestBuildError, match="needs a client ID"):
        await fetch_token(oauth2(rest_url, client_id=""), engine)
    code = oauth2(rest_url, grant_type="authorization_code", redirect_uri="https://example.com/cb")
    with pytest.raises(RequestBuildError, match="must be an http:// address on this computer"):
        await fetch_token(code, engine, open_browser=Browser())


async def test_refresh_without_refresh_token(engine: RestEngine, rest_url: str) -> None:
    token = OAuth2Token("abc", expires_at=1.0, obtained_at=0.0)
    with pytest.raises(Exception, match="no refresh token: click Get new token"):
        await refresh_token(oauth2(rest_url), token, engine)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def test_redirect_listener_port_in_use(
    engine: RestEngine, rest_url: str, busy_port: int
) -> None:
    auth = oauth2(
        rest_url,
        grant_type="authorization_code",
        redirect_uri=f"http://127.0.0.1:{busy_port}/callback",
    )
    browser = Browser()
    with pytest.raises(RedirectListenerError) as caught:
        await fetch_token(auth, engine, open_browser=browser)
    assert f"Port {busy_port} on 127.0.0.1 is in use" in str(caught.value)
    assert "change the redirect URI's port" in str(caught.value)
    assert browser.opened == []  # nothing was opened in vain


async def test_a_stray_callback_does_not_end_the_sign_in(engine: RestEngine, rest_url: str) -> None:
    """A callback with another state (forged, or an earlier attempt's) gets 400 and the
    flow keeps waiting for the real one."""
    auth = oauth2(rest_url, grant_type="authorization_code")
    strays: list[int] = []

    def forged_then_real(url: str) -> None:
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        with httpx.Client(follow_redirects=True, timeout=10, trust_env=False) as client:
            forged = urlencode({"code": "stolen", "state": "not-ours"})
            strays.append(client.get(f"{redirect}?{forged}").status_code)
            client.get(url)

    token = await fetch_token(auth, engine, open_browser=forged_then_real)
    assert strays == [400]
    assert token.access_token


async def test_error_brought_back_by_the_browser(engine: RestEngine, rest_url: str) -> None:
    auth = oauth2(rest_url, grant_type="authorization_code")
    browser = Browser(
        lambda url: url.replace("code_challenge_method=S256", "code_challenge_method=plain")
    )
    with pytest.raises(OAuth2Error) as caught:
        await fetch_token(auth, engine, open_browser=browser)
    assert caught.value.error == "invalid_request"
    assert "code_challenge_method=S256" in str(caught.value)
    assert "Authorization failed" in browser.page


async def test_cancelling_the_code_flow_stops_the_listener(
    engine: RestEngine, rest_url: str
) -> None:
    auth = oauth2(rest_url, grant_type="authorization_code")
    opened: list[str] = []
    flow = asyncio.ensure_future(fetch_token(auth, engine, open_browser=opened.append))
    while not opened:
        await asyncio.sleep(0.01)
    port = urlsplit(parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]).port
    assert port
    flow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await flow
    with socket.socket() as sock:  # nobody listens any more
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_authorization_url_keeps_the_existing_query() -> None:
    auth = Auth(
        kind="oauth2", auth_url="https://id.example/authorize?audience=api", client_id="c x"
    )
    url = authorization_url(auth, "http://127.0.0.1:8791/cb", "st", None)
    query = parse_qs(urlsplit(url).query)
    assert query["audience"] == ["api"]
    assert query["client_id"] == ["c x"]
    assert "code_challenge" not in query
    assert json.dumps(query["state"]) == '["st"]'
