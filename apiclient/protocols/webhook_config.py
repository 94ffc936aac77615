"""The receiver's settings from a saved webhook receiver setup (variables resolved)."""

from __future__ import annotations

from apiclient.core.models import WebhookRequest
from apiclient.protocols.webhook_events import ReceiverConfig, ResponseConfig, SignatureConfig


def receiver_config(request: WebhookRequest) -> ReceiverConfig:
    """What :class:`~apiclient.protocols.webhook.WebhookReceiver` runs with, from a request
    whose variables are resolved (``apiclient.core.variables.resolve_webhook_request``)."""
    response = request.response
    signature = request.signature
    return ReceiverConfig(
        host=request.host.strip(),
        port=request.port,
        response=ResponseConfig(
            status=response.status,
            headers=tuple((row.name, row.value) for row in response.headers if row.enabled),
            body=response.body,
            delay_s=response.delay_s,
        ),
        signature=SignatureConfig(
            scheme=signature.scheme,
            secret=signature.secret,
            header=signature.header.strip(),
            algorithm=signature.algorithm,
            prefix=signature.prefix,
            encoding=signature.encoding,
            tolerance_s=signature.tolerance_s,
        ),
        max_body_bytes=request.max_body_bytes,
        forward_url=request.forward_url.strip() if request.forward else "",
    )
