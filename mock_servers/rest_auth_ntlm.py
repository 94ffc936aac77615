"""`/auth/ntlm`: a resource behind NTLM for user `DEMO\\demo`, password `demo-password`.

The handshake runs as IIS runs it: the negotiate message gets a 401 carrying the
challenge, the authenticate message on the same connection gets the resource. The
mock remembers each connection's handshake by the client's address and port.

pyspnego's NTLM acceptor reads its users only from the file the ``NTLM_USER_FILE``
environment variable names, and has no API that takes them. So the mock writes the
demo user to a private temporary file (removed at exit) and sets the variable once,
when its router is created and only if it is unset, and never changes it afterwards:
changing the environment while other threads read it is undefined behaviour in glibc.
The app's own NTLM client never reads the file (it is always given a password).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import contextlib
import os
import struct
import tempfile
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_servers.rest_auth_common import accepted, add_route, refused

DOMAIN = "DEMO"
USER = "demo"
PASSWORD = "demo-password"
_CHALLENGE = "NTLM"
_ENV = "NTLM_USER_FILE"
_MAX_HANDSHAKES = 256  # handshakes in progress kept; the oldest is dropped past this
_user_file: str | None = None


def _users_file() -> str:
    """The demo user's credential file, written on first use (Heimdal format)."""
    global _user_file
    if _user_file is None:
        handle, path = tempfile.mkstemp(prefix="apiclient-mock-ntlm-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(f"{DOMAIN}:{USER}:{PASSWORD}\n")
        atexit.register(_remove, path)
        _user_file = path
    return _user_file


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _install_users() -> None:
    """Point ``NTLM_USER_FILE`` at the demo user's file, unless something set it already
    (a test's own users): once, before any acceptor runs."""
    if _ENV not in os.environ:
        os.environ[_ENV] = _users_file()


def _token(header: str) -> bytes | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "ntlm" or not token.strip():
        return None
    try:
        return base64.b64decode(token.strip(), validate=True)
    except binascii.Error:
        return None


def create_ntlm_router() -> APIRouter:
    _install_users()
    router = APIRouter(tags=["auth"])
    handshakes: dict[tuple[str, int], Any] = {}  # connection -> acceptor awaiting step 3

    async def ntlm(request: Request) -> dict[str, Any] | JSONResponse:
        """401 with the challenge for a negotiate message, 200 for a valid authenticate
        message on the same connection, else 401."""
        import spnego
        from spnego.exceptions import SpnegoError

        await request.body()  # read, so the connection is ready for the next leg
        token = _token(request.headers.get("authorization", ""))
        if token is None:
            return refused("ntlm", "Send 'Authorization: NTLM <negotiate message>'.", _CHALLENGE)
        client = request.scope.get("client") or ("", 0)
        connection = (str(client[0]), int(client[1]))
        try:
            if token[8:12] == struct.pack("<I", 1):  # a negotiate message
                acceptor = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
                challenge = acceptor.step(token)
                if len(handshakes) >= _MAX_HANDSHAKES:
                    handshakes.pop(next(iter(handshakes)))
                handshakes[connection] = acceptor
                return refused(
                    "ntlm",
                    "NTLM challenge: answer it on this connection.",
                    f"NTLM {base64.b64encode(challenge or b'').decode()}",
                )
            acceptor = handshakes.pop(connection, None)
            if acceptor is None:
                return refused(
                    "ntlm",
                    "No NTLM negotiation on this connection: start with the negotiate message"
                    " and keep the connection open.",
                    _CHALLENGE,
                )
            acceptor.step(token)
        except (SpnegoError, ValueError, struct.error):
            return refused(
                "ntlm",
                f"NTLM authentication failed: the mock's user is {DOMAIN}\\{USER} with"
                f" password {PASSWORD!r}.",
                _CHALLENGE,
            )
        return accepted("ntlm", user=acceptor.client_principal)

    add_route(router, "ntlm", "/auth/ntlm", ntlm)
    return router
