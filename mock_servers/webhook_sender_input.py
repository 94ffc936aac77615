"""Checking what people send to the webhook sender's routes.

Parsed by hand rather than by FastAPI's models so that every refusal is one sentence in
`{"error": ...}` naming the field, what it may be and an example, the same on both ports.
"""

from __future__ import annotations

import ipaddress
import json
import math
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import urlsplit

from mock_servers.webhook_sender_events import EVENT_TYPES
from mock_servers.webhook_signing import SCHEMES, SignatureScheme, generate_secret, standard_key

__all__ = [
    "RegistrationSpec",
    "TriggerSpec",
    "WebhookRequestError",
    "parse_json_body",
    "parse_limit",
    "parse_registration",
    "parse_trigger",
    "parse_wait",
]

MAX_PER_TRIGGER = 100
MAX_SECRET_CHARS = 1024
EXAMPLE_URL = "http://127.0.0.1:9000/webhooks/payments"
_EXAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
# The seed story's request (docs of a payment provider) names two fields differently.
_ALIASES = {"target_url": "url", "event_types": "events"}
_REGISTRATION_FIELDS = (
    "url",
    "events",
    "secret",
    "signature",
    "interval_s",
    "max_attempts",
    "backoff_s",
    "timeout_s",
)
_TRIGGER_FIELDS = ("event_type", "registration_id", "count", "data")
_SHOWN_DIGITS = 20  # a longer number is shown by its length, not its digits


class _LongInt(int):
    """A JSON integer with more digits than Python reads from text (4300 by default).

    It stands in with the right sign and a value far outside every field's range, so
    the field it is in is refused by name like any other number out of range."""

    digits: int


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over sys.get_int_max_str_digits()
        sign = -1 if text.startswith("-") else 1
        stand_in = _LongInt(sign * 10**1000)
        stand_in.digits = len(text.lstrip("-"))
        return stand_in


class WebhookRequestError(Exception):
    """A request the sender refuses; `message` is the sentence the client sees."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class RegistrationSpec:
    """A checked registration body, defaults filled in and a secret generated if absent."""

    url: str
    events: tuple[str, ...]
    secret: str
    signature: SignatureScheme
    interval_s: float | None
    max_attempts: int
    backoff_s: float
    timeout_s: float


@dataclass(frozen=True)
class TriggerSpec:
    """A checked trigger body; None means "every" for event_type and registration_id."""

    event_type: str | None
    registration_id: str | None
    count: int
    data: dict[str, Any] | None


def parse_json_body(raw: bytes, *, example: str) -> dict[str, Any]:
    """The body as a JSON object; an empty body counts as `{}`."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_int=_parse_int)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRequestError(
            400, f"The body is not valid JSON ({exc}); send an object, for example {example}."
        ) from None
    except RecursionError:
        raise WebhookRequestError(
            400,
            "The body nests lists or objects too deeply to read; send a flat object, "
            f"for example {example}.",
        ) from None
    if not isinstance(body, dict):
        raise WebhookRequestError(
            400, f"The body must be a JSON object, not {_kind(body)}; for example {example}."
        )
    return body


def parse_registration(body: dict[str, Any]) -> RegistrationSpec:
    """Check a `POST /api/webhooks/register` body."""
    body = _resolve_aliases(body)
    _refuse_unknown(body, _REGISTRATION_FIELDS, example=f'{{"url": "{EXAMPLE_URL}"}}')
    url = _target_url(body)
    events = _events(body)
    signature = body.get("signature", "standard")
    if signature not in SCHEMES:
        raise WebhookRequestError(
            400,
            f'"signature" must be one of {_listing(SCHEMES)} (default "standard"), '
            f'for example "github"; got {_show(signature)}.',
        )
    return RegistrationSpec(
        url=url,
        events=events,
        secret=_secret(body, signature),
        signature=signature,
        interval_s=_number(body, "interval_s", low=0.1, high=3600, default=None, example="5"),
        max_attempts=int(_number(body, "max_attempts", low=1, high=10, default=5, whole=True)),
        backoff_s=float(_number(body, "backoff_s", low=0, high=60, default=1.0, example="0.5")),
        timeout_s=float(_number(body, "timeout_s", low=0.1, high=60, default=5.0, example="2")),
    )


def parse_trigger(body: dict[str, Any]) -> TriggerSpec:
    """Check a `POST /api/webhooks/trigger` body."""
    _refuse_unknown(body, _TRIGGER_FIELDS, example='{"event_type": "payment.completed"}')
    event_type = body.get("event_type")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise WebhookRequestError(
            400,
            f'"event_type" must be one of {_listing(EVENT_TYPES)}, or left out to send each '
            f'event the registration subscribes to; for example "payment.failed"; '
            f"got {_show(event_type)}.",
        )
    registration_id = body.get("registration_id")
    if registration_id is not None and not isinstance(registration_id, str):
        raise WebhookRequestError(
            400,
            '"registration_id" must be the id of a registration as a string, for example '
            f'"wh_3f9a1c0d2b7e4a66"; got {_show(registration_id)}.',
        )
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        raise WebhookRequestError(
            400,
            '"data" must be a JSON object merged into the payload\'s data, for example '
            f'{{"amount": 1999, "currency": "EUR"}}; got {_show(data)}.',
        )
    long = _long_int_in(data)
    if long is not None:
        raise WebhookRequestError(
            400,
            f'"data" holds a number of {long.digits} digits, too long to send on: numbers '
            'in it may have at most 4300 digits, for example {"amount": 1999}.',
        )
    count = _number(body, "count", low=1, high=MAX_PER_TRIGGER, default=1, whole=True)
    return TriggerSpec(event_type, registration_id, int(count), data)


def parse_wait(value: str | None) -> bool:
    """The `wait` query parameter: true/false (also 1/0, yes/no); absent means false."""
    if value is None:
        return False
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no", ""):
        return False
    raise WebhookRequestError(
        400, f"Query parameter wait must be true or false, for example ?wait=true; got {value!r}."
    )


def parse_limit(value: str | None, *, default: int, high: int) -> int:
    """The `limit` query parameter of the delivery log."""
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise WebhookRequestError(
            400,
            f"Query parameter limit must be a whole number from 1 to {high} (default {default}), "
            f"for example ?limit=20; got {value!r}.",
        )
    return int(value)


def _resolve_aliases(body: dict[str, Any]) -> dict[str, Any]:
    resolved = dict(body)
    for alias, name in _ALIASES.items():
        if alias in resolved:
            if name in resolved:
                raise WebhookRequestError(
                    400, f'Give "{name}" or "{alias}" (its other name), not both.'
                )
            resolved[name] = resolved.pop(alias)
    return resolved


def _refuse_unknown(body: dict[str, Any], known: tuple[str, ...], *, example: str) -> None:
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise WebhookRequestError(
            400,
            f"Unknown field {_listing(unknown)}: the fields are {_listing(known)}; "
            f"for example {example}.",
        )


def _target_url(body: dict[str, Any]) -> str:
    url = body.get("url")
    if url is None:
        raise WebhookRequestError(
            400,
            '"url" is required: the http(s) address on this machine that receives the events, '
            f'for example "{EXAMPLE_URL}".',
        )
    parts = None
    if isinstance(url, str):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (reading it checks the port)
        except ValueError:
            parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRequestError(
            400,
            f'"url" must be an http or https URL with a host, for example "{EXAMPLE_URL}"; '
            f"got {_show(url)}.",
        )
    if not _is_loopback(parts.hostname):
        raise WebhookRequestError(
            400,
            f'"url" points to {parts.hostname}, but this mock only delivers to this machine: '
            f'use a loopback host (127.0.0.1, ::1 or localhost), for example "{EXAMPLE_URL}".',
        )
    return str(url)


def _is_loopback(hostname: str) -> bool:
    if hostname.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _events(body: dict[str, Any]) -> tuple[str, ...]:
    events = body.get("events", list(EVENT_TYPES))
    usage = (
        f'"events" must be a non-empty list of event types from {_listing(EVENT_TYPES)} '
        '(default all three), for example ["payment.completed", "payment.failed"]'
    )
    if not isinstance(events, list) or not events:
        raise WebhookRequestError(400, f"{usage}; got {_show(events)}.")
    for event in events:
        if event not in EVENT_TYPES:
            raise WebhookRequestError(400, f"{usage}; {_show(event)} is not one of them.")
    return tuple(dict.fromkeys(events))


def _secret(body: dict[str, Any], signature: SignatureScheme) -> str:
    secret = body.get("secret")
    if secret is None:
        return generate_secret(signature)
    if not isinstance(secret, str) or not 1 <= len(secret) <= MAX_SECRET_CHARS:
        raise WebhookRequestError(
            400,
            f'"secret" must be a string of 1 to {MAX_SECRET_CHARS} characters, for example '
            f'"{_EXAMPLE_SECRET}", or left out to get one generated; got {_show(secret)}.',
        )
    if signature == "standard":
        try:
            standard_key(secret)
        except ValueError:
            raise WebhookRequestError(
                400,
                '"secret" for standard signatures must be whsec_ followed by base64 (or plain '
                f'base64), for example "{_EXAMPLE_SECRET}", or left out to get one generated; '
                f"got {_show(secret)}.",
            ) from None
    return secret


@overload
def _number(
    body: dict[str, Any],
    name: str,
    *,
    low: float,
    high: float,
    default: float,
    whole: bool = ...,
    example: str = ...,
) -> float: ...
@overload
def _number(
    body: dict[str, Any],
    name: str,
    *,
    low: float,
    high: float,
    default: None,
    whole: bool = ...,
    example: str = ...,
) -> float | None: ...
def _number(
    body: dict[str, Any],
    name: str,
    *,
    low: float,
    high: float,
    default: float | None,
    whole: bool = False,
    example: str = "3",
) -> float | None:
    """A number field within [low, high]; a null is allowed only when the default is."""
    if name not in body or (body[name] is None and default is None):
        return default
    value = body[name]
    valid_type = isinstance(value, int) if whole else isinstance(value, int | float)
    # math.isfinite only for a float: an int past 1e308 makes it raise OverflowError.
    not_finite = isinstance(value, float) and not math.isfinite(value)
    if isinstance(value, bool) or not valid_type or not_finite:
        problem = "is not a whole number" if whole else "is not a number"
    elif not low <= value <= high:
        problem = "is out of range"
    else:
        return value
    kind = "a whole number" if whole else "a number"
    optional = ", or null to leave it off" if default is None else f" (default {default:g})"
    raise WebhookRequestError(
        400,
        f'"{name}" {problem}: it must be {kind} from {low:g} to {high:g}{optional}; '
        f'for example {{"{name}": {example}}}; got {_show(value)}.',
    )


def _listing(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{value}"' for value in values)


def _long_int_in(value: object) -> _LongInt | None:
    """The first number too long for Python to write back out, anywhere in ``value``
    (walked without recursion: the body may nest as deep as the JSON parser allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _LongInt):
            return item
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def _show(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        digits = value.digits if isinstance(value, _LongInt) else len(str(abs(value)))
        if digits > _SHOWN_DIGITS:
            return f"a number of {digits} digits"
    long = _long_int_in(value)
    if long is not None:
        return f"{_kind(value)} holding a number of {long.digits} digits"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
