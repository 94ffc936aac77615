"""Broadcast rooms of the WebSocket mock: a shared text document per room name, the
collaborative-editor case.

Members send `text_update` and `cursor_move` messages; the room checks them, applies
edits to its document, stamps the sender and the version, and passes them on to the
other members. A bad message earns the sender alone an `error` message. Positions
count Unicode code points (Python string indices).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import CloseCode

__all__ = ["MAX_DOCUMENT_CHARS", "Member", "Room", "Rooms", "UserTakenError", "room_session"]

# Keeps a room's memory bounded however long clients keep typing.
MAX_DOCUMENT_CHARS = 1_000_000


class UserTakenError(Exception):
    """Another member of the room already uses this user name."""

    def __init__(self, room: str, user: str) -> None:
        super().__init__(f"User {user!r} is already in room {room!r}; choose another ?user=NAME.")


class _BadMessage(ValueError):
    """A member's message cannot be applied; the text is sent back to that member."""


@dataclass(eq=False)
class Member:
    user: str
    connection: ServerConnection
    room: Room


@dataclass(eq=False)
class Room:
    name: str
    text: str = ""
    version: int = 0
    members: list[Member] = field(default_factory=list)

    def users(self) -> list[str]:
        return [member.user for member in self.members]

    def has_user(self, user: str) -> bool:
        return any(member.user == user for member in self.members)

    def send_to_all(self, message: dict[str, object], *, but: Member | None = None) -> None:
        connections = [member.connection for member in self.members if member is not but]
        broadcast(connections, json.dumps(message, ensure_ascii=False))

    def handle(self, sender: Member, data: str | bytes) -> str | None:
        """Apply one message from `sender` and pass it on; return an error for the sender."""
        try:
            message = _decode(data)
            kind = message.get("type")
            if kind == "text_update":
                self._text_update(sender, message)
            elif kind == "cursor_move":
                self._cursor_move(sender, message)
            elif "type" not in message:
                raise _BadMessage('The message has no "type": send "text_update" or "cursor_move".')
            else:
                raise _BadMessage(
                    f"Unknown message type {kind!r}: send 'text_update' or 'cursor_move'."
                )
        except _BadMessage as problem:
            return json.dumps({"type": "error", "message": str(problem)}, ensure_ascii=False)
        return None

    def _text_update(self, sender: Member, message: dict[str, object]) -> None:
        position = _whole(message, "position", "text_update", required=True)
        delete = _whole(message, "delete", "text_update", required=False)
        insert = message.get("insert", "")
        if not isinstance(insert, str):
            raise _BadMessage(
                f'"insert" of a text_update must be a string, not {_json_type(insert)}.'
            )
        self._check_position(position)
        if position + delete > len(self.text):
            raise _BadMessage(
                f"Deleting {delete} characters at position {position} runs past the end "
                f"of the document (length {len(self.text)})."
            )
        new_length = len(self.text) - delete + len(insert)
        if new_length > MAX_DOCUMENT_CHARS:
            raise _BadMessage(
                f"The document would grow to {new_length} characters; "
                f"a room holds at most {MAX_DOCUMENT_CHARS}."
            )
        self.text = self.text[:position] + insert + self.text[position + delete :]
        self.version += 1
        self.send_to_all(
            {
                "type": "text_update",
                "position": position,
                "insert": insert,
                "delete": delete,
                "user": sender.user,
                "version": self.version,
                "length": len(self.text),
            },
            but=sender,
        )

    def _cursor_move(self, sender: Member, message: dict[str, object]) -> None:
        position = _whole(message, "position", "cursor_move", required=True)
        self._check_position(position)
        self.send_to_all(
            {
                "type": "cursor_move",
                "position": position,
                "user": sender.user,
                "version": self.version,
            },
            but=sender,
        )

    def _check_position(self, position: int) -> None:
        if not 0 <= position <= len(self.text):
            raise _BadMessage(
                f"Position {position} is outside the document: "
                f"use 0 to {len(self.text)} (its length)."
            )


def _decode(data: str | bytes) -> dict[str, object]:
    if isinstance(data, bytes):
        raise _BadMessage("Room messages are JSON text; this one was a binary message.")
    try:
        message = json.loads(data)
    except json.JSONDecodeError as exc:
        raise _BadMessage(f"The message is not valid JSON: {exc}.") from None
    if not isinstance(message, dict):
        raise _BadMessage('The message must be a JSON object with a "type" field.')
    return message


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _whole(message: dict[str, object], name: str, kind: str, *, required: bool) -> int:
    if name not in message:
        if required:
            raise _BadMessage(f'A {kind} needs "{name}", a whole number.')
        return 0
    value = message[name]
    # bool is an int in Python but not in JSON.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _BadMessage(f'"{name}" of a {kind} must be a whole number, not {_json_type(value)}.')
    if value < 0:
        raise _BadMessage(f'"{name}" of a {kind} must not be negative (got {value}).')
    return value


class Rooms:
    """Every room of one server by name; a room is forgotten when its last member leaves."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}
        self._numbers = itertools.count(1)

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    def join(self, name: str, user: str | None, connection: ServerConnection) -> Member:
        """Add a member (a fresh `user-<n>` name when `user` is None) and tell everyone."""
        room = self._rooms.get(name) or Room(name)
        if user is None:
            user = next(
                candidate
                for candidate in (f"user-{n}" for n in self._numbers)
                if not room.has_user(candidate)
            )
        elif room.has_user(user):
            raise UserTakenError(name, user)
        self._rooms[name] = room
        member = Member(user, connection, room)
        room.members.append(member)
        room.send_to_all(
            {
                "type": "user_joined",
                "room": name,
                "user": user,
                "users": room.users(),
                "text": room.text,
                "version": room.version,
            }
        )
        return member

    def leave(self, member: Member) -> None:
        room = member.room
        room.members.remove(member)
        if not room.members:
            del self._rooms[room.name]
            return
        room.send_to_all(
            {"type": "user_left", "room": room.name, "user": member.user, "users": room.users()}
        )


async def room_session(
    connection: ServerConnection, *, rooms: Rooms, name: str, user: str | None
) -> None:
    """Join room `name`, relay this member's messages until it leaves, then leave."""
    try:
        member = rooms.join(name, user, connection)
    except UserTakenError:
        # The handshake refuses a taken name with 409; this is a join that raced another.
        await connection.close(CloseCode.POLICY_VIOLATION, "user name taken")
        return
    try:
        async for data in connection:
            error = member.room.handle(member, data)
            if error is not None:
                await connection.send(error)
    finally:
        rooms.leave(member)
