"""The one bounded, thread-safe LRU map of the service.

The token cache, the Auth clients kept for refreshes and the data_access decisions all keep
their entries in one, so eviction and locking are written once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `size` entries; past that, the least recently used one is forgotten."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU holds at least one entry")
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, usable: Callable[[V], bool] | None = None) -> V | None:
        """The entry, now the most recently used; one that `usable` refuses is dropped.

        The check runs under the lock, so a fresh entry put meanwhile is never dropped.
        """
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                return None
            if usable is not None and not usable(value):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._entries.pop(key, None)
