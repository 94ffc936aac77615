"""The fault servers, for the engine tests in this folder."""

from faults.fixtures import (
    bad_certs,
    dropping_ws,
    grpc_reset,
    grpc_tls_expired,
    grpc_tls_self_signed,
    http_faults,
    https_expired,
    https_self_signed,
    wss_expired,
    wss_self_signed,
)

__all__ = [
    "bad_certs",
    "dropping_ws",
    "grpc_reset",
    "grpc_tls_expired",
    "grpc_tls_self_signed",
    "http_faults",
    "https_expired",
    "https_self_signed",
    "wss_expired",
    "wss_self_signed",
]
