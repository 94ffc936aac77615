"""The last few of something costly to get again (a loaded WSDL, a schema, a catalog)."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class RecentItems(Generic[T]):
    """At most ``capacity`` values by key; storing one makes it the newest, and the
    oldest goes when there are too many."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: dict[str, T] = {}

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def put(self, key: str, value: T) -> None:
        self._items.pop(key, None)
        self._items[key] = value
        while len(self._items) > self._capacity:
            del self._items[next(iter(self._items))]

    def forget(self, key: str) -> None:
        self._items.pop(key, None)
