"""curl and code snippets for the auth kinds curl or the snippet's library can or cannot
send: NTLM and AWS Signature v4 through curl's own flags, the others said in a comment."""

from __future__ import annotations

import shlex

import pytest

from apiclient.core.exporters.code import to_fetch, to_httpx
from apiclient.core.exporters.curl import to_curl
from apiclient.core.models import Auth, RestRequest


def _request(auth: Auth) -> RestRequest:
    return RestRequest(name="x", url="http://127.0.0.1:9/auth/x", auth=auth)


def _words(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", " "), comments=True)


def test_curl_signs_ntlm_with_the_domain_and_aws_with_its_own_flags() -> None:
    ntlm = _words(to_curl(_request(Auth(kind="ntlm", username="u", password="p", domain="D"))))
    assert ntlm[ntlm.index("--ntlm") + 1 : ntlm.index("--ntlm") + 3] == ["-u", "D\\u:p"]

    aws = Auth(
        kind="awsv4",
        access_key="AK",
        secret_key="SK",
        session_token="ST",
        region="eu-west-1",
        service="demo",
    )
    words = _words(to_curl(_request(aws)))
    assert words[words.index("--aws-sigv4") + 1] == "aws:amz:eu-west-1:demo"
    assert words[words.index("-u") + 1] == "AK:SK"
    assert "x-amz-security-token: ST" in words


@pytest.mark.parametrize(
    ("auth", "name"),
    [
        (Auth(kind="oauth1", consumer_key="ck", consumer_secret="cs"), "OAuth 1.0 (HMAC-SHA1)"),
        (Auth(kind="hawk", hawk_id="i", hawk_key="k"), "Hawk"),
    ],
)
def test_what_curl_cannot_sign_is_said_in_a_comment_line(auth: Auth, name: str) -> None:
    command = to_curl(_request(auth))
    first, rest = command.split("\n", 1)
    assert first.startswith("# ") and name in first and "curl cannot" in first
    assert rest.startswith("curl ")
    assert _words(command)[0] == "curl"  # the shell skips the comment


@pytest.mark.parametrize("kind", ["oauth1", "awsv4", "hawk", "ntlm"])
def test_snippets_say_which_auth_they_leave_out(kind: str) -> None:
    request = _request(Auth(kind=kind))  # type: ignore[arg-type]
    python = to_httpx(request)
    javascript = to_fetch(request)
    assert python.startswith("# apiclient signs this request with")
    compile(python, "snippet.py", "exec")
    assert "// apiclient signs this request with" in javascript
