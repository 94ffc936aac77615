"""`/api/items`: a plain CRUD resource with paging, to try every verb of a REST API.

State lives in the router made by `create_items_router`, so each app starts fresh.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field

NameField = Annotated[str, Field(min_length=1, max_length=100)]
PriceField = Annotated[float, Field(ge=0)]


class ItemIn(BaseModel):
    """Body of POST and PUT: every field, since PUT replaces the whole item."""

    name: NameField
    price: PriceField = 0.0
    tags: list[str] = Field(default_factory=list)
    in_stock: bool = True


class ItemPatch(BaseModel):
    """Body of PATCH: only the fields to change."""

    name: NameField | None = None
    price: PriceField | None = None
    tags: list[str] | None = None
    in_stock: bool | None = None


class Item(ItemIn):
    id: int


class ItemPage(BaseModel):
    items: list[Item]
    page: int
    per_page: int
    total: int
    next: str | None
    prev: str | None


_SEED = [
    ItemIn(name="Espresso beans 1 kg", price=24.5, tags=["coffee", "beans"], in_stock=True),
    ItemIn(name="Pour-over kettle", price=39.0, tags=["coffee", "kettle"], in_stock=True),
    ItemIn(name="Ceramic mug", price=9.9, tags=["mug"], in_stock=False),
    ItemIn(name="Hand grinder", price=59.0, tags=["coffee", "grinder"], in_stock=True),
    ItemIn(name="Paper filters (100)", price=4.25, tags=["coffee", "filters"], in_stock=True),
]


def create_items_router() -> APIRouter:
    """Build the items routes around a fresh, seeded in-memory store."""
    router = APIRouter(prefix="/api/items", tags=["items"])
    items: dict[int, Item] = {}
    next_id = 1

    def add(data: ItemIn) -> Item:
        nonlocal next_id
        item = Item(id=next_id, **data.model_dump())
        items[next_id] = item
        next_id += 1
        return item

    def get_or_404(item_id: int) -> Item:
        if item_id not in items:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} not found.")
        return items[item_id]

    for seed in _SEED:
        add(seed)

    @router.get("")
    async def list_items(
        request: Request,
        response: Response,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> ItemPage:
        ordered = sorted(items.values(), key=lambda item: item.id)
        start = (page - 1) * per_page
        last_page = max(1, -(-len(ordered) // per_page))

        def page_url(number: int) -> str:
            return str(request.url.include_query_params(page=number, per_page=per_page))

        next_url = page_url(page + 1) if page < last_page else None
        prev_url = page_url(min(page, last_page + 1) - 1) if page > 1 else None
        links = {"first": page_url(1), "last": page_url(last_page)}
        links.update({rel: url for rel, url in (("next", next_url), ("prev", prev_url)) if url})
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
        return ItemPage(
            items=ordered[start : start + per_page],
            page=page,
            per_page=per_page,
            total=len(ordered),
            next=next_url,
            prev=prev_url,
        )

    @router.get("/{item_id}")
    async def read_item(item_id: int) -> Item:
        return get_or_404(item_id)

    @router.post("", status_code=status.HTTP_201_CREATED)
    async def create_item(data: ItemIn, request: Request, response: Response) -> Item:
        item = add(data)
        response.headers["Location"] = str(request.url_for("read_item", item_id=item.id))
        return item

    @router.put("/{item_id}")
    async def replace_item(item_id: int, data: ItemIn) -> Item:
        get_or_404(item_id)
        items[item_id] = Item(id=item_id, **data.model_dump())
        return items[item_id]

    @router.patch("/{item_id}")
    async def update_item(item_id: int, data: ItemPatch) -> Item:
        item = get_or_404(item_id)
        changes = data.model_dump(exclude_unset=True)
        # An explicit null for a required field would break the item; treat it as 422.
        nulls = sorted(name for name, value in changes.items() if value is None)
        if nulls:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"Fields cannot be null: {', '.join(nulls)}."
            )
        items[item_id] = item.model_copy(update=changes)
        return items[item_id]

    @router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_item(item_id: int) -> Response:
        get_or_404(item_id)
        del items[item_id]
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
