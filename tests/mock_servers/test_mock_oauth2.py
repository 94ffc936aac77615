"""The REST mock's OAuth 2.0 authorization server, spoken to directly over HTTP: each
grant, PKCE, the RFC 6749 error answers, and the protected resource."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

DEMO = ("apiclient-demo", "demo-secret")
REDIRECT = "http://127.0.0.1:8791/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize(client: httpx.Client, **params: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": DEMO[0], "redirect_uri": REDIRECT}
    query.update(params)
    return client.get("/oauth2/authorize", params=query)


def code_from(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


def token(client: httpx.Client, auth: tuple[str, str] | None = DEMO, **form: str) -> httpx.Response:
    return client.post("/oauth2/token", data=form, auth=auth)


def code_with_pkce(client: httpx.Client) -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    answer = code_from(
        authorize(client, state="s1", code_challenge=s256(verifier), code_challenge_method="S256")
    )
    assert answer["state"] == ["s1"]
    return answer["code"][0], verifier


def exchange(client: httpx.Client, code: str, verifier: str) -> httpx.Response:
    return token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )


def bearer(client: httpx.Client, access_token: str) -> httpx.Response:
    return client.get("/oauth2/protected", headers={"Authorization": f"Bearer {access_token}"})


# --- grants -----------------------------------------------------------------------------


def test_client_credentials_in_the_header_and_in_the_body(client: httpx.Client) -> None:
    by_header = token(client, grant_type="client_credentials", scope="read write")
    assert by_header.status_code == 200
    assert by_header.headers["cache-control"] == "no-store"
    data = by_header.json()
    assert data["token_type"] == "Bearer" and data["expires_in"] == 3600
    assert data["scope"] == "read write" and "refresh_token" not in data
    by_body = token(
        client,
        None,
        grant_type="client_credentials",
        client_id=DEMO[0],
        client_secret=DEMO[1],
    )
    assert by_body.status_code == 200
    answer = bearer(client, by_body.json()["access_token"])
    assert answer.json()["subject"] == DEMO[0] and answer.json()["scope"] == "read"


def test_code_with_pkce_then_refresh_rotates(client: httpx.Client) -> None:
    code, verifier = code_with_pkce(client)
    issued = exchange(client, code, verifier)
    assert issued.status_code == 200, issued.text
    first = issued.json()
    assert bearer(client, first["access_token"]).json()["subject"] == "demo"
    renewed = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != first["refresh_token"]
    again = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_public_client_needs_pkce(client: httpx.Client) -> None:
    code, verifier = code_with_pkce(client)
    public = token(
        client,
        None,
        grant_type="authorization_code",
        client_id=DEMO[0],
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert public.status_code == 200, public.text
    without_pkce = code_from(authorize(client))["code"][0]
    refused = token(
        client,
        None,
        grant_type="authorization_code",
        client_id=DEMO[0],
        code=without_pkce,
        redirect_uri=REDIRECT,
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert "must use PKCE" in refused.json()["error_description"]
    no_secret = token(client, None, grant_type="client_credentials", client_id=DEMO[0])
    assert no_secret.json()["error"] == "invalid_client"


def test_short_lived_client(client: httpx.Client) -> None:
    issued = token(client, ("apiclient-short", "short-secret"), grant_type="client_credentials")
    assert issued.json()["expires_in"] == 1


# --- PKCE and codes ---------------------------------------------------------------------


def test_bad_verifier_is_refused(client: httpx.Client) -> None:
    code, _ = code_with_pkce(client)
    refused = exchange(client, code, secrets.token_urlsafe(48))
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "PKCE verification failed: code_verifier does not match.",
    }


def test_reused_code_is_refused_and_revokes_its_tokens(client: httpx.Client) -> None:
    code, verifier = code_with_pkce(client)
    first = exchange(client, code, verifier).json()
    reused = exchange(client, code, verifier)
    assert reused.status_code == 400
    assert reused.json()["error_description"] == "The authorization code was already used."
    assert bearer(client, first["access_token"]).status_code == 401


def test_redirect_uri_must_match_at_exchange(client: httpx.Client) -> None:
    code, verifier = code_with_pkce(client)
    refused = token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:9999/other",
        code_verifier=verifier,
    )
    assert refused.json()["error"] == "invalid_grant"


def test_unknown_client_gets_an_error_page_not_a_redirect(client: httpx.Client) -> None:
    page = authorize(client, client_id="nobody", state="s")
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert "Unknown client" in page.text


def test_redirect_uri_must_be_loopback_http(client: httpx.Client) -> None:
    page = authorize(client, redirect_uri="https://evil.example/cb")
    assert page.status_code == 400 and "not allowed" in page.text


def test_bad_challenge_method_is_redirected_as_an_error(client: httpx.Client) -> None:
    answer = code_from(
        authorize(client, state="s2", code_challenge="abc", code_challenge_method="plain")
    )
    assert answer["error"] == ["invalid_request"]
    assert answer["state"] == ["s2"]
    assert "code" not in answer


# --- errors of the token endpoint -------------------------------------------------------


def test_wrong_secret_is_invalid_client_with_a_challenge(client: httpx.Client) -> None:
    refused = token(client, (DEMO[0], "wrong"), grant_type="client_credentials")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Basic realm="mock-oauth2"'
    assert refused.json()["error"] == "invalid_client"
    assert "wrong secret" in refused.json()["error_description"]


def test_client_credentials_are_form_encoded_in_basic(client: httpx.Client) -> None:
    # RFC 6749 2.3.1: "demo-secret" form-encoded is itself; an encoded ID still matches.
    encoded = base64.b64encode(b"apiclient%2Ddemo:demo-secret").decode()
    answer = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {encoded}"},
    )
    assert answer.status_code == 200


def test_token_endpoint_errors(client: httpx.Client) -> None:
    assert token(client, None, grant_type="client_credentials").json()["error"] == "invalid_client"
    both = token(client, grant_type="client_credentials", client_secret="demo-secret")
    assert both.json()["error"] == "invalid_request"
    assert token(client).json()["error"] == "invalid_request"  # no grant_type
    unsupported = token(client, grant_type="implicit")
    assert (unsupported.status_code, unsupported.json()["error"]) == (
        400,
        "unsupported_grant_type",
    )
    wrong_user = token(client, grant_type="password", username="demo", password="x")
    assert wrong_user.json()["error"] == "invalid_grant"


def test_protected_needs_a_valid_token(client: httpx.Client) -> None:
    missing = client.get("/oauth2/protected")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="mock-oauth2"'
    unknown = bearer(client, "made-up")
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["www-authenticate"]
