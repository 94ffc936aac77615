"""What the per-kind auth endpoints share: the answers and the URL as the client saw it.

Each endpoint answers 200 with ``{"authenticated": true, "kind": ...}`` or 401 with a
``WWW-Authenticate`` challenge and ``{"authenticated": false, "kind": ..., "error": ...}``
saying why (unknown key, bad signature, stale timestamp...), so a person can fix the
request from the response alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# How far a signed request's clock may be from the mock's (as AWS allows).
CLOCK_SKEW_SECONDS = 300


def add_route(
    router: APIRouter,
    kind: str,
    path: str,
    endpoint: Callable[[Request], Awaitable[dict[str, Any] | JSONResponse]],
) -> None:
    """Serve ``endpoint`` at ``path`` for every method, each with its own OpenAPI
    operation id (one route for all would repeat the id)."""
    for method in METHODS:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_model=None,
            operation_id=f"auth_{kind}_{method.lower()}",
        )


def accepted(kind: str, **extra: Any) -> dict[str, Any]:
    return {"authenticated": True, "kind": kind, **extra}


def refused(kind: str, error: str, challenge: str) -> JSONResponse:
    return JSONResponse(
        {"authenticated": False, "kind": kind, "error": error},
        status_code=401,
        headers={"WWW-Authenticate": challenge},
    )


def signed_url(request: Request, *, with_query: bool) -> str:
    """The URL the client signed: its scheme, its Host header and the path as sent
    (still percent-encoded), with the raw query when asked."""
    scope = request.scope
    path = scope.get("raw_path") or scope["path"].encode()
    url = f"{request.url.scheme}://{request.headers.get('host', '')}{path.decode('latin-1')}"
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{url}?{query}" if with_query and query else url


class NonceCache:
    """Nonces seen within the clock window, so a replayed request is refused."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], float] = {}

    def first_use(self, key: tuple[str, ...], now: float) -> bool:
        self._seen = {k: t for k, t in self._seen.items() if now - t <= 2 * CLOCK_SKEW_SECONDS}
        if key in self._seen:
            return False
        self._seen[key] = now
        return True
