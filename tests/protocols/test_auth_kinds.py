"""Every auth kind on the wire, end to end against the REST mock's endpoints that require
it (OAuth 1.0a, AWS Signature v4, Hawk, NTLM; OAuth 2.0's token as a bearer), through
the window's engine and the runner's threaded one: accepted with the right secrets, the
server's 401 shown with a wrong one, a missing field refused before any traffic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from apiclient.core.models import Auth, Body, FormField, KeyValue, RestRequest
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import Scope, resolve_request
from apiclient.protocols.auth_errors import AuthHandshakeError
from apiclient.protocols.auth_flow import SIGN_IN_THREAD_BYTES
from apiclient.protocols.auth_oauth1 import request_parameters, signature_base_string
from apiclient.protocols.auth_sign import NO_OAUTH2_TOKEN
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine

OAUTH1 = Auth(
    kind="oauth1",
    consumer_key="demo-consumer",
    consumer_secret="demo-consumer-secret",
    token="demo-token",
    token_secret="demo-token-secret",
    realm="Photos",
)
AWS = Auth(
    kind="awsv4",
    access_key="AKIDEXAMPLE",
    secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    region="us-east-1",
    service="demo",
)
HAWK = Auth(kind="hawk", hawk_id="demo-hawk-id", hawk_key="demo-hawk-key", hawk_ext="app=tests")
NTLM = Auth(kind="ntlm", domain="DEMO", username="demo", password="demo-password")
KINDS = {"oauth1": OAUTH1, "aws": AWS, "hawk": HAWK, "ntlm": NTLM}

FORM = Body(
    mode="urlencoded",
    urlencoded=[KeyValue(name="title", value="a b+c"), KeyValue(name="tag", value="x&y")],
)
JSON_BODY = Body(mode="raw", raw='{"message": "signed"}')
ODD_QUERY = "?b=2&a=x%20y&a=1&flag&sym=%2F%3D"


def _request(url: str, auth: Auth, **update: object) -> RestRequest:
    return RestRequest(url=url, auth=auth).model_copy(update=update)


@pytest.mark.parametrize("path", list(KINDS))
@pytest.mark.parametrize(
    ("method", "query", "body"),
    [("GET", ODD_QUERY, Body()), ("POST", "?page=1", FORM), ("PUT", "", JSON_BODY)],
    ids=["get-query", "post-form", "put-json"],
)
async def test_each_kind_is_accepted_by_its_endpoint(
    engine: RestEngine, rest_url: str, path: str, method: str, query: str, body: Body
) -> None:
    request = _request(f"{rest_url}/auth/{path}{query}", KINDS[path], method=method, body=body)
    response = await engine.send(request)
    assert response.status_code == 200, response.text()
    assert json.loads(response.body)["authenticated"] is True


@pytest.mark.parametrize(
    ("path", "auth", "why"),
    [
        ("oauth1", OAUTH1.model_copy(update={"consumer_secret": "wrong"}), "Bad signature"),
        ("oauth1", OAUTH1.model_copy(update={"token_secret": "wrong"}), "Bad signature"),
        ("oauth1", OAUTH1.model_copy(update={"consumer_key": "other"}), "Unknown consumer key"),
        ("aws", AWS.model_copy(update={"secret_key": "wrong"}), "Bad signature"),
        ("aws", AWS.model_copy(update={"access_key": "AKIDOTHER"}), "Unknown access key"),
        ("aws", AWS.model_copy(update={"region": "eu-west-1"}), "Wrong credential scope"),
        ("hawk", HAWK.model_copy(update={"hawk_key": "wrong"}), "Bad MAC"),
        ("hawk", HAWK.model_copy(update={"hawk_algorithm": "sha1"}), "Bad MAC"),
        ("hawk", HAWK.model_copy(update={"hawk_id": "someone"}), "Unknown Hawk id"),
    ],
)
async def test_a_wrong_secret_gets_the_servers_401_with_its_reason(
    engine: RestEngine, rest_url: str, path: str, auth: Auth, why: str
) -> None:
    response = await engine.send(
        _request(f"{rest_url}/auth/{path}", auth, method="POST", body=FORM)
    )
    assert response.status_code == 401
    assert response.header("www-authenticate")
    assert why in json.loads(response.body)["error"]


async def test_ntlm_with_a_wrong_password_says_the_credentials_were_refused(
    engine: RestEngine, rest_url: str
) -> None:
    auth = NTLM.model_copy(update={"password": "wrong"})
    with pytest.raises(AuthHandshakeError) as caught:
        await engine.send(_request(f"{rest_url}/auth/ntlm", auth))
    assert "refused the NTLM credentials of DEMO\\demo. Check the username" in str(caught.value)


async def test_ntlm_to_a_server_without_ntlm_says_what_it_offers(
    engine: RestEngine, rest_url: str
) -> None:
    with pytest.raises(AuthHandshakeError, match="did not answer the NTLM negotiation") as caught:
        await engine.send(_request(f"{rest_url}/basic-auth/user/passwd", NTLM))
    assert 'Basic realm="mock"' in str(caught.value)


async def test_ntlm_with_the_domain_in_the_username_is_accepted(
    engine: RestEngine, rest_url: str
) -> None:
    auth = NTLM.model_copy(update={"domain": "", "username": "DEMO\\demo"})
    response = await engine.send(_request(f"{rest_url}/auth/ntlm", auth))
    assert json.loads(response.body) == {
        "authenticated": True,
        "kind": "ntlm",
        "user": "DEMO\\demo",
    }


async def test_multipart_and_binary_bodies_are_signed_from_their_bytes(
    engine: RestEngine, rest_url: str, tmp_path: Path
) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(bytes(range(256)) * 64)
    multipart = Body(
        mode="multipart",
        multipart=[
            FormField(name="note", value="hello"),
            FormField(name="file", type="file", value=str(upload)),
        ],
    )
    binary = Body(mode="binary", binary_path=str(upload))
    for body in (multipart, binary):
        for path in ("hawk", "aws"):
            request = _request(f"{rest_url}/auth/{path}", KINDS[path], method="POST", body=body)
            response = await engine.send(request)
            assert response.status_code == 200, response.text()


async def test_a_body_past_the_threshold_is_signed_off_the_loop_and_still_verifies(
    engine: RestEngine, rest_url: str
) -> None:
    big = Body(mode="raw", language="text", raw="x" * (SIGN_IN_THREAD_BYTES + 10))
    response = await engine.send(_request(f"{rest_url}/auth/aws", AWS, method="POST", body=big))
    assert response.status_code == 200, response.text()


async def test_s3_gets_the_payload_hash_header(engine: RestEngine, rest_url: str) -> None:
    auth = AWS.model_copy(update={"service": "s3", "session_token": "session-1"})
    response = await engine.send(_request(f"{rest_url}/echo", auth, method="PUT", body=JSON_BODY))
    sent = dict((k.lower(), v) for k, v in response.request_headers)
    assert sent["x-amz-content-sha256"] == hashlib.sha256(JSON_BODY.raw.encode()).hexdigest()
    assert sent["x-amz-security-token"] == "session-1"
    assert "/us-east-1/s3/aws4_request" in sent["authorization"]
    assert "x-amz-content-sha256" in sent["authorization"]


async def test_oauth2_sends_the_filled_token_like_bearer(engine: RestEngine, rest_url: str) -> None:
    auth = Auth(kind="oauth2", token="tok-123", token_prefix="Bearer")
    response = await engine.send(_request(f"{rest_url}/echo", auth))
    assert ("Authorization", "Bearer tok-123") in [
        (k.title(), v) for k, v in response.request_headers
    ]


async def test_oauth2_without_a_token_says_to_get_one(engine: RestEngine, rest_url: str) -> None:
    with pytest.raises(RequestBuildError) as caught:
        await engine.send(_request(f"{rest_url}/echo", Auth(kind="oauth2", client_id="x")))
    assert str(caught.value) == NO_OAUTH2_TOKEN


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (OAUTH1.model_copy(update={"consumer_key": " "}), "OAuth 1.0 consumer key"),
        (OAUTH1.model_copy(update={"consumer_secret": ""}), "OAuth 1.0 consumer secret"),
        (AWS.model_copy(update={"access_key": ""}), "AWS access key"),
        (AWS.model_copy(update={"secret_key": ""}), "AWS secret key"),
        (AWS.model_copy(update={"service": ""}), "AWS service"),
        (AWS.model_copy(update={"region": ""}), "AWS region"),
        (HAWK.model_copy(update={"hawk_id": ""}), "Hawk ID"),
        (HAWK.model_copy(update={"hawk_key": ""}), "Hawk key"),
        (NTLM.model_copy(update={"username": ""}), "auth username"),
    ],
)
async def test_a_missing_field_is_refused_before_sending_naming_it(
    engine: RestEngine, closed_port: int, auth: Auth, message: str
) -> None:
    with pytest.raises(RequestBuildError, match=f"needs the {message}: fill it in the Auth tab"):
        await engine.send(_request(f"http://127.0.0.1:{closed_port}/", auth))


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (HAWK.model_copy(update={"hawk_ext": 'say "hi"'}), "Hawk ext may hold printable ASCII"),
        (OAUTH1.model_copy(update={"realm": 'a"b'}), "realm cannot hold"),
        (AWS.model_copy(update={"session_token": "a\nb"}), "AWS session token holds a line"),
    ],
)
async def test_a_value_a_header_cannot_carry_is_refused_before_sending(
    engine: RestEngine, closed_port: int, auth: Auth, message: str
) -> None:
    with pytest.raises(RequestBuildError, match=message):
        await engine.send(_request(f"http://127.0.0.1:{closed_port}/", auth))


@pytest.mark.parametrize("path", ["hawk", "ntlm", "oauth1"])
async def test_the_runners_threaded_engine_signs_too(rest_url: str, path: str) -> None:
    engine = ThreadedRestEngine(workers=2)
    try:
        request = _request(f"{rest_url}/auth/{path}?x=1", KINDS[path], method="POST", body=FORM)
        response = await engine.send(request)
        assert response.status_code == 200, response.text()
    finally:
        await engine.aclose()


def test_the_oauth1_base_string_is_rfc_5849s_example() -> None:
    """RFC 5849 3.4.1.1: query, form body and protocol parameters, encoded and sorted."""
    request = httpx.Request(
        "POST",
        "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=b"c2&a3=2+q",
    )
    oauth = [
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ]
    base = signature_base_string("POST", str(request.url), request_parameters(request), oauth)
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5"
        "%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26"
        "oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D"
        "137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


_STORE = CollectionStore.open(resources_dir() / "sample-collection")
_SAMPLES = [
    node.request
    for node in walk(_STORE.tree)
    if isinstance(node, RequestNode)
    and isinstance(node.request, RestRequest)
    and node.request.auth.kind in ("oauth1", "awsv4", "hawk", "ntlm")
]


@pytest.mark.parametrize("request_", _SAMPLES, ids=[r.name for r in _SAMPLES])
async def test_the_sample_auth_kind_requests_are_accepted(
    request_: RestRequest, engine: RestEngine, rest_url: str
) -> None:
    env = _STORE.environments[0].variables
    scope = Scope.layered(collection=_STORE.variables, environment=env)
    resolved = resolve_request(request_, scope)
    resolved = resolved.model_copy(
        update={"url": resolved.url.replace("http://127.0.0.1:8710", rest_url)}
    )
    response = await engine.send(resolved)
    assert response.status_code == 200, response.text()


def test_the_sample_has_one_request_per_signing_kind() -> None:
    assert sorted(r.auth.kind for r in _SAMPLES) == ["awsv4", "hawk", "ntlm", "oauth1"]


PLUS_QUERY = "q=a+b&r=c%2Bd&s=x%20y&flag"


async def test_aws_signs_a_literal_plus_in_the_query_as_a_plus(
    engine: RestEngine, rest_url: str
) -> None:
    response = await engine.send(_request(f"{rest_url}/auth/aws?{PLUS_QUERY}", AWS))
    assert response.status_code == 200, response.text()


def test_aws_query_pairs_match_botocores_canonical_query_for_the_same_url() -> None:
    """AWS reads ``+`` in a query as a plus (percent-decoding only), as botocore's
    canonical form of the URL, encoded the AWS way, says."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import ReadOnlyCredentials

    from apiclient.protocols.auth_aws import query_pairs

    signer = SigV4Auth(ReadOnlyCredentials("AKIDEXAMPLE", "secret", None), "demo", "us-east-1")
    pairs = query_pairs(PLUS_QUERY)
    assert pairs == [("q", "a+b"), ("r", "c+d"), ("s", "x y"), ("flag", "")]
    ours = signer.canonical_query_string(AWSRequest("GET", "http://h/p", params=pairs))
    aws_encoded_url = "http://h/p?q=a%2Bb&r=c%2Bd&s=x%20y&flag="
    assert ours == signer.canonical_query_string(AWSRequest("GET", aws_encoded_url))
