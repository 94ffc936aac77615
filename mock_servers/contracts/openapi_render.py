"""What an OpenAPI operation answers: status, media type, body and headers.

The body is the contract's example for that status if it has one, else data generated
from its schema; a pinned response replaces the status, the body or both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from mock_servers.contracts.base import Pin
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.openapi_model import Operation, Response, is_json
from mock_servers.contracts.openapi_sample import SampleGenerator

_NO_CONTENT = Response(media={})


@dataclass(frozen=True)
class Rendered:
    status: int
    media: str | None
    body: str | bytes | None
    headers: dict[str, str] = field(default_factory=dict)


def response_for(operation: Operation, status: int) -> Response:
    """The contract's response for ``status``: its own, its range (4XX), or default."""
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in operation.responses:
            return operation.responses[key]
    return _NO_CONTENT


def render(
    operation: Operation,
    status: int,
    defs: dict[str, Any],
    fake: FakeData,
    where: str,
    path_params: dict[str, str] | None = None,
    accept: str | None = None,
) -> Rendered:
    """The answer with ``status`` in the media type ``accept`` prefers among those the
    contract lists (else its first, JSON first). ``where`` (operation and URL path) seeds
    the data, and the URL's path parameters show up in the generated object's fields of
    their name."""
    spec = response_for(operation, status)
    generator = SampleGenerator(fake, defs)
    headers = {
        name: _header_text(generator.value(schema, f"{where}.{status}.headers.{name}", name))
        for name, schema in spec.headers.items()
    }
    media_type = choose_media_type(list(spec.media), accept)
    if media_type is None:
        return Rendered(status, None, None, headers)
    media = spec.media[media_type]
    if media.has_example:
        value = media.example
    elif media.schema is not None:
        value = _echo(generator.value(media.schema, f"{where}.{status}"), path_params or {})
    else:
        value = ""
    return Rendered(status, media_type, _serialize(value, media_type), headers)


def choose_media_type(offered: list[str], accept: str | None) -> str | None:
    """The first of ``offered`` the Accept header takes, by its q-values; else the first."""
    ranges = []
    for i, part in enumerate((accept or "").split(",")):
        essence, *params = [p.strip() for p in part.split(";")]
        quality = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            ranges.append((-float(quality), i, essence.lower()))
        except ValueError:
            continue
    refused = {wanted for negative_q, _, wanted in ranges if negative_q == 0}  # q=0: "not this"
    for negative_q, _, wanted in sorted(ranges):
        if negative_q == 0:
            break  # only refusals are left
        for media_type in offered:
            essence = media_type.split(";", 1)[0].strip().lower()
            if essence not in refused and _covers(wanted, essence):
                return media_type
    return offered[0] if offered else None


def _covers(wanted: str, essence: str) -> bool:
    """Whether the Accept range ``wanted`` (a type, "text/*", "*/*") takes ``essence``."""
    if wanted in (essence, "*/*"):
        return True
    return wanted.endswith("/*") and essence.startswith(wanted[:-1])


def render_pinned(
    operation: Operation,
    pin: Pin,
    defs: dict[str, Any],
    fake: FakeData,
    where: str,
    path_params: dict[str, str] | None = None,
    accept: str | None = None,
) -> Rendered:
    """The pinned answer: its status (or the usual one) and its body (or the generated one)."""
    status = operation.status if pin.status is None else pin.status
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)
    if not isinstance(status, int) or not 100 <= status <= 599:
        error = (
            f"The pin for {operation.name} has status {status!r}, which is not an HTTP "
            "status; pin a number from 100 to 599."
        )
        return Rendered(500, "application/json", json.dumps({"error": error}))
    if not pin.body:
        return render(operation, status, defs, fake, where, path_params, accept)
    try:
        json.loads(pin.body)
        media = "application/json"
    except ValueError:
        declared = response_for(operation, status).media_type or ""
        media = declared if declared.startswith("text/") else "text/plain"
    return Rendered(status, media, pin.body)


def _echo(value: Any, path_params: dict[str, str]) -> Any:
    """GET /pets/7 answers a pet whose ``id`` (or ``petId``) is 7, where the types agree."""
    if not isinstance(value, dict):
        return value
    for name, text in path_params.items():
        fields = [name] + (["id"] if name.lower().endswith("id") and len(name) > 2 else [])
        field_name = next((f for f in fields if f in value), None)
        if field_name is None:
            continue
        old = value[field_name]
        if isinstance(old, str):
            value[field_name] = text
        elif isinstance(old, int) and not isinstance(old, bool) and text.isdigit():
            value[field_name] = int(text)
    return value


def _serialize(value: Any, media_type: str) -> str | bytes:
    """The body text for ``value`` in ``media_type``; a string example is served as written
    unless a JSON type needs it quoted."""
    essence = media_type.split(";", 1)[0].strip().lower()
    if is_json(essence):
        if isinstance(value, str):
            try:
                json.loads(value)
                return value
            except ValueError:
                pass
        return json.dumps(value, ensure_ascii=False, default=_plain)
    if isinstance(value, str):
        return value
    if essence.endswith("/xml") or essence.endswith("+xml"):
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + _xml("response", value)
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    """JSON for what YAML may hold beyond JSON: a set (``!!set``) as a sorted list."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml(str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        inner = "".join(_xml("item", v) for v in value)
    elif value is None:
        inner = ""
    else:
        inner = escape(str(value).lower() if isinstance(value, bool) else str(value))
    return f"<{tag}>{inner}</{tag}>"


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, default=_plain)
