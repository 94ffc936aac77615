"""The WebSocket mock's broadcast rooms (/room/{name}): joins and leaves, edits relayed
to the others but not the sender, the shared document, errors to the sender only."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

TIMEOUT = 10
Join = Callable[..., Awaitable[ClientConnection]]


@pytest.fixture(autouse=True)
def no_warnings_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert not logged


@pytest.fixture
def room(websocket_url: str) -> str:
    """A room of its own for each test: the session's server is shared."""
    return f"{websocket_url}/room/test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def join(room: str) -> AsyncIterator[Join]:
    """Connect to the test's room (optionally as `user`); closed at the end of the test."""
    async with AsyncExitStack() as stack:

        async def joined(user: str | None = None, url: str = room) -> ClientConnection:
            query = f"?user={user}" if user is not None else ""
            return await stack.enter_async_context(connect(url + query, open_timeout=TIMEOUT))

        yield joined


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(TIMEOUT):
        message = await ws.recv()
    assert isinstance(message, str)
    decoded = json.loads(message)
    assert isinstance(decoded, dict)
    return decoded


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


def name_of(url: str) -> str:
    return url.rpartition("/room/")[2]


async def test_two_members_see_each_other_and_not_their_own_edits(room: str, join: Join) -> None:
    ada = await join("ada")
    assert await receive(ada) == {
        "type": "user_joined",
        "room": name_of(room),
        "user": "ada",
        "users": ["ada"],
        "text": "",
        "version": 0,
    }
    bob = await join("bob")
    joined = {
        "type": "user_joined",
        "room": name_of(room),
        "user": "bob",
        "users": ["ada", "bob"],
        "text": "",
        "version": 0,
    }
    assert await receive(ada) == joined
    assert await receive(bob) == joined

    await send(ada, {"type": "text_update", "position": 0, "insert": "hello", "delete": 0})
    assert await receive(bob) == {
        "type": "text_update",
        "position": 0,
        "insert": "hello",
        "delete": 0,
        "user": "ada",
        "version": 1,
        "length": 5,
    }
    await send(bob, {"type": "cursor_move", "position": 5})
    # Ada's next message is Bob's cursor: her own edit did not come back to her.
    assert await receive(ada) == {"type": "cursor_move", "position": 5, "user": "bob", "version": 1}

    await bob.close()
    assert await receive(ada) == {
        "type": "user_left",
        "room": name_of(room),
        "user": "bob",
        "users": ["ada"],
    }


async def test_three_members_and_the_document_after_several_edits(join: Join) -> None:
    ada, bob = await join("ada"), await join("bob")
    await receive(ada)
    await receive(ada)
    await receive(bob)
    edits = [
        {"type": "text_update", "position": 0, "insert": "Hello world", "delete": 0},
        {"type": "text_update", "position": 5, "insert": ",", "delete": 0},  # Hello, world
        {"type": "text_update", "position": 7, "insert": "there", "delete": 5},  # Hello, there
        {"type": "text_update", "position": 12, "insert": "!"},  # delete defaults to 0
        {"type": "text_update", "position": 0, "delete": 1, "insert": "J"},  # Jello, there!
    ]
    lengths = [11, 12, 12, 13, 13]
    for version, (edit, length) in enumerate(zip(edits, lengths, strict=True), start=1):
        await send(ada, edit)
        relayed = await receive(bob)
        assert relayed["version"] == version
        assert relayed["length"] == length
        assert relayed["user"] == "ada"

    cy = await join("cy")
    welcome = await receive(cy)
    assert welcome["text"] == "Jello, there!"
    assert welcome["version"] == 5
    assert welcome["users"] == ["ada", "bob", "cy"]
    assert (await receive(ada))["user"] == "cy"
    assert (await receive(bob))["user"] == "cy"

    await send(bob, {"type": "text_update", "position": 13, "insert": " ✓", "delete": 0})
    for other in (ada, cy):
        relayed = await receive(other)
        assert (relayed["user"], relayed["version"], relayed["length"]) == ("bob", 6, 15)
    # Bob's next message is Cy's cursor, not his own edit.
    await send(cy, {"type": "cursor_move", "position": 0})
    assert await receive(bob) == {"type": "cursor_move", "position": 0, "user": "cy", "version": 6}
    assert (await receive(ada))["user"] == "cy"


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("not json", "The message is not valid JSON: Expecting value: line 1 column 1 (char 0)."),
        ("[1, 2]", 'The message must be a JSON object with a "type" field.'),
        ('{"type": "shout"}', "Unknown message type 'shout': send 'text_update' or 'cursor_move'."),
        ('{"position": 0}', 'The message has no "type": send "text_update" or "cursor_move".'),
        ('{"type": 7}', "Unknown message type 7: send 'text_update' or 'cursor_move'."),
        ('{"type": "text_update"}', 'A text_update needs "position", a whole number.'),
        (
            '{"type": "text_update", "position": "0", "insert": "x"}',
            '"position" of a text_update must be a whole number, not a string.',
        ),
        (
            '{"type": "text_update", "position": true, "insert": "x"}',
            '"position" of a text_update must be a whole number, not a boolean.',
        ),
        (
            '{"type": "text_update", "position": 0, "insert": 5}',
            '"insert" of a text_update must be a string, not a number.',
        ),
        (
            '{"type": "text_update", "position": 0, "delete": 1.5}',
            '"delete" of a text_update must be a whole number, not a number.',
        ),
        (
            '{"type": "text_update", "position": -1, "insert": "x"}',
            '"position" of a text_update must not be negative (got -1).',
        ),
        (
            '{"type": "text_update", "position": 4, "insert": "x"}',
            "Position 4 is outside the document: use 0 to 3 (its length).",
        ),
        (
            '{"type": "text_update", "position": 1, "delete": 3}',
            "Deleting 3 characters at position 1 runs past the end of the document (length 3).",
        ),
        (
            '{"type": "cursor_move", "position": 9}',
            "Position 9 is outside the document: use 0 to 3 (its length).",
        ),
        ('{"type": "cursor_move"}', 'A cursor_move needs "position", a whole number.'),
        (b"\x01", "Room messages are JSON text; this one was a binary message."),
    ],
)
async def test_a_bad_message_earns_the_sender_alone_an_error(
    join: Join, message: str | bytes, error: str
) -> None:
    ada, bob = await join("ada"), await join("bob")
    for _ in range(2):
        await receive(ada)
    await receive(bob)
    await send(ada, {"type": "text_update", "position": 0, "insert": "abc"})
    await receive(bob)

    await bob.send(message)
    assert await receive(bob) == {"type": "error", "message": error}
    # Nothing changed: Ada's next message is Bob's valid edit, still at version 2.
    await send(bob, {"type": "text_update", "position": 3, "insert": "d"})
    relayed = await receive(ada)
    assert (relayed["user"], relayed["version"], relayed["length"]) == ("bob", 2, 4)


async def test_a_document_is_capped_at_a_million_characters(join: Join) -> None:
    ada = await join("ada")
    await receive(ada)
    await send(ada, {"type": "text_update", "position": 0, "insert": "x" * 1_000_000})
    await send(ada, {"type": "text_update", "position": 0, "insert": "y"})
    assert await receive(ada) == {
        "type": "error",
        "message": "The document would grow to 1000001 characters; a room holds at most 1000000.",
    }


async def test_default_user_names_are_unique(join: Join) -> None:
    first, second = await join(), await join()
    one = (await receive(first))["user"]
    two = (await receive(second))["user"]
    assert re.fullmatch(r"user-\d+", one) and re.fullmatch(r"user-\d+", two)
    assert one != two


async def test_a_taken_user_name_is_refused_with_409(room: str, join: Join) -> None:
    await join("ada")
    with pytest.raises(InvalidStatus) as caught:
        await join("ada")
    response = caught.value.response
    assert response.status_code == 409
    assert response.body.decode() == (
        f"User 'ada' is already in room '{name_of(room)}': choose another ?user=NAME, "
        "or leave it out to get a fresh name.\n"
    )


async def test_rooms_are_independent_and_forgotten_when_empty(room: str, join: Join) -> None:
    ada = await join("ada")
    await receive(ada)
    elsewhere = await join("ada", url=room + "-other")
    assert (await receive(elsewhere))["users"] == ["ada"]
    await send(ada, {"type": "text_update", "position": 0, "insert": "kept while ada stays"})
    await send(elsewhere, {"type": "cursor_move", "position": 0})
    await ada.close()
    await elsewhere.close()

    again = await join("bob")
    welcome = await receive(again)
    assert (welcome["users"], welcome["text"], welcome["version"]) == (["bob"], "", 0)


@pytest.mark.parametrize(
    ("path", "name"), [("/room/", ""), ("/room/a/b", "a/b"), ("/room/a%2Fb", "a/b")]
)
async def test_bad_room_names_are_refused(websocket_url: str, path: str, name: str) -> None:
    with pytest.raises(InvalidStatus) as caught:
        async with connect(websocket_url + path):
            pass
    response = caught.value.response
    assert response.status_code == 400
    assert response.body.decode() == (
        f"Bad room name {name!r} in {path}: a room name is 1 to 64 characters without '/'; "
        "for example /room/demo?user=ada\n"
    )


async def test_a_bad_user_parameter_is_refused(websocket_url: str) -> None:
    with pytest.raises(InvalidStatus) as caught:
        async with connect(websocket_url + "/room/demo?user="):
            pass
    assert caught.value.response.status_code == 400
    assert caught.value.response.body.decode() == (
        "Bad query parameter on /room/demo: user='' is too short. user must be text of 1 to 64 "
        "characters (default none); for example /room/demo?user=ada\n"
    )
