"""Status codes, delays, redirects, cookies and auth of the REST mock."""

from __future__ import annotations

import threading
import time

import httpx
import pytest


def test_index_lists_endpoints(client: httpx.Client) -> None:
    paths = {entry["path"] for entry in client.get("/").json()["endpoints"]}
    assert {"/api/items", "/echo", "/broken/mid-body"} <= paths


def test_openapi_schema_builds(client: httpx.Client) -> None:
    assert "/api/items" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("code", [200, 201, 202, 400, 404, 418, 500, 503, 599])
def test_status_answers_with_json(client: httpx.Client, code: int) -> None:
    response = client.get(f"/status/{code}")
    assert response.status_code == code
    assert response.json()["status"] == code


@pytest.mark.parametrize("code", [204, 304])
def test_status_without_body(client: httpx.Client, code: int) -> None:
    response = client.post(f"/status/{code}")
    assert response.status_code == code
    assert response.content == b""


def test_status_extras_and_limits(client: httpx.Client) -> None:
    assert client.get("/status/401").headers["www-authenticate"].startswith("Basic")
    assert client.get("/status/302").headers["location"] == "/echo"
    assert client.get("/status/100").status_code == 400
    assert client.get("/status/600").status_code == 422


def test_delay_waits_without_blocking_other_requests(rest_url: str) -> None:
    result: dict[str, float] = {}

    def slow_request() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=rest_url) as slow:
            result["delay"] = slow.get("/delay/0.8").json()["delay"]
        result["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.2)
    with httpx.Client(base_url=rest_url) as fast:
        started = time.monotonic()
        assert fast.get("/echo").status_code == 200
        assert time.monotonic() - started < 0.5
    thread.join(10)
    assert result["delay"] == pytest.approx(0.8)
    assert result["elapsed"] >= 0.8


def test_delay_rejects_negative(client: httpx.Client) -> None:
    assert client.get("/delay/-1").status_code == 422


def test_redirect_chain_ends_at_echo(client: httpx.Client) -> None:
    response = client.get("/redirect/3", follow_redirects=True)
    assert [r.status_code for r in response.history] == [302, 302, 302]
    assert response.json()["path"] == "/echo"
    first = client.get("/redirect/2")
    assert (first.status_code, first.headers["location"]) == (302, "/redirect/1")


def test_redirect_to(client: httpx.Client) -> None:
    response = client.get("/redirect-to", params={"url": "/html", "status_code": 307})
    assert (response.status_code, response.headers["location"]) == (307, "/html")
    assert client.get("/redirect-to", params={"url": "/x", "status_code": 200}).status_code == 422


def test_cookies_set_read_delete(rest_url: str) -> None:
    with httpx.Client(base_url=rest_url) as client:
        set_response = client.get("/cookies/set", params={"flavour": "oat", "size": "2"})
        assert set_response.json() == {"cookies": {"flavour": "oat", "size": "2"}}
        assert len(set_response.headers.get_list("set-cookie")) == 2
        assert client.get("/cookies").json() == {"cookies": {"flavour": "oat", "size": "2"}}

        deleted = client.get("/cookies/delete", params={"flavour": ""})
        assert deleted.json() == {"deleted": ["flavour"]}
        assert client.get("/cookies").json() == {"cookies": {"size": "2"}}


def test_basic_auth(client: httpx.Client) -> None:
    ok = client.get("/basic-auth/ada/s3cret", auth=("ada", "s3cret"))
    assert ok.json() == {"authenticated": True, "user": "ada"}
    for auth in (None, ("ada", "wrong"), ("bob", "s3cret")):
        denied = client.get("/basic-auth/ada/s3cret", auth=auth)
        assert denied.status_code == 401
        assert denied.headers["www-authenticate"] == 'Basic realm="mock"'


def test_digest_auth_with_httpx(client: httpx.Client) -> None:
    challenge = client.get("/digest-auth/auth/ada/s3cret")
    assert challenge.status_code == 401
    header = challenge.headers["www-authenticate"]
    for part in ("Digest ", "realm=", "nonce=", 'qop="auth"', "opaque=", "algorithm=MD5"):
        assert part in header

    ok = client.get("/digest-auth/auth/ada/s3cret", auth=httpx.DigestAuth("ada", "s3cret"))
    assert ok.status_code == 200
    assert ok.json() == {"authenticated": True, "user": "ada"}

    wrong = client.get("/digest-auth/auth/ada/s3cret", auth=httpx.DigestAuth("ada", "nope"))
    assert wrong.status_code == 401
    assert client.get("/digest-auth/auth-int/ada/s3cret").status_code == 400
