"""The REST mock's endpoints that require each auth kind: what they refuse and why
(no auth, bad signature, stale timestamp, replayed nonce, tampered body, a handshake
split over two connections), each a 401 with a challenge and a reason."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import httpx
import pytest
import spnego

from apiclient.protocols.auth_aws import AwsSigV4Auth
from apiclient.protocols.auth_flow import SigningAuth
from apiclient.protocols.auth_hawk import HawkAuth
from apiclient.protocols.auth_oauth1 import OAuth1Auth, hmac_sha1, signature_base_string

OAUTH1 = OAuth1Auth("demo-consumer", "demo-consumer-secret", "demo-token", "demo-token-secret")
AWS = AwsSigV4Auth(
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "us-east-1", "demo"
)
HAWK = HawkAuth("demo-hawk-id", "demo-hawk-key", "sha256")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _signed(client: httpx.Client, auth: SigningAuth, path: str, body: bytes = b"") -> httpx.Request:
    request = client.build_request("POST", path, content=body, headers=FORM)
    auth.sign(request)
    return request


def _refusal(response: httpx.Response, kind: str) -> str:
    assert response.status_code == 401
    assert response.headers["www-authenticate"]
    answer = response.json()
    assert (answer["authenticated"], answer["kind"]) == (False, kind)
    return str(answer["error"])


@pytest.mark.parametrize(
    ("path", "kind", "scheme"),
    [
        ("/auth/oauth1", "oauth1", "OAuth"),
        ("/auth/aws", "awsv4", "AWS4-HMAC-SHA256"),
        ("/auth/hawk", "hawk", "Hawk"),
        ("/auth/ntlm", "ntlm", "NTLM"),
    ],
)
def test_no_auth_gets_a_challenge_and_says_what_to_send(
    client: httpx.Client, path: str, kind: str, scheme: str
) -> None:
    response = client.get(path, headers={"Authorization": "Bearer nope"})
    assert "Send" in _refusal(response, kind)
    assert response.headers["www-authenticate"].startswith(scheme)


@pytest.mark.parametrize("auth", [OAUTH1, AWS, HAWK], ids=["oauth1", "aws", "hawk"])
def test_a_body_changed_after_signing_is_refused(client: httpx.Client, auth: SigningAuth) -> None:
    signed = _signed(client, auth, f"/auth/{_path(auth)}", b"amount=10")
    tampered = client.build_request(
        "POST", signed.url, headers=signed.headers, content=b"amount=99"
    )
    error = _refusal(client.send(tampered), _kind(auth))
    assert any(word in error for word in ("Bad signature", "payload hash"))


@pytest.mark.parametrize("auth", [OAUTH1, HAWK], ids=["oauth1", "hawk"])
def test_a_replayed_request_is_refused(client: httpx.Client, auth: SigningAuth) -> None:
    request = _signed(client, auth, f"/auth/{_path(auth)}", b"a=1")
    assert client.send(request).status_code == 200
    assert "already used" in _refusal(client.send(request), _kind(auth))


def test_oauth1_with_a_stale_timestamp_is_refused(client: httpx.Client, rest_url: str) -> None:
    stamp = str(int(time.time()) - 3600)
    oauth = [
        ("oauth_consumer_key", "demo-consumer"),
        ("oauth_nonce", "n1"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", stamp),
        ("oauth_token", "demo-token"),
    ]
    base = signature_base_string("GET", f"{rest_url}/auth/oauth1", [], oauth)
    oauth.append(("oauth_signature", hmac_sha1(base, "demo-consumer-secret", "demo-token-secret")))
    header = "OAuth " + ", ".join(f'{k}="{v}"' for k, v in oauth)
    error = _refusal(client.get("/auth/oauth1", headers={"Authorization": header}), "oauth1")
    assert "Stale timestamp" in error


def test_aws_with_a_stale_date_or_a_wrong_body_hash_is_refused(client: httpx.Client) -> None:
    request = _signed(client, AWS, "/auth/aws", b"a=1")
    request.headers["X-Amz-Date"] = "20200101T000000Z"
    assert "X-Amz-Date" in _refusal(client.send(request), "awsv4")
    request = _signed(client, AWS, "/auth/aws", b"a=1")
    request.headers["X-Amz-Content-SHA256"] = "0" * 64
    assert "does not match the body" in _refusal(client.send(request), "awsv4")


def test_hawk_with_a_stale_timestamp_gets_the_servers_time(
    client: httpx.Client, rest_url: str
) -> None:
    from mohawk import Sender

    sender = Sender(
        {"id": "demo-hawk-id", "key": "demo-hawk-key", "algorithm": "sha256"},
        f"{rest_url}/auth/hawk",
        "GET",
        content=b"",
        content_type="",
        _timestamp=int(time.time()) - 3600,
    )
    response = client.get("/auth/hawk", headers={"Authorization": sender.request_header})
    assert "Stale timestamp" in _refusal(response, "hawk")
    assert "ts=" in response.headers["www-authenticate"]


def test_ntlm_answered_on_another_connection_is_refused(rest_url: str) -> None:
    context = spnego.client(
        "DEMO\\demo",
        "demo-password",
        protocol="ntlm",
        options=spnego.NegotiateOptions.use_ntlm,
    )
    negotiate = base64.b64encode(context.step()).decode()
    users_file = os.environ.get("NTLM_USER_FILE")
    with httpx.Client(base_url=rest_url) as first:
        challenge = first.get("/auth/ntlm", headers={"Authorization": f"NTLM {negotiate}"})
    token = challenge.headers["www-authenticate"].partition(" ")[2]
    assert token
    # Set once when the mock's router was made, never while it serves (glibc's
    # environment is not safe to change while other threads read it).
    assert os.environ.get("NTLM_USER_FILE") == users_file
    authenticate = base64.b64encode(context.step(base64.b64decode(token))).decode()
    with httpx.Client(base_url=rest_url) as second:
        response = second.get("/auth/ntlm", headers={"Authorization": f"NTLM {authenticate}"})
    assert "No NTLM negotiation on this connection" in _refusal(response, "ntlm")


def _path(auth: SigningAuth) -> str:
    return {OAuth1Auth: "oauth1", AwsSigV4Auth: "aws", HawkAuth: "hawk"}[type(auth)]


def _kind(auth: SigningAuth) -> str:
    return {OAuth1Auth: "oauth1", AwsSigV4Auth: "awsv4", HawkAuth: "hawk"}[type(auth)]


def test_ntlm_router_keeps_a_users_file_set_before_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mock_servers.rest_auth_ntlm import create_ntlm_router

    mine = str(tmp_path / "users.txt")
    monkeypatch.setenv("NTLM_USER_FILE", mine)
    create_ntlm_router()
    assert os.environ["NTLM_USER_FILE"] == mine
    monkeypatch.delenv("NTLM_USER_FILE")
    create_ntlm_router()
    assert os.environ["NTLM_USER_FILE"] != mine
    assert Path(os.environ["NTLM_USER_FILE"]).read_text(encoding="utf-8") == (
        "DEMO:demo:demo-password\n"
    )
