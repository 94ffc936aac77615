"""Hawk request signing with mohawk: a MAC over the method, URL, time and a nonce,
plus the hash of the body and its media type (an empty body hashes as empty)."""

from __future__ import annotations

import httpx

from apiclient.protocols.auth_flow import SigningAuth


class HawkAuth(SigningAuth):
    """Signs each request with one Hawk id and key."""

    library = "mohawk"

    def __init__(self, hawk_id: str, key: str, algorithm: str, ext: str = "") -> None:
        self._credentials = {"id": hawk_id, "key": key, "algorithm": algorithm}
        self._ext = ext

    def sign(self, request: httpx.Request) -> None:
        from mohawk import Sender

        sender = Sender(
            self._credentials,
            str(request.url),
            request.method,
            content=request.content,
            content_type=request.headers.get("content-type", ""),
            ext=self._ext or None,
        )
        request.headers["Authorization"] = sender.request_header
