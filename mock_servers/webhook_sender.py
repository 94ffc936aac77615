"""The webhook sender mock: a payment provider that notifies a shop of payments.

A target on this machine registers (`POST /api/webhooks/register`), then receives signed
`payment.completed`, `payment.failed` and `payment.disputed` events on demand or on a
timer, with retries and a delivery log. The routes live on this server's own port and on
the REST mock, over one WebhookSender that the mock host makes per run.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI

from mock_servers.serving import RunningServer, serve_asgi
from mock_servers.webhook_sender_dispatch import WebhookSender
from mock_servers.webhook_sender_routes import ENDPOINTS, create_webhook_router

__all__ = ["WebhookSender", "closing_lifespan", "create_app", "start_webhook_sender"]


def closing_lifespan(
    sender: WebhookSender,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that closes `sender` when the app shuts down, for apps that made their
    own sender (the mock host closes the shared one itself and runs no lifespan)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await sender.aclose()

    return lifespan


def create_app(sender: WebhookSender | None = None) -> FastAPI:
    """The sender's own app over `sender`; without one it makes (and closes) its own."""
    owned = sender is None
    sender = WebhookSender() if sender is None else sender
    app = FastAPI(
        title="apiclient webhook sender mock",
        description="Signed payment events sent to targets on this machine.",
        version="1.0",
        lifespan=closing_lifespan(sender) if owned else None,
    )
    app.state.webhook_sender = sender
    app.include_router(create_webhook_router(sender))

    @app.get("/", tags=["index"])
    async def index() -> dict[str, Any]:
        return {
            "name": "apiclient webhook sender mock",
            "endpoints": [{"path": path, "description": text} for path, text in ENDPOINTS],
        }

    return app


async def start_webhook_sender(
    sender: WebhookSender, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve the sender's app over `sender` on the running loop; the caller closes it."""
    return await serve_asgi(create_app(sender), name="webhook_sender", host=host, port=port)
