"""`/auth/aws`: a resource that wants AWS Signature Version 4 for access key
`AKIDEXAMPLE` (AWS's documentation key), region `us-east-1`, service `demo`.

The request is signed again with botocore, at the time its ``X-Amz-Date`` says and over
the headers its ``SignedHeaders`` names, and the two signatures compared. A body hash
sent in ``X-Amz-Content-SHA256`` (as S3 wants) must match the body.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from calendar import timegm
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_servers.rest_auth_common import (
    CLOCK_SKEW_SECONDS,
    accepted,
    add_route,
    refused,
    signed_url,
)

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
SERVICE = "demo"
_CHALLENGE = 'AWS4-HMAC-SHA256 realm="mock"'
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*"
)
_UNSIGNED = "UNSIGNED-PAYLOAD"


def _age(amz_date: str) -> float | None:
    """Seconds since ``amz_date`` (``20150830T123600Z``), None when it is not one."""
    try:
        stamp = time.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return time.time() - timegm(stamp)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """A raw query's pairs as AWS reads them: percent-decoded only, ``+`` kept a plus."""
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _expected_signature(request: Request, body: bytes, amz_date: str, signed: list[str]) -> str:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import ReadOnlyCredentials

    signer = SigV4Auth(ReadOnlyCredentials(ACCESS_KEY, SECRET_KEY, None), SERVICE, REGION)
    again = AWSRequest(
        method=request.method,
        url=signed_url(request, with_query=False),
        headers={name: request.headers.get(name, "") for name in signed},
        data=body,
        params=_query_pairs(request.scope.get("query_string", b"").decode("latin-1")),
    )
    again.context["timestamp"] = amz_date
    canonical = signer.canonical_request(again)
    return str(signer.signature(signer.string_to_sign(again, canonical), again))


def create_aws_router() -> APIRouter:
    router = APIRouter(tags=["auth"])

    async def aws(request: Request) -> dict[str, Any] | JSONResponse:
        """200 when the request is signed with the demo key for us-east-1/demo, else 401."""
        match = _AUTHORIZATION.fullmatch(request.headers.get("authorization", ""))
        if match is None:
            return refused(
                "awsv4",
                "Send 'Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,"
                " Signature=...'.",
                _CHALLENGE,
            )
        key, _, scope = match["credential"].partition("/")
        if key != ACCESS_KEY:
            return refused(
                "awsv4", f"Unknown access key; the mock's is {ACCESS_KEY!r}.", _CHALLENGE
            )
        date, _, rest = scope.partition("/")
        if rest != f"{REGION}/{SERVICE}/aws4_request":
            return refused(
                "awsv4",
                f"Wrong credential scope {rest!r}: sign for region {REGION!r} and"
                f" service {SERVICE!r}.",
                _CHALLENGE,
            )
        amz_date = request.headers.get("x-amz-date", "")
        age = _age(amz_date)
        if age is None or not amz_date.startswith(date):
            return refused("awsv4", "Missing or bad X-Amz-Date header.", _CHALLENGE)
        if abs(age) > CLOCK_SKEW_SECONDS:
            return refused(
                "awsv4", "Stale X-Amz-Date: more than 5 minutes from the mock's clock.", _CHALLENGE
            )
        signed = match["signed"].split(";")
        if "host" not in signed:
            return refused("awsv4", "The host header must be signed.", _CHALLENGE)
        body = await request.body()
        declared = request.headers.get("x-amz-content-sha256")
        if declared not in (None, _UNSIGNED) and declared != hashlib.sha256(body).hexdigest():
            return refused("awsv4", "X-Amz-Content-SHA256 does not match the body.", _CHALLENGE)
        expected = _expected_signature(request, body, amz_date, signed)
        if not hmac.compare_digest(expected, match["signature"]):
            return refused(
                "awsv4",
                "Bad signature: check the secret key (and that nothing changed the request).",
                _CHALLENGE,
            )
        return accepted("awsv4", access_key=ACCESS_KEY)

    add_route(router, "awsv4", "/auth/aws", aws)
    return router
