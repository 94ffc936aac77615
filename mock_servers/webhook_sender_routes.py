"""`/api/webhooks/...`: register targets, trigger events, read the delivery log.

The same routes are mounted on the REST mock and on the webhook sender's own port,
both over one WebhookSender, so either port sees the other's registrations.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from mock_servers.webhook_sender_dispatch import DELIVERY_LOG_SIZE, WebhookSender
from mock_servers.webhook_sender_input import (
    EXAMPLE_URL,
    WebhookRequestError,
    parse_json_body,
    parse_limit,
    parse_registration,
    parse_trigger,
    parse_wait,
)

__all__ = ["ENDPOINTS", "create_webhook_router"]

# What index pages list: path and what it is for.
ENDPOINTS: list[tuple[str, str]] = [
    ("POST /api/webhooks/register", "Register a target on this machine: url, events, signature"),
    ("GET /api/webhooks/registrations", "The registrations, with their secrets"),
    ("DELETE /api/webhooks/registrations/{id}", "Forget a registration, its timer and retries"),
    ("POST /api/webhooks/trigger", "Send events now; ?wait=true answers once they are final"),
    ("GET /api/webhooks/deliveries", "The delivery log, newest first; ?registration_id&limit"),
]
MAX_BODY_BYTES = 1024 * 1024
# ?wait=true answers after this long at the latest, with what is final by then.
WAIT_CAP_S = 60.0
DEFAULT_LIMIT = 100

_P = ParamSpec("_P")


def _answers_errors(
    handler: Callable[_P, Awaitable[Response]],
) -> Callable[_P, Awaitable[Response]]:
    """Turn a WebhookRequestError into its status and `{"error": sentence}`."""

    @functools.wraps(handler)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Response:
        try:
            return await handler(*args, **kwargs)
        except WebhookRequestError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)

    return wrapper


async def _body(request: Request, *, example: str) -> dict[str, Any]:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise WebhookRequestError(
                413, f"The body is over {MAX_BODY_BYTES} bytes; send a smaller JSON object."
            )
    return parse_json_body(bytes(raw), example=example)


def create_webhook_router(sender: WebhookSender) -> APIRouter:
    """The webhook routes over `sender`."""
    router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

    @router.post("/register", status_code=201)
    @_answers_errors
    async def register(request: Request) -> Response:
        body = await _body(request, example=f'{{"url": "{EXAMPLE_URL}"}}')
        registration = sender.register(parse_registration(body))
        return JSONResponse(registration.to_json(), status_code=201)

    @router.get("/registrations")
    async def list_registrations() -> dict[str, Any]:
        return {"registrations": [r.to_json() for r in sender.registrations()]}

    @router.delete("/registrations/{registration_id}", status_code=204)
    @_answers_errors
    async def delete_registration(registration_id: str) -> Response:
        sender.unregister(registration_id)
        return Response(status_code=204)

    @router.post("/trigger", status_code=202)
    @_answers_errors
    async def trigger(request: Request) -> Response:
        wait = parse_wait(request.query_params.get("wait"))
        body = await _body(request, example='{"event_type": "payment.completed"}')
        deliveries = sender.trigger(parse_trigger(body))
        ids = [delivery.id for delivery in deliveries]
        if not wait:
            return JSONResponse({"delivery_ids": ids}, status_code=202)
        complete = await sender.wait(deliveries, WAIT_CAP_S)
        return JSONResponse(
            {
                "delivery_ids": ids,
                "complete": complete,
                "deliveries": [delivery.to_json() for delivery in deliveries],
            }
        )

    @router.get("/deliveries")
    @_answers_errors
    async def list_deliveries(request: Request) -> Response:
        limit = parse_limit(
            request.query_params.get("limit"), default=DEFAULT_LIMIT, high=DELIVERY_LOG_SIZE
        )
        registration_id = request.query_params.get("registration_id") or None
        deliveries = sender.deliveries(registration_id, limit)
        return JSONResponse({"deliveries": [delivery.to_json() for delivery in deliveries]})

    return router
