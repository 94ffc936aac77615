"""The REST mock: a FastAPI app acting out an items API, a playlist service behind a
bearer token, a CRM's contacts with JSON and multipart batch endpoints, httpbin-style
endpoints for every HTTP behaviour a client must handle, and the webhook sender's routes
(`/api/webhooks/...`).

Each call of `create_app` has its own in-memory state, so tests and app sessions never
see each other's changes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from mock_servers.rest_auth import create_auth_router
from mock_servers.rest_auth_kinds import AUTH_KIND_ENDPOINTS, create_auth_kinds_router
from mock_servers.rest_batch import BATCH_ENDPOINTS, create_batch_router
from mock_servers.rest_contacts import ENDPOINTS as CONTACTS_ENDPOINTS
from mock_servers.rest_contacts import create_contacts_router
from mock_servers.rest_content import broken_routes
from mock_servers.rest_content import router as content_router
from mock_servers.rest_echo import echo_routes
from mock_servers.rest_http import router as http_router
from mock_servers.rest_items import create_items_router
from mock_servers.rest_oauth2 import ENDPOINTS as OAUTH2_ENDPOINTS
from mock_servers.rest_oauth2 import create_oauth2_router
from mock_servers.rest_playlists import (
    DEMO_TOKEN,
    create_login_router,
    create_playlists_router,
)
from mock_servers.webhook_sender import WebhookSender, closing_lifespan
from mock_servers.webhook_sender_routes import create_webhook_router

__all__ = ["DEMO_TOKEN", "ENDPOINTS", "create_app"]

# What the index page lists: path and what it is for.
ENDPOINTS: list[tuple[str, str]] = [
    ("/api/items", "Items CRUD: GET (?page&per_page), POST; /api/items/{id}: GET PUT PATCH DELETE"),
    ("/api/v1/playlists", f"Playlists CRUD; needs 'Authorization: Bearer {DEMO_TOKEN}'"),
    (
        "/api/v1/login",
        'POST {"username": "demo", "password": "demo-password"} gives the playlists token',
    ),
    *CONTACTS_ENDPOINTS,
    *BATCH_ENDPOINTS,
    ("/api/webhooks/register", "Webhook sender: register a target, then /api/webhooks/trigger"),
    ("/echo", "Echoes any method, headers, query, body, form fields and files"),
    ("/status/{code}", "Responds with that status (200..599)"),
    ("/delay/{seconds}", "Responds after a delay (at most 60 s)"),
    ("/redirect/{n}", "302 chain of n hops ending at /echo"),
    ("/redirect-to?url=&status_code=302", "Redirects to url"),
    ("/cookies", "Cookies the client sent; /cookies/set?k=v sets, /cookies/delete?k deletes"),
    ("/basic-auth/{user}/{passwd}", "HTTP Basic auth"),
    ("/digest-auth/auth/{user}/{passwd}", "HTTP Digest auth (MD5, qop=auth)"),
    *AUTH_KIND_ENDPOINTS,
    *OAUTH2_ENDPOINTS,
    ("/bytes/{n}", "n seeded random bytes (at most 100 MB); ?seed="),
    ("/json/large?mb=1", "About mb megabytes of JSON (at most 200)"),
    ("/text/large?mb=1", "mb MiB of text lines ending in END-OF-BODY (at most 2048)"),
    ("/gzip", "gzip-encoded JSON"),
    ("/xml", "An XML patient record"),
    ("/html", "A small HTML page"),
    ("/encoding/latin1", "text/plain in ISO-8859-1"),
    ("/image/png", "A tiny PNG"),
    ("/broken/mid-body", "Declares 100000 bytes, sends 1000, closes the connection"),
    ("/docs", "OpenAPI UI"),
]

# Random bytes and images do not shrink; compressing them only costs time.
_NOT_GZIPPED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/octet-stream")


def create_app(webhook_sender: WebhookSender | None = None) -> FastAPI:
    """Build a fresh REST mock app.

    The mock host passes the webhook sender it shares with the sender's own port; without
    one the app makes its own, closed when the app's lifespan ends.
    """
    owned = webhook_sender is None
    sender = WebhookSender() if webhook_sender is None else webhook_sender
    app = FastAPI(
        title="apiclient REST mock",
        description="Local endpoints for trying every REST feature offline.",
        version="1.0",
        lifespan=closing_lifespan(sender) if owned else None,
    )
    # Level 5 keeps /json/large fast; the mock's job is realism, not the smallest body.
    app.add_middleware(
        GZipMiddleware, minimum_size=1024, compresslevel=5, exclude_content_types=_NOT_GZIPPED
    )
    app.include_router(create_items_router())
    app.include_router(create_login_router())
    app.include_router(create_playlists_router())
    app.include_router(create_contacts_router())
    app.include_router(create_batch_router())
    app.include_router(create_auth_router())
    app.include_router(create_auth_kinds_router())
    app.include_router(create_oauth2_router())
    app.include_router(create_webhook_router(sender))
    app.include_router(http_router)
    app.include_router(content_router)
    app.router.routes.extend([*echo_routes(), *broken_routes()])

    @app.get("/", tags=["index"])
    async def index() -> dict[str, Any]:
        return {
            "name": "apiclient REST mock",
            "endpoints": [{"path": path, "description": text} for path, text in ENDPOINTS],
        }

    return app
