"""Opening gRPC channels for a request, its metadata, and what a failed call means.

TLS: ``grpc.aio.secure_channel`` with the CA file (else the system's roots) and the
client certificate and key when given; ``server_name`` becomes
``grpc.ssl_target_name_override``, the name checked in the certificate.

``verify: False``: gRPC has no switch to skip certificate checks, so the engine asks
the server for its certificate first (one TLS handshake without verification, in a
worker) and trusts exactly that certificate for this channel, checking it against a
name the certificate itself holds. The connection is still encrypted and the server
must still hold the key of the certificate it showed; what is skipped is whether
anyone vouches for that certificate, as with ``curl -k``. A certificate that
changes between that handshake and the call fails the call; calling again fetches
it anew.

Transport failures (unreachable, DNS, TLS) are raised as the neutral errors of
:mod:`apiclient.protocols.errors`; every other status belongs to the call's result.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import socket
import ssl
from dataclasses import dataclass

import grpc
from grpc import aio

from apiclient.core.models import GrpcRequest
from apiclient.protocols.auth_grpc import auth_metadata
from apiclient.protocols.errors import (
    ConnectError,
    DnsError,
    ProtocolError,
    RequestBuildError,
    TlsError,
)
from apiclient.protocols.http import USER_AGENT
from apiclient.protocols.tls import check_client_pair, load_client_pair, read_tls_file

__all__ = [
    "CHANNEL_OPTIONS",
    "ChannelKey",
    "Metadata",
    "call_metadata",
    "channel_key",
    "metadata_text",
    "open_channel",
    "target_of",
    "transport_error",
]

Metadata = tuple[tuple[str, str | bytes], ...]

_SCHEMES = ("grpc://", "grpcs://", "http://", "https://", "dns:///")
_KEY = re.compile(r"[0-9a-z_.-]+")
_MAX_MESSAGE = 64 * 1024 * 1024
CHANNEL_OPTIONS: list[tuple[str, object]] = [
    ("grpc.primary_user_agent", USER_AGENT),
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
    # A refused connection is retried after a backoff; keep it short so a server
    # started a moment after a failed call is found by the next one.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
    # Subchannels are shared process-wide by default, backoff included: a fresh channel
    # made after a failure would inherit the failure. Each channel gets its own.
    ("grpc.use_local_subchannel_pool", 1),
]


@dataclass(frozen=True)
class ChannelKey:
    """What makes two requests able to share a channel."""

    target: str
    security: str
    ca_file: str
    client_cert_file: str
    client_key_file: str
    verify: bool
    server_name: str


def target_of(request: GrpcRequest) -> str:
    """``host:port`` as gRPC wants it: a ``grpc://``-style scheme and a trailing slash
    are tolerated. Raises ``RequestBuildError`` when there is no address."""
    target = request.target.strip()
    for scheme in _SCHEMES:
        if target.lower().startswith(scheme):
            target = target[len(scheme) :]
            break
    target = target.rstrip("/")
    if not target:
        raise RequestBuildError("Enter the server's address (host:port) before calling it.")
    if "/" in target or any(char.isspace() for char in target):
        raise RequestBuildError(
            f"{request.target!r} is not a server address: write host:port (e.g. localhost:50051)."
        )
    return target


def channel_key(request: GrpcRequest) -> ChannelKey:
    tls = request.tls
    secure = request.security == "tls"
    return ChannelKey(
        target=target_of(request),
        security=request.security,
        ca_file=tls.ca_file.strip() if secure else "",
        client_cert_file=tls.client_cert_file.strip() if secure else "",
        client_key_file=tls.client_key_file.strip() if secure else "",
        verify=tls.verify if secure else True,
        server_name=tls.server_name.strip() if secure else "",
    )


async def open_channel(key: ChannelKey) -> aio.Channel:
    """A new channel for ``key`` (files are read and certificates fetched in a worker).
    Raises ``RequestBuildError`` for unreadable files, and for ``verify`` off the
    errors of fetching the certificate."""
    if key.security != "tls":
        return aio.insecure_channel(key.target, options=CHANNEL_OPTIONS)
    credentials, name = await asyncio.to_thread(_tls_settings, key)
    options = list(CHANNEL_OPTIONS)
    if name:
        options.append(("grpc.ssl_target_name_override", name))
    return aio.secure_channel(key.target, credentials, options=options)


def _tls_settings(key: ChannelKey) -> tuple[grpc.ChannelCredentials, str]:
    check_client_pair(key.client_cert_file, key.client_key_file)
    roots = read_tls_file(key.ca_file, "CA file") if key.ca_file else None
    chain = (
        read_tls_file(key.client_cert_file, "client certificate") if key.client_cert_file else None
    )
    private = read_tls_file(key.client_key_file, "client key") if key.client_key_file else None
    name = key.server_name
    if not key.verify:
        roots, shown_name = _server_certificate(key)
        name = name or shown_name
    credentials = grpc.ssl_channel_credentials(
        root_certificates=roots, private_key=private, certificate_chain=chain
    )
    return credentials, name


def _host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        return target.strip("[]"), 443
    return host.strip("[]"), int(port)


def _server_certificate(key: ChannelKey) -> tuple[bytes, str]:
    """The certificate the server shows (PEM) and a name it holds, for ``verify`` off."""
    host, port = _host_port(key.target)
    where = f"{host}:{port}"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    if key.client_cert_file and key.client_key_file:
        load_client_pair(context, key.client_cert_file, key.client_key_file)
    try:
        with (
            socket.create_connection((host, port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except ssl.SSLError as exc:
        raise TlsError(
            f"The TLS handshake with {where} failed ({exc.reason or exc}) while fetching its"
            " certificate. Check that the server speaks TLS on this port, or switch the"
            " request to plaintext."
        ) from None
    except OSError as exc:
        raise _unreachable(where, exc.strerror or str(exc)) from None
    if not der:
        raise TlsError(f"The server at {where} showed no certificate.")
    pem = ssl.DER_cert_to_PEM_cert(der).encode("ascii")
    return pem, _certificate_name(host, port, pem)


def _certificate_name(host: str, port: int, pem: bytes) -> str:
    """A DNS name (else the common name) the certificate holds, read by verifying
    that certificate against itself; "" when it names only addresses."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    context.load_verify_locations(cadata=pem.decode("ascii"))
    try:
        with (
            socket.create_connection((host, port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            info = tls.getpeercert() or {}
    except (ssl.SSLError, OSError):
        return ""  # expired or otherwise odd: grpc reports the trouble at the call
    names = [
        str(pair[1])
        for pair in info.get("subjectAltName", ())
        if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "DNS"
    ]
    if names:
        return names[0].replace("*.", "x.", 1)  # any name a wildcard covers
    for entry in info.get("subject", ()):
        for pair in entry:
            if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "commonName":
                return str(pair[1])
    return ""


# --- metadata -------------------------------------------------------------------------


def call_metadata(request: GrpcRequest) -> Metadata:
    """The enabled metadata rows, keys in lower case, then the auth's row (replacing a
    typed row of the same key); a ``-bin`` key's value is base64 and sent as its bytes.
    Raises ``RequestBuildError`` for a row gRPC would refuse and for auth it cannot carry."""
    out: list[tuple[str, str | bytes]] = []
    rows = [(row.name, row.value) for row in request.metadata if row.enabled]
    auth = auth_metadata(request.auth)
    if auth is not None:
        rows = [(name, value) for name, value in rows if name.strip().lower() != auth[0]]
        rows.append(auth)
    for name, value in rows:
        if not name.strip():
            continue
        key = name.strip().lower()
        if not _KEY.fullmatch(key):
            raise RequestBuildError(
                f"Metadata key {name!r} is not allowed: use letters, digits, '-', '_' and '.' only."
            )
        if key.startswith("grpc-"):
            raise RequestBuildError(
                f"Metadata key {key!r} is reserved for gRPC itself; choose another name."
            )
        if key.endswith("-bin"):
            out.append((key, _base64(key, value)))
            continue
        value = value.strip()
        if not all(" " <= char <= "~" for char in value):
            raise RequestBuildError(
                f"The value of metadata {key!r} must be printable ASCII; for binary data,"
                " end the key with -bin and give the value as base64."
            )
        out.append((key, value))
    return tuple(out)


def _base64(key: str, value: str) -> bytes:
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise RequestBuildError(
            f"The value of metadata {key!r} must be base64 (keys ending in -bin carry bytes)."
        ) from None


def metadata_text(metadata: object) -> tuple[tuple[str, str], ...]:
    """Received metadata as text pairs; a binary value is shown as base64."""
    if not metadata:
        return ()
    out: list[tuple[str, str]] = []
    for key, value in metadata:  # type: ignore[attr-defined]
        shown = base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        out.append((str(key), str(shown)))
    return tuple(out)


# --- failures -------------------------------------------------------------------------


def transport_error(exc: aio.AioRpcError, key: ChannelKey) -> ProtocolError | None:
    """The error to raise when the call never reached the server (unreachable, DNS,
    TLS), else None: the status is the server's answer and belongs to the result."""
    if exc.code() != grpc.StatusCode.UNAVAILABLE:
        return None
    details = exc.details() or ""
    where = key.target
    if details.startswith("DNS resolution failed") or details.startswith("errors resolving"):
        host = _host_port(where)[0]
        return DnsError(
            f"The host name {host} does not resolve. Check the address ({where}) for typos."
        )
    if not details.startswith("failed to connect to all addresses"):
        return None
    reason = details.rsplit(": ", 1)[-1] if ": " in details else details
    if "Hostname Verification" in details or "No match found for server name" in details:
        return TlsError(
            f"The TLS certificate of {where} is not for that name. Set the TLS server name"
            " to the name the certificate holds, or turn certificate verification off."
        )
    if "CERTIFICATE_VERIFY_FAILED" in details:
        said = details.split("CERTIFICATE_VERIFY_FAILED:", 1)[-1].split(":")[0].strip()
        return TlsError(
            f"The TLS certificate of {where} could not be verified ({said or 'not trusted'})."
            " Set the CA file that signed it, or turn certificate verification off if you"
            " trust this server."
        )
    if "WRONG_VERSION_NUMBER" in details or "Tls handshake failed" in details:
        return TlsError(
            f"The TLS handshake with {where} failed: the server does not seem to speak TLS"
            " on this port. Switch the request to plaintext, or check the port."
        )
    if "SETTINGS frame" in details:
        return ConnectError(
            f"The server at {where} accepted the connection but never answered as a gRPC"
            " (HTTP/2) server. Check the port; if the server expects TLS, switch the request"
            " to TLS."
        )
    if "Socket closed" in details or "Connection reset" in details:
        return ConnectError(
            f"The server at {where} closed the connection at once. It may expect TLS:"
            " switch the request to TLS, or check that it is a gRPC server."
        )
    return _unreachable(where, reason)


def _unreachable(where: str, reason: str) -> ConnectError:
    reason = reason.strip().rstrip(".") or "no reason given"
    return ConnectError(
        f"Could not connect to {where} ({reason}). Check that the server is running and"
        " the address and port are right."
    )
