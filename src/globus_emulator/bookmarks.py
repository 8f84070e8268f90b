"""Each identity's collection bookmarks, in memory: names unique per identity, at most
:data:`MAX_BOOKMARKS` each. Routes (``transfer/bookmarks.py``) check what requests carry."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

MAX_BOOKMARKS = 100


class BookmarkClash(ValueError):
    """A name already in use, or one bookmark too many; the text says which."""


@dataclass(frozen=True)
class Bookmark:
    id: str
    name: str
    endpoint_id: str
    path: str
    pinned: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "bookmark",
            "id": self.id,
            "name": self.name,
            "endpoint_id": self.endpoint_id,
            "path": self.path,
            "pinned": self.pinned,
        }


@dataclass
class BookmarkStore:
    """Bookmarks by owner identity, then by id."""

    _by_owner: dict[str, dict[str, Bookmark]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def owned_by(self, owner_id: str) -> list[Bookmark]:
        with self._lock:
            return list(self._by_owner.get(owner_id, {}).values())

    def get(self, owner_id: str, bookmark_id: str) -> Bookmark | None:
        with self._lock:
            return self._by_owner.get(owner_id, {}).get(bookmark_id)

    def _check_name(self, mine: dict[str, Bookmark], name: str, bookmark_id: str) -> None:
        if any(b.name == name and b.id != bookmark_id for b in mine.values()):
            raise BookmarkClash(f"A bookmark named '{name}' already exists")

    def create(
        self, owner_id: str, name: str, endpoint_id: str, path: str, pinned: bool
    ) -> Bookmark:
        bookmark = Bookmark(str(uuid.uuid4()), name, endpoint_id, path, pinned)
        with self._lock:
            mine = self._by_owner.setdefault(owner_id, {})
            if len(mine) >= MAX_BOOKMARKS:
                raise BookmarkClash(f"You already have {MAX_BOOKMARKS} bookmarks, the most allowed")
            self._check_name(mine, name, bookmark.id)
            mine[bookmark.id] = bookmark
        return bookmark

    def update(self, owner_id: str, bookmark_id: str, **changes: Any) -> Bookmark | None:
        """The bookmark with ``changes`` (name, pinned) made; None if it is not the owner's."""
        with self._lock:
            mine = self._by_owner.get(owner_id, {})
            current = mine.get(bookmark_id)
            if current is None:
                return None
            if "name" in changes:
                self._check_name(mine, changes["name"], bookmark_id)
            mine[bookmark_id] = replace(current, **changes)
            return mine[bookmark_id]

    def delete(self, owner_id: str, bookmark_id: str) -> bool:
        with self._lock:
            return self._by_owner.get(owner_id, {}).pop(bookmark_id, None) is not None
