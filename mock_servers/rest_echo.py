"""`/echo`: answers any method with what the server received, so a person can see
exactly what their client sent (headers, query, body, form fields and files).

FastAPI routes need an explicit method list, which would turn custom verbs such as
PURGE into 405s; a Starlette route around an ASGI object accepts every method.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def echo_payload(request: Request) -> dict[str, Any]:
    """Describe the request as JSON-ready data."""
    body = await request.body()
    content_type = request.headers.get("content-type", "").lower()
    try:
        body_text: str | None = body.decode("utf-8") if body else None
        body_base64 = None
    except UnicodeDecodeError:
        body_text, body_base64 = None, base64.b64encode(body).decode("ascii")
    parsed_json = None
    if body_text and "json" in content_type:
        try:
            parsed_json = json.loads(body_text)
        except ValueError:
            parsed_json = None
    form = await _form(request) if content_type.startswith(_FORM_TYPES) else None
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    return {
        "method": request.method,
        "url": str(request.url),
        "path": request.url.path,
        "headers": headers,
        "query": query,
        "body_text": body_text,
        "body_base64": body_base64,
        "json": parsed_json,
        "form": form,
    }


async def _form(request: Request) -> dict[str, Any]:
    fields: dict[str, list[str]] = {}
    files: list[dict[str, Any]] = []
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                files.append(
                    {
                        "name": name,
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                    }
                )
            else:
                fields.setdefault(name, []).append(value)
    return {"fields": fields, "files": files}


class _EchoApp:
    """ASGI endpoint; being a class (not a function) lets the route take every method."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = JSONResponse(await echo_payload(request))
        await response(scope, receive, send)


def echo_routes() -> list[Route]:
    """Routes for `/echo` and `/echo/{rest:path}`, open to every HTTP method."""
    app = _EchoApp()
    return [Route("/echo", app, name="echo"), Route("/echo/{rest:path}", app, name="echo_path")]
