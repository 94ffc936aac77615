"""Fetch a WSDL's http(s) documents the way the request itself is sent.

A WSDL behind the same auth as its service (Basic, a bearer or OAuth 2.0 token, an API
key, a signing kind such as AWS or Hawk) only loads when it is fetched with that auth,
through the same proxy, CA file, client certificate and timeouts. :class:`WsdlHttp`
sends each GET through a :class:`~apiclient.protocols.rest.RestEngine` (so cookies,
certificates and every auth kind work as on Send). The credentials go to the WSDL's own
origin only: a schema imported from another host is fetched without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from apiclient.core.models import Auth, RequestSettings, RestRequest

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestEngine, RestResponse


class DocumentTooLarge(Exception):
    """A document is larger than the limit: its download was stopped."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), parts.port or default


def same_origin(url: str, other: str) -> bool:
    """Whether ``url`` and ``other`` have the same scheme, host and port."""
    return _origin(url) == _origin(other)


@dataclass(frozen=True)
class WsdlHttp:
    """How the documents of the WSDL at ``home`` are fetched: with ``rest``, the
    request's resolved effective ``auth`` (OAuth 2.0 token filled in) and its resolved
    connection ``settings``."""

    rest: RestEngine
    auth: Auth
    settings: RequestSettings

    def auth_for(self, url: str, home: str) -> Auth:
        """The auth sent to ``url``: the request's for the WSDL's origin, none elsewhere."""
        if same_origin(url, home):
            return self.auth
        return Auth(kind="none")

    async def get(self, url: str, home: str, *, limit: int) -> RestResponse:
        """GET ``url``; raises the engine's ProtocolError (worded for a person), or
        DocumentTooLarge as soon as the body (announced or received) passes ``limit``."""

        def watch(received: int, expected: int | None) -> None:
            if received > limit or (expected is not None and expected > limit):
                raise DocumentTooLarge

        request = RestRequest(
            method="GET", url=url, auth=self.auth_for(url, home), settings=self.settings
        )
        return await self.rest.send(request, progress=watch)
