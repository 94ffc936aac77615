"""`/api/v1/playlists`: a music service behind a bearer token, to practise auth headers.

Requests need `Authorization: Bearer demo-token`; the 401 answers say what was wrong,
as a real API would, so a person can fix the request from the response alone.
`POST /api/v1/login` hands out that token for the demo user, so a collection run can
log in first and carry the token into the calls after it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

DEMO_TOKEN = "demo-token"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"


class Login(BaseModel):
    username: str
    password: str


class LoginAnswer(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = 3600


class PlaylistIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Annotated[str, Field(max_length=1000)] = ""


class Playlist(PlaylistIn):
    id: int
    songs: int = 0


class PlaylistList(BaseModel):
    playlists: list[Playlist]


_SEED = [
    Playlist(id=1, name="Workout Mix", description="High tempo, no ballads.", songs=12),
    Playlist(id=2, name="Focus", description="Instrumental, for deep work.", songs=30),
    Playlist(id=3, name="Road Trip", description="Sing-along classics.", songs=21),
]


def _unauthorized(message: str, challenge: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": challenge}
    )


def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
    """Reject a request without the demo bearer token, naming what was wrong."""
    if not authorization:
        raise _unauthorized(
            f"Missing bearer token. Send the header 'Authorization: Bearer {DEMO_TOKEN}'.",
            'Bearer realm="playlists"',
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise _unauthorized(
            f"Wrong auth scheme {scheme!r}; this API wants 'Bearer {DEMO_TOKEN}'.",
            'Bearer realm="playlists"',
        )
    if token.strip() != DEMO_TOKEN:
        raise _unauthorized(
            f"Invalid bearer token {token.strip()!r}; the demo token is {DEMO_TOKEN!r}.",
            'Bearer realm="playlists", error="invalid_token"',
        )


def create_playlists_router() -> APIRouter:
    """Build the playlist routes around a fresh, seeded in-memory store."""
    router = APIRouter(
        prefix="/api/v1/playlists", tags=["playlists"], dependencies=[Depends(require_token)]
    )
    playlists = {playlist.id: playlist.model_copy() for playlist in _SEED}
    next_id = max(playlists) + 1

    def get_or_404(playlist_id: int) -> Playlist:
        if playlist_id not in playlists:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Playlist {playlist_id} not found.")
        return playlists[playlist_id]

    @router.get("")
    async def list_playlists() -> PlaylistList:
        return PlaylistList(playlists=sorted(playlists.values(), key=lambda p: p.id))

    @router.post("", status_code=status.HTTP_201_CREATED)
    async def create_playlist(data: PlaylistIn, request: Request, response: Response) -> Playlist:
        nonlocal next_id
        playlist = Playlist(id=next_id, **data.model_dump())
        playlists[next_id] = playlist
        next_id += 1
        response.headers["Location"] = str(
            request.url_for("read_playlist", playlist_id=playlist.id)
        )
        return playlist

    @router.get("/{playlist_id}")
    async def read_playlist(playlist_id: int) -> Playlist:
        return get_or_404(playlist_id)

    @router.put("/{playlist_id}")
    async def replace_playlist(playlist_id: int, data: PlaylistIn) -> Playlist:
        old = get_or_404(playlist_id)
        playlists[playlist_id] = Playlist(id=playlist_id, songs=old.songs, **data.model_dump())
        return playlists[playlist_id]

    @router.delete("/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_playlist(playlist_id: int) -> Response:
        get_or_404(playlist_id)
        del playlists[playlist_id]
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def create_login_router() -> APIRouter:
    """`POST /api/v1/login`: the demo user's credentials give the playlists' bearer token."""
    router = APIRouter(prefix="/api/v1", tags=["playlists"])

    @router.post("/login")
    async def login(credentials: Login) -> LoginAnswer:
        if (credentials.username, credentials.password) != (DEMO_USER, DEMO_PASSWORD):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                f"Wrong username or password; the demo user is {DEMO_USER!r} with password"
                f" {DEMO_PASSWORD!r}.",
            )
        return LoginAnswer(access_token=DEMO_TOKEN)

    return router
