"""NTLM over HTTP with pyspnego: negotiate, challenge, authenticate.

The three legs must share one connection, since the server keeps the handshake per
connection; the engine lends each send a client of its own, so the connection the
negotiation went over is the one idle for the next leg. The negotiate message goes with
the first request (no round trip without auth first), and the body is sent on each leg.
A server that answers without an NTLM challenge, or refuses the final message, ends
the send with an :class:`AuthHandshakeError` saying which.

Over HTTPS the authenticate message carries the channel binding of RFC 5929
(``tls-server-end-point``, a hash of the server's certificate), which servers with
Extended Protection for Authentication require and the others ignore.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx

from apiclient.protocols.auth_errors import AuthHandshakeError
from apiclient.protocols.auth_flow import import_off_loop


def ntlm_user(username: str, domain: str) -> str:
    """The user as pyspnego takes it: ``DOMAIN\\user``, unless the name holds its own
    domain already (``DOMAIN\\user`` or ``user@domain``)."""
    if domain and "\\" not in username and "@" not in username:
        return f"{domain}\\{username}"
    return username


def _challenge(response: httpx.Response) -> bytes | None:
    """The NTLM token of a 401's ``WWW-Authenticate: NTLM <token>``, if there is one."""
    for value in response.headers.get_list("www-authenticate", split_commas=True):
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() == "ntlm" and token.strip():
            try:
                return base64.b64decode(token.strip(), validate=True)
            except binascii.Error:
                return None
    return None


def tls_server_end_point(certificate_der: bytes) -> bytes:
    """RFC 5929's ``tls-server-end-point`` channel binding data of a certificate: its
    hash with the certificate's own signature hash, SHA-256 in place of MD5 or SHA-1."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes

    try:
        algorithm = x509.load_der_x509_certificate(certificate_der).signature_hash_algorithm
    except UnsupportedAlgorithm:
        algorithm = None
    if algorithm is None or isinstance(algorithm, hashes.MD5 | hashes.SHA1):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(certificate_der)
    return b"tls-server-end-point:" + digest.finalize()


def _channel_bindings(response: httpx.Response) -> Any:
    """The GSS channel bindings of the TLS connection ``response`` came over, or None
    (plain HTTP, or no certificate to bind to)."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        return None
    from spnego.channel_bindings import GssChannelBindings

    return GssChannelBindings(application_data=tls_server_end_point(der))


def _where(request: httpx.Request) -> str:
    url = request.url
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"


class NtlmAuth(httpx.Auth):
    """NTLM for one user (``DOMAIN\\user``) and password."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._user = user
        self._password = password

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await import_off_loop("spnego")
        await request.aread()
        flow = self.auth_flow(request)
        sent = next(flow)
        while True:
            response = yield sent
            try:
                sent = flow.send(response)
            except StopIteration:
                return

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        import spnego
        from spnego.exceptions import SpnegoError

        context = spnego.client(
            self._user,
            self._password,
            hostname=request.url.host,
            service="http",
            protocol="ntlm",
            options=spnego.NegotiateOptions.use_ntlm,
        )
        negotiate = context.step() or b""
        request.headers["Authorization"] = f"NTLM {base64.b64encode(negotiate).decode()}"
        response = yield request
        if response.status_code != 401:
            return
        challenge = _challenge(response)
        if challenge is None:
            offered = ", ".join(response.headers.get_list("www-authenticate")) or "nothing"
            raise AuthHandshakeError(
                f"The server at {_where(request)} did not answer the NTLM negotiation with"
                f" a challenge (it answered 401 and offers: {offered}). Choose the auth kind"
                " it asks for in the Auth tab."
            )
        try:
            authenticate = context.step(challenge, channel_bindings=_channel_bindings(response))
        except (SpnegoError, ValueError, struct.error) as exc:
            raise AuthHandshakeError(
                f"The NTLM challenge from {_where(request)} could not be read ({exc})."
            ) from None
        request.headers["Authorization"] = f"NTLM {base64.b64encode(authenticate or b'').decode()}"
        response = yield request
        if response.status_code == 401:
            raise AuthHandshakeError(
                f"The server at {_where(request)} refused the NTLM credentials of"
                f" {self._user}. Check the username, password and domain in the Auth tab."
            )
