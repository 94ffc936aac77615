"""`/auth/hawk`: a resource that wants Hawk auth for id `demo-hawk-id`, key
`demo-hawk-key`, sha256, checked by mohawk's Receiver: the MAC, the body's hash, the
timestamp (within a minute, as Hawk's default) and the nonce (accepted once)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_servers.rest_auth_common import NonceCache, accepted, add_route, refused, signed_url

HAWK_ID = "demo-hawk-id"
HAWK_KEY = "demo-hawk-key"
ALGORITHM = "sha256"
_CHALLENGE = "Hawk"


def _credentials(hawk_id: str) -> dict[str, str]:
    if hawk_id != HAWK_ID:
        raise LookupError(hawk_id)
    return {"id": HAWK_ID, "key": HAWK_KEY, "algorithm": ALGORITHM}


def create_hawk_router() -> APIRouter:
    router = APIRouter(tags=["auth"])
    nonces = NonceCache()

    def seen_nonce(sender_id: str, nonce: str, timestamp: str) -> bool:
        return not nonces.first_use((sender_id, nonce, str(timestamp)), time.time())

    async def hawk(request: Request) -> dict[str, Any] | JSONResponse:
        """200 when the request carries a valid Hawk header for the demo id, else 401."""
        from mohawk import Receiver
        from mohawk.exc import (
            AlreadyProcessed,
            BadHeaderValue,
            CredentialsLookupError,
            HawkFail,
            MacMismatch,
            MisComputedContentHash,
            TokenExpired,
        )

        header = request.headers.get("authorization", "")
        if header.partition(" ")[0].lower() != "hawk":
            return refused("hawk", "Send an 'Authorization: Hawk ...' header.", _CHALLENGE)
        body = await request.body()
        try:
            Receiver(
                _credentials,
                header,
                signed_url(request, with_query=True),
                request.method,
                content=body,
                content_type=request.headers.get("content-type", ""),
                seen_nonce=seen_nonce,
            )
        except TokenExpired as exc:
            return refused(
                "hawk",
                "Stale timestamp: more than a minute from the mock's clock.",
                exc.www_authenticate or _CHALLENGE,
            )
        except CredentialsLookupError:
            return refused("hawk", f"Unknown Hawk id; the mock's is {HAWK_ID!r}.", _CHALLENGE)
        except MisComputedContentHash:
            return refused("hawk", "The payload hash does not match the body.", _CHALLENGE)
        except MacMismatch:
            return refused("hawk", "Bad MAC: check the Hawk key and algorithm.", _CHALLENGE)
        except AlreadyProcessed:
            return refused("hawk", "This nonce was already used; sign again.", _CHALLENGE)
        except BadHeaderValue as exc:
            return refused("hawk", f"Malformed Hawk header: {exc}", _CHALLENGE)
        except HawkFail as exc:
            return refused("hawk", f"Hawk check failed: {exc}", _CHALLENGE)
        return accepted("hawk", id=HAWK_ID)

    add_route(router, "hawk", "/auth/hawk", hawk)
    return router
