"""Reading a GraphQL answer: ``data``, ``errors`` and what looks wrong with it.

A GraphQL server answers errors inside a normal response, so an answer that does not
look like GraphQL at all (an HTML error page, a 500, JSON without ``data`` or
``errors``) is not raised: it becomes a ``problem`` sentence next to what the server
sent, so the user always sees the body. Subscription events carry the same payload,
so :func:`read_payload` serves both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from apiclient.protocols.rest import RestResponse

_ENDPOINT_HINT = "check that the URL is the server's GraphQL endpoint"


@dataclass(frozen=True)
class GraphqlResponseError:
    """One member of a response's ``errors``, as the server sent it."""

    message: str
    locations: tuple[tuple[int, int], ...]  # (line, column) in the query, 1-based
    path: tuple[str | int, ...]  # where in ``data`` the error happened
    extensions: str  # the extensions object as indented JSON text, "" when none


@dataclass(frozen=True)
class Reading:
    data: object | None
    errors: tuple[GraphqlResponseError, ...]
    problem: str


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _locations(value: object) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (item["line"], item["column"])
        for item in value
        if isinstance(item, Mapping)
        and isinstance(item.get("line"), int)
        and isinstance(item.get("column"), int)
    )


def _error(value: object) -> GraphqlResponseError:
    if not isinstance(value, Mapping):
        return GraphqlResponseError(_json_text(value), (), (), "")
    message = value.get("message")
    path = value.get("path")
    extensions = value.get("extensions")
    return GraphqlResponseError(
        message if isinstance(message, str) else _json_text(value),
        _locations(value.get("locations")),
        tuple(p for p in path if isinstance(p, str | int)) if isinstance(path, list) else (),
        _json_text(extensions) if extensions else "",
    )


def parse_errors(value: object) -> tuple[GraphqlResponseError, ...]:
    """A response's ``errors`` (a list, or one error object as some servers send)."""
    if isinstance(value, list):
        return tuple(_error(item) for item in value)
    return (_error(value),) if value else ()


def _not_graphql(what: str) -> Reading:
    return Reading(None, (), f"{what}, so it is not a GraphQL result; {_ENDPOINT_HINT}.")


def read_payload(payload: object) -> Reading:
    """``data`` and ``errors`` of a decoded GraphQL result (a response or an event)."""
    if not isinstance(payload, Mapping):
        return _not_graphql("The response is JSON but not an object")
    if "data" not in payload and "errors" not in payload:
        return _not_graphql("The response has neither data nor errors")
    return Reading(payload.get("data"), parse_errors(payload.get("errors")), "")


def _decoded(http: RestResponse) -> Reading:
    if not http.body.strip():
        return _not_graphql("The response body is empty")
    try:
        payload = json.loads(http.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _not_graphql(f"The response is not JSON ({http.content_type or 'no Content-Type'})")
    return read_payload(payload)


def _status_hint(status_code: int) -> str:
    if status_code in (401, 403):
        return "check the Auth tab and the headers"
    if status_code >= 500:
        return "the server failed; try again or look at the server's logs"
    return _ENDPOINT_HINT


def read_response(http: RestResponse) -> Reading:
    """Decode the body and say what is wrong when it is not a GraphQL answer.

    CPU work on a possibly large body: call it in a worker thread.
    """
    reading = _decoded(http)
    if http.status_code < 400:
        return reading
    status = f"HTTP {http.status_code} {http.reason}".rstrip()
    if reading.problem:
        media = http.content_type or "no Content-Type"
        problem = (
            f"{status}: the answer is not a GraphQL result ({media}, shown as it came);"
            f" {_status_hint(http.status_code)}."
        )
    elif reading.errors:
        problem = f"{status}: the server refused the request; its errors are listed."
    else:
        problem = f"{status}: the server refused the request without saying why."
    return Reading(reading.data, reading.errors, problem)
