"""The items and playlists APIs: CRUD, paging, validation and bearer auth."""

from __future__ import annotations

import httpx

from mock_servers.rest import DEMO_TOKEN

BEARER = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def test_items_list_pages_with_links(client: httpx.Client) -> None:
    first = client.get("/api/items", params={"page": 1, "per_page": 2})
    assert first.status_code == 200
    data = first.json()
    assert (data["page"], data["per_page"]) == (1, 2)
    assert data["total"] >= 5
    assert len(data["items"]) == 2
    assert data["prev"] is None
    assert 'rel="next"' in first.headers["link"]

    second = client.get(data["next"]).json()
    assert second["page"] == 2
    assert second["prev"] is not None
    assert {i["id"] for i in second["items"]}.isdisjoint(i["id"] for i in data["items"])


def test_items_list_defaults_to_ten_per_page(client: httpx.Client) -> None:
    data = client.get("/api/items").json()
    assert (data["page"], data["per_page"]) == (1, 10)
    assert len(data["items"]) == min(10, data["total"])


def test_item_crud_round_trip(client: httpx.Client) -> None:
    created = client.post(
        "/api/items", json={"name": "Milk jug", "price": 12.5, "tags": ["milk"], "in_stock": True}
    )
    assert created.status_code == 201
    item = created.json()
    assert isinstance(item["id"], int)
    assert created.headers["location"].endswith(f"/api/items/{item['id']}")
    assert client.get(created.headers["location"]).json() == item

    replaced = client.put(f"/api/items/{item['id']}", json={"name": "Steel jug"}).json()
    assert replaced == {
        "id": item["id"],
        "name": "Steel jug",
        "price": 0.0,
        "tags": [],
        "in_stock": True,
    }

    patched = client.patch(f"/api/items/{item['id']}", json={"price": 3, "in_stock": False})
    assert patched.json() | {"price": 3.0} == replaced | {"price": 3.0, "in_stock": False}

    deleted = client.delete(f"/api/items/{item['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = client.get(f"/api/items/{item['id']}")
    assert missing.status_code == 404
    assert "not found" in missing.json()["detail"]


def test_item_validation_errors_are_422(client: httpx.Client) -> None:
    for body in ({}, {"name": ""}, {"name": "x" * 101}, {"name": "ok", "price": -1}):
        response = client.post("/api/items", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert client.patch("/api/items/1", json={"name": None}).status_code == 422
    assert client.get("/api/items", params={"per_page": 0}).status_code == 422


def test_playlists_need_a_bearer_token(client: httpx.Client) -> None:
    missing = client.get("/api/v1/playlists")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "Missing bearer token" in missing.json()["detail"]

    wrong = client.get("/api/v1/playlists", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "Invalid bearer token 'nope'" in wrong.json()["detail"]

    listed = client.get("/api/v1/playlists", headers=BEARER)
    assert listed.status_code == 200
    assert {"id": 1, "name": "Workout Mix", "songs": 12}.items() <= listed.json()["playlists"][
        0
    ].items()


def test_playlist_crud_round_trip(client: httpx.Client) -> None:
    created = client.post(
        "/api/v1/playlists", json={"name": "Sunday", "description": "Slow"}, headers=BEARER
    )
    assert created.status_code == 201
    playlist = created.json()
    url = f"/api/v1/playlists/{playlist['id']}"
    assert created.headers["location"].endswith(url)
    assert client.get(url, headers=BEARER).json() == playlist

    renamed = client.put(url, json={"name": "Sunday brunch"}, headers=BEARER).json()
    assert renamed["name"] == "Sunday brunch"
    assert renamed["description"] == ""

    assert client.delete(url, headers=BEARER).status_code == 204
    assert client.get(url, headers=BEARER).status_code == 404
    assert client.post("/api/v1/playlists", json={}, headers=BEARER).status_code == 422


def test_login_gives_the_playlists_token(client: httpx.Client) -> None:
    answer = client.post("/api/v1/login", json={"username": "demo", "password": "demo-password"})
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    listed = client.get("/api/v1/playlists", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


def test_login_with_wrong_password_says_the_demo_credentials(client: httpx.Client) -> None:
    answer = client.post("/api/v1/login", json={"username": "demo", "password": "nope"})
    assert answer.status_code == 401
    assert "'demo-password'" in answer.json()["detail"]
