"""Secret fields of a request (the webhook receiver's signing secret), kept out of the
collection file the way secret variables are.

On save, a secret field's value goes to the ``SecretStore`` under the request's scope
and the file gets an empty field; on load it is put back. A value made only of
``{{variable}}`` references is no secret itself (the variable may be), so it stays in
the file, where a shared collection needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from apiclient.core.models import AnyRequest, WebhookRequest
from apiclient.core.variables import VARIABLE_PATTERN

# Variable names cannot hold "@", so these keys never meet a secret variable's value.
WEBHOOK_SECRET_KEY = "@signature.secret"
_SPACE = re.compile(r"\s*")


def only_references(text: str) -> bool:
    """True when ``text`` is nothing but ``{{variable}}`` references (and spaces)."""
    return bool(text.strip()) and _SPACE.fullmatch(VARIABLE_PATTERN.sub("", text)) is not None


def split_secret_fields(request: AnyRequest) -> tuple[AnyRequest, dict[str, str]]:
    """``request`` as written to its file, and the secret values to store beside it."""
    if not isinstance(request, WebhookRequest):
        return request, {}
    secret = request.signature.secret
    if not secret or only_references(secret):
        return request, {}
    blank = request.signature.model_copy(update={"secret": ""})
    return request.model_copy(update={"signature": blank}), {WEBHOOK_SECRET_KEY: secret}


def needs_secret_fields(request: AnyRequest) -> bool:
    """True when a field of ``request`` was left blank in its file for the secret store."""
    return isinstance(request, WebhookRequest) and not request.signature.secret


def fill_secret_fields(request: AnyRequest, stored: Mapping[str, str]) -> AnyRequest:
    """``request`` (as read from its file) with its stored secret fields put back."""
    if not needs_secret_fields(request) or WEBHOOK_SECRET_KEY not in stored:
        return request
    assert isinstance(request, WebhookRequest)
    secret = request.signature.model_copy(update={"secret": stored[WEBHOOK_SECRET_KEY]})
    return request.model_copy(update={"signature": secret})
