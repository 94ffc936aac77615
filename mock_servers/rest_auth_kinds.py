"""The endpoints that require each auth kind beyond Basic and Digest (those are in
:mod:`mock_servers.rest_auth`), so every kind can be tried offline end to end."""

from __future__ import annotations

from fastapi import APIRouter

from mock_servers.rest_auth_aws import create_aws_router
from mock_servers.rest_auth_hawk import create_hawk_router
from mock_servers.rest_auth_ntlm import create_ntlm_router
from mock_servers.rest_auth_oauth1 import create_oauth1_router

AUTH_KIND_ENDPOINTS: list[tuple[str, str]] = [
    (
        "/auth/oauth1",
        "OAuth 1.0a HMAC-SHA1: consumer demo-consumer/demo-consumer-secret,"
        " token demo-token/demo-token-secret",
    ),
    (
        "/auth/aws",
        "AWS Signature v4: key AKIDEXAMPLE (secret in mock_servers/README.md),"
        " us-east-1, service demo",
    ),
    ("/auth/hawk", "Hawk: id demo-hawk-id, key demo-hawk-key, sha256"),
    ("/auth/ntlm", "NTLM: DEMO\\demo, password demo-password"),
]


def create_auth_kinds_router() -> APIRouter:
    """One router holding every kind's endpoints (each with its own nonce state)."""
    router = APIRouter()
    for each in (
        create_oauth1_router(),
        create_aws_router(),
        create_hawk_router(),
        create_ntlm_router(),
    ):
        router.include_router(each)
    return router
