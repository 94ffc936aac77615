"""The base of the auth kinds that sign each request (OAuth 1.0a, AWS Signature v4, Hawk).

A signer is an ``httpx.Auth``, so it runs when the client sends: after the request's
headers, cookies and body are final, which is what a signature must cover. It reads the
whole body first (a multipart body is joined; a binary body is the file's bytes, read
when the request was built). Hashing a large body takes a while, so on the async path a
body past :data:`SIGN_IN_THREAD_BYTES` is signed on a worker thread, never on the
window's loop (nor is the library imported there); the sync path (the runner's worker
threads) signs in place.
"""

from __future__ import annotations

import abc
import asyncio
import importlib
import sys
from collections.abc import AsyncGenerator, Generator

import httpx

# A body this large is hashed in a worker thread (sha256 runs at ~1 GB/s: a megabyte is
# about a millisecond, fine on the loop; a hundred are not).
SIGN_IN_THREAD_BYTES = 1 << 20


async def import_off_loop(name: str) -> None:
    """Import module ``name`` in a worker thread the first time: the signing libraries
    take 0.05-0.2 s to import, too long to hold the window's loop."""
    if name and name not in sys.modules:
        await asyncio.to_thread(importlib.import_module, name)


class SigningAuth(httpx.Auth, abc.ABC):
    """An auth that adds headers computed from the final request, sent once.

    ``library`` is the module :meth:`sign` imports, imported off the loop beforehand."""

    requires_request_body = True
    library = ""

    @abc.abstractmethod
    def sign(self, request: httpx.Request) -> None:
        """Add the auth headers to ``request`` (its body is already read)."""

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        self.sign(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        await import_off_loop(self.library)
        if len(request.content) > SIGN_IN_THREAD_BYTES:
            await asyncio.to_thread(self.sign, request)
        else:
            self.sign(request)
        yield request
