"""HTTP behaviour on demand: status codes, delays, redirects and cookies.

These let a person see how their client handles each case without a real server
misbehaving for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse

MAX_DELAY_SECONDS = 60.0
MAX_REDIRECTS = 50
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
# Statuses whose response must not carry a body (RFC 9110).
_NO_BODY = {204, 304}
# Headers a real server sends with these statuses, so clients can act on them.
_STATUS_HEADERS: dict[int, dict[str, str]] = {
    **{code: {"Location": "/echo"} for code in (301, 302, 303, 307, 308)},
    401: {"WWW-Authenticate": 'Basic realm="mock"'},
    405: {"Allow": "GET"},
    429: {"Retry-After": "1"},
    503: {"Retry-After": "1"},
}

router = APIRouter(tags=["http"])


def _route_every_method(path: str, endpoint: Callable[..., Awaitable[Any]]) -> None:
    """One route per method: a multi-method FastAPI route repeats its OpenAPI operation id."""
    for method in _ALL_METHODS:
        router.add_api_route(
            path, endpoint, methods=[method], name=f"{endpoint.__name__}_{method.lower()}"
        )


async def respond_with_status(code: Annotated[int, Path(ge=100, le=599)]) -> Response:
    """Answer with the status asked for; a 1xx cannot be a final HTTP/1.1 response."""
    if code < 200:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"Status {code} is informational and cannot end a response; ask for 200..599.",
        )
    headers = _STATUS_HEADERS.get(code, {})
    if code in _NO_BODY:
        return Response(status_code=code, headers=headers)
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = "Unknown status"
    return JSONResponse({"status": code, "reason": reason}, status_code=code, headers=headers)


async def delay(seconds: Annotated[float, Path(ge=0)], request: Request) -> dict[str, Any]:
    """Wait, then answer; capped so a typo cannot hang a test run."""
    waited = min(seconds, MAX_DELAY_SECONDS)
    await asyncio.sleep(waited)
    return {"delay": waited, "method": request.method, "url": str(request.url)}


async def redirect_chain(n: Annotated[int, Path(ge=1, le=MAX_REDIRECTS)]) -> Response:
    """302 to /redirect/{n-1}, the last hop to /echo."""
    target = f"/redirect/{n - 1}" if n > 1 else "/echo"
    return RedirectResponse(target, status_code=status.HTTP_302_FOUND)


async def redirect_to(
    url: str, status_code: Annotated[int, Query(ge=300, le=399)] = 302
) -> Response:
    return RedirectResponse(url, status_code=status_code)


_route_every_method("/status/{code}", respond_with_status)
_route_every_method("/delay/{seconds}", delay)
_route_every_method("/redirect/{n}", redirect_chain)
_route_every_method("/redirect-to", redirect_to)


@router.get("/cookies")
async def read_cookies(request: Request) -> dict[str, Any]:
    return {"cookies": dict(request.cookies)}


@router.get("/cookies/set")
async def set_cookies(request: Request, response: Response) -> dict[str, Any]:
    """Set a cookie for every query parameter (`?flavour=oat&size=2`)."""
    cookies = dict(request.query_params)
    for name, value in cookies.items():
        response.set_cookie(name, value, path="/")
    return {"cookies": cookies}


@router.get("/cookies/delete")
async def delete_cookies(request: Request, response: Response) -> dict[str, Any]:
    """Expire the cookies named in the query (`?flavour&size`)."""
    names = list(dict.fromkeys(request.query_params.keys()))
    for name in names:
        response.delete_cookie(name, path="/")
    return {"deleted": names}
