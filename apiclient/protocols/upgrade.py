"""What a WebSocket upgrade request sends, built the way a REST request would be.

GraphQL subscriptions and WebSocket sessions both connect with the request's headers
and auth (Basic, Bearer, an API key in a header or the query), so both go through
``build_request_parts`` on the http(s) twin of the ws(s) URL, and add Basic auth as a
header themselves: httpx applies it at send time, and the upgrade is not sent by httpx.
"""

from __future__ import annotations

import base64
import re

import httpx

from apiclient.core.models import Auth, KeyValue, RestRequest
from apiclient.protocols.rest import build_request_parts

_WS_SCHEME = re.compile(r"^(wss?)://", re.IGNORECASE)
_HTTP_SCHEME = re.compile(r"^http", re.IGNORECASE)


async def upgrade_parts(
    url: str, headers: list[KeyValue], auth: Auth
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The ws(s) URL (an API key in the query included) and the headers to send.

    Raises :class:`RequestBuildError` for a bad URL or header, as for REST.
    """
    parts = await build_request_parts(RestRequest(url=_as_http(url), headers=headers, auth=auth))
    sent = [(name.decode("ascii"), value.decode("utf-8")) for name, value in parts.headers]
    if isinstance(parts.auth, httpx.BasicAuth):
        pair = f"{auth.username}:{auth.password}".encode()
        sent = [(name, value) for name, value in sent if name.lower() != "authorization"]
        sent.append(("Authorization", f"Basic {base64.b64encode(pair).decode('ascii')}"))
    return _HTTP_SCHEME.sub("ws", parts.url, count=1), tuple(sent)


def _as_http(url: str) -> str:
    return _WS_SCHEME.sub(lambda m: "https://" if m.group(1).lower() == "wss" else "http://", url)
