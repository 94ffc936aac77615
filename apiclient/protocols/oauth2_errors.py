"""The errors of getting an OAuth 2.0 token, each with a message a person can act on.

Like :mod:`apiclient.protocols.errors`, this module imports no library, so the UI can
name these classes at start-up for free.

* :class:`OAuth2Error`: the authorization server refused (its ``error``,
  ``error_description`` and ``error_uri`` shown), or answered something that is not a
  token
* :class:`OAuth2TokenMissingError`: no token yet, and none can be fetched without the
  user (the authorization code grant needs the browser)
* :class:`OAuth2TokenExpiredError`: the token expired and there is no refresh token
* :class:`RedirectListenerError`: the local redirect listener cannot listen, or no
  answer came back from the browser in time
"""

from __future__ import annotations

from apiclient.protocols.errors import ProtocolError


class OAuth2Error(ProtocolError):
    """The authorization server said no, or answered with something unusable.

    ``error`` is the server's error code (``invalid_client``...), ``description`` its
    ``error_description``, ``status`` the HTTP status (None for an error the browser
    brought back to the redirect listener), ``url`` the endpoint that answered.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str = "",
        description: str = "",
        status: int | None = None,
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.error = error
        self.description = description
        self.status = status
        self.url = url


class OAuth2TokenMissingError(ProtocolError):
    """There is no access token yet and it cannot be fetched without the user."""


class OAuth2TokenExpiredError(ProtocolError):
    """The cached access token expired and no refresh token can renew it."""


class RedirectListenerError(ProtocolError):
    """The local listener for the authorization code's redirect cannot listen on
    ``host``:``port``, or waited in vain for the browser to come back."""

    def __init__(self, message: str, *, host: str, port: int) -> None:
        super().__init__(message)
        self.host = host
        self.port = port
