"""Routing of the WebSocket mock, done in the opening handshake.

`Router.process_request` picks the session for the request's path and validates its
query parameters, or refuses the handshake with a plain-text HTTP response saying what
to change. `Router.select_subprotocol` negotiates Sec-WebSocket-Protocol per path.
"""

from __future__ import annotations

import functools
import http
import json
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from mock_servers import websocket_sessions as sessions
from mock_servers.websocket_params import (
    CloseCodeParam,
    FloatParam,
    IntParam,
    Param,
    ParamError,
    TextParam,
    parse_params,
)
from mock_servers.websocket_room import Rooms, room_session

__all__ = [
    "ENDPOINTS",
    "MAX_BIG_BYTES",
    "REJECT_BODY",
    "ROOM_PREFIX",
    "Endpoint",
    "MockConnection",
    "Router",
    "Session",
]

Session = Callable[[ServerConnection], Coroutine[Any, Any, None]]
ROOM_PREFIX = "/room/"
MAX_BIG_BYTES = 64 * 2**20
REJECT_BODY = {"error": "forbidden", "message": "This socket is closed to you: send a valid token."}
_MAX_ROOM_NAME = 64


class MockConnection(ServerConnection):
    """A server connection that carries what its handshake decided."""

    session: Session | None = None
    # Whether the session reads messages itself; otherwise the server discards them.
    reads: bool = True
    subprotocol_required: Subprotocol | None = None


@dataclass(frozen=True)
class Endpoint:
    """One path: its usage line for the 404 listing, its parameters and its session.

    `reads` says whether the session reads the client's messages itself.
    `subprotocol` is the only subprotocol the path accepts, if it insists on one.
    """

    path: str
    usage: str
    summary: str
    example: str
    session: Callable[..., Coroutine[Any, Any, None]] | None
    params: tuple[Param, ...] = ()
    reads: bool = False
    subprotocol: Subprotocol | None = None


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "/echo",
        "/echo",
        "echoes text as text and binary as binary",
        "/echo",
        sessions.echo,
        reads=True,
    ),
    Endpoint(
        "/headers",
        "/headers",
        "describes the handshake request in JSON, then echoes",
        "/headers?token=abc",
        sessions.headers,
        reads=True,
    ),
    Endpoint(
        ROOM_PREFIX,
        "/room/{name}?user=NAME",
        "a broadcast room with a shared text document",
        "/room/demo?user=ada",
        None,
        params=(TextParam("user", None, min_chars=1, max_chars=64),),
        reads=True,
    ),
    Endpoint(
        "/ticker",
        "/ticker?rate=N&count=M",
        "streams M quotes at N per second",
        "/ticker?rate=100&count=50",
        sessions.ticker,
        params=(IntParam("rate", 1, 50_000, 10), IntParam("count", 1, 1_000_000, 100)),
    ),
    Endpoint(
        "/subprotocol",
        "/subprotocol",
        f"speaks only the {sessions.CHAT_PROTOCOL} subprotocol",
        "/subprotocol",
        sessions.subprotocol,
        reads=True,
        subprotocol=Subprotocol(sessions.CHAT_PROTOCOL),
    ),
    Endpoint(
        "/reject", "/reject", "refuses every handshake with 403 and a JSON body", "/reject", None
    ),
    Endpoint(
        "/close-after",
        "/close-after?n=N&code=C&reason=R",
        "sends N messages, then closes with code C and reason R",
        "/close-after?n=3&code=4000&reason=bye",
        sessions.close_after,
        params=(
            IntParam("n", 0, 10_000, 3),
            CloseCodeParam("code", 1000),
            TextParam("reason", "closing as asked", min_chars=0, max_chars=123, max_bytes=123),
        ),
    ),
    Endpoint(
        "/binary",
        "/binary?count=M&size=S",
        "sends M binary frames of S bytes",
        "/binary?count=5&size=1024",
        sessions.binary,
        params=(IntParam("count", 1, 100_000, 10), IntParam("size", 1, 2**20, 16)),
    ),
    Endpoint(
        "/invalid-utf8",
        "/invalid-utf8",
        "sends one text frame that is not UTF-8",
        "/invalid-utf8",
        sessions.invalid_utf8,
    ),
    Endpoint(
        "/drop",
        "/drop?after=N",
        "sends N messages, then drops the TCP connection",
        "/drop?after=3",
        sessions.drop,
        params=(IntParam("after", 0, 10_000, 3),),
    ),
    Endpoint(
        "/big",
        "/big?size=S",
        "sends one text message of S bytes",
        "/big?size=2000000",
        sessions.big,
        params=(IntParam("size", 1, MAX_BIG_BYTES, 2**20),),
    ),
    Endpoint(
        "/pings",
        "/pings?interval=SECONDS&count=N",
        "sends N pings (ping-1 .. ping-N) at that interval, then closes",
        "/pings?interval=0.5&count=3",
        sessions.pings,
        params=(FloatParam("interval", 0.01, 60.0, 1.0, "seconds"), IntParam("count", 1, 1000, 3)),
    ),
)
_BY_PATH = {endpoint.path: endpoint for endpoint in ENDPOINTS}


def _not_found_text(path: str) -> str:
    lines = [f"No WebSocket endpoint at {path}. This server has:"]
    lines += [f"  {endpoint.usage:<36} {endpoint.summary}" for endpoint in ENDPOINTS]
    return "\n".join(lines) + "\n"


def _offered(request: Request) -> list[str]:
    return [
        token.strip()
        for value in request.headers.get_all("Sec-WebSocket-Protocol")
        for token in value.split(",")
        if token.strip()
    ]


def _forbidden() -> Response:
    body = json.dumps(REJECT_BODY).encode()
    headers = Headers(
        [
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", "application/json"),
        ]
    )
    status = http.HTTPStatus.FORBIDDEN
    return Response(status.value, status.phrase, headers, body)


class Router:
    """The handshake callbacks of one server, which owns its rooms."""

    def __init__(self) -> None:
        self.rooms = Rooms()

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Choose the session for this request, or refuse the handshake."""
        assert isinstance(connection, MockConnection)
        url = urlsplit(request.path)
        path = url.path
        endpoint = _BY_PATH.get(ROOM_PREFIX if path.startswith(ROOM_PREFIX) else path)
        if endpoint is None:
            return connection.respond(http.HTTPStatus.NOT_FOUND, _not_found_text(path))
        if endpoint.path == "/reject":
            return _forbidden()
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            values = parse_params(path, endpoint.params, query, endpoint.example)
        except ParamError as exc:
            return connection.respond(http.HTTPStatus.BAD_REQUEST, str(exc))
        if endpoint.subprotocol is not None and endpoint.subprotocol not in _offered(request):
            return connection.respond(
                http.HTTPStatus.BAD_REQUEST,
                f"{path} speaks only the {endpoint.subprotocol} subprotocol: offer it in "
                f"the Sec-WebSocket-Protocol request header "
                f"(Sec-WebSocket-Protocol: {endpoint.subprotocol}).\n",
            )
        if endpoint.path == ROOM_PREFIX:
            return self._open_room(connection, path, values)
        assert endpoint.session is not None
        connection.session = functools.partial(endpoint.session, **values)
        connection.reads = endpoint.reads
        connection.subprotocol_required = endpoint.subprotocol
        return None

    def _open_room(
        self, connection: MockConnection, path: str, values: dict[str, object]
    ) -> Response | None:
        name = unquote(path.removeprefix(ROOM_PREFIX))
        if not name or "/" in name or len(name) > _MAX_ROOM_NAME:
            return connection.respond(
                http.HTTPStatus.BAD_REQUEST,
                f"Bad room name {name!r} in {path}: a room name is 1 to {_MAX_ROOM_NAME} "
                "characters without '/'; for example /room/demo?user=ada\n",
            )
        user = values["user"]
        assert user is None or isinstance(user, str)
        room = self.rooms.get(name)
        if user is not None and room is not None and room.has_user(user):
            return connection.respond(
                http.HTTPStatus.CONFLICT,
                f"User {user!r} is already in room {name!r}: choose another ?user=NAME, "
                "or leave it out to get a fresh name.\n",
            )
        connection.session = functools.partial(room_session, rooms=self.rooms, name=name, user=user)
        connection.reads = True
        return None

    def select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        """The path's own subprotocol where it has one (process_request made sure the
        client offers it); elsewhere the client's first choice, so clients can see
        their Sec-WebSocket-Protocol accepted on /echo and /headers."""
        assert isinstance(connection, MockConnection)
        if connection.subprotocol_required is not None:
            return connection.subprotocol_required
        return offered[0] if offered else None
