"""AWS Signature Version 4 with botocore's signer.

The request is copied into a botocore ``AWSRequest`` holding only the headers that are
signed (``host``, ``content-type``, ``content-md5`` and every ``x-amz-*`` one: what AWS
requires, and nothing a proxy or HTTP/2 may rewrite on the way), signed, and the
headers botocore adds (``Authorization``, ``X-Amz-Date``, ``X-Amz-Security-Token``,
and for S3 ``X-Amz-Content-SHA256``, the payload's hash as S3 wants it) are copied back.
The query is handed over as decoded pairs (:func:`query_pairs`) so botocore encodes it
the AWS way.
"""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from apiclient.protocols.auth_flow import SigningAuth

_SIGNED = frozenset({"host", "content-type", "content-md5"})
_ADDED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256")


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The decoded pairs of a raw query, the AWS way: split on ``&`` and ``=`` and
    percent-decoded only, so a literal ``+`` stays a plus (``parse_qsl`` would make it a
    space, and the signature would cover a different query than the one sent)."""
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


class AwsSigV4Auth(SigningAuth):
    """Signs each request for one access key, region and service."""

    library = "botocore.auth"
    added_headers = _ADDED

    def __init__(
        self, access_key: str, secret_key: str, session_token: str, region: str, service: str
    ) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._session_token = session_token
        self._region = region
        self._service = service

    def sign(self, request: httpx.Request) -> None:
        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import ReadOnlyCredentials

        credentials = ReadOnlyCredentials(
            self._access_key, self._secret_key, self._session_token or None
        )
        signer_class = S3SigV4Auth if self._service.lower() == "s3" else SigV4Auth
        signer = signer_class(credentials, self._service, self._region)
        url = request.url
        path = url.raw_path.partition(b"?")[0].decode("ascii")
        aws_request = AWSRequest(
            method=request.method,
            url=f"{url.scheme}://{url.netloc.decode('ascii')}{path}",
            headers={
                name: value
                for name, value in request.headers.items()
                if name in _SIGNED or name.startswith("x-amz-")
            },
            data=request.content,
            params=query_pairs(url.query.decode("ascii")),
        )
        signer.add_auth(aws_request)
        for name in _ADDED:
            value = aws_request.headers.get(name)
            if value is not None:
                request.headers[name] = value
