"""The errors of an auth handshake that the server broke off (NTLM so far).

Signing kinds fail before sending (a :class:`RequestBuildError` names the missing field)
or get the server's own 401 back as the response; a handshake that cannot go on has no
response worth showing, so it ends with one of these, saying what to change.
"""

from __future__ import annotations

from apiclient.protocols.errors import ProtocolError


class AuthHandshakeError(ProtocolError):
    """The server does not offer the auth kind chosen, or refused its credentials."""
