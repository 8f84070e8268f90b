"""Refreshed access tokens, kept in memory so a stale pair costs one refresh, once.

Callers (Tapis Files) send the same token pair for months. After the access token expires,
the first operation gets a 401, refreshes once and retries; the working token is kept here,
keyed by sha256(refresh token), so later operations with the same stale pair go straight
through. Nothing here is ever written to disk or logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# A token this close to its expiry is treated as expired: it could die in flight.
EXPIRY_MARGIN_SECONDS = 30.0
LOCK_STRIPES = 256


class RefreshRejected(Exception):
    """Globus Auth refused the refresh token: the caller must log in again."""


@dataclass(frozen=True)
class CachedToken:
    access_token: str
    expires_at: float  # epoch seconds

    def usable(self) -> bool:
        return self.expires_at - EXPIRY_MARGIN_SECONDS > time.time()


# (client_id, refresh_token) -> (access_token, expires_at epoch seconds); raises RefreshRejected.
Refresher = Callable[[str, str], tuple[str, float]]


def cache_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class TokenCache:
    """A bounded LRU of working access tokens with single-flight refresh per refresh token."""

    def __init__(self, size: int, refresher: Refresher) -> None:
        self._size = size
        self._refresher = refresher
        self._entries: OrderedDict[str, CachedToken] = OrderedDict()
        self._entries_lock = threading.Lock()
        # Striped locks: one refresh at a time per key, with a bounded number of locks.
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self.refreshes = 0  # how many refreshes reached Globus Auth; read by tests

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, refresh_token: str) -> CachedToken | None:
        key = cache_key(refresh_token)
        with self._entries_lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if not entry.usable():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def access_token_for(self, refresh_token: str, caller_access_token: str) -> str:
        """The token to try first: a cached one that still lives, else the caller's."""
        entry = self.get(refresh_token)
        return entry.access_token if entry is not None else caller_access_token

    def put(self, refresh_token: str, access_token: str, expires_at: float) -> None:
        key = cache_key(refresh_token)
        with self._entries_lock:
            self._entries[key] = CachedToken(access_token, expires_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def drop(self, refresh_token: str) -> None:
        with self._entries_lock:
            self._entries.pop(cache_key(refresh_token), None)

    def refresh_after_failure(
        self, client_id: str, refresh_token: str, failed_access_token: str
    ) -> str:
        """A working access token after `failed_access_token` was rejected.

        Concurrent callers with the same refresh token wait for the first one's refresh and
        reuse its result instead of refreshing again.
        """
        key = cache_key(refresh_token)
        with self._stripes[int(key[:8], 16) % LOCK_STRIPES]:
            entry = self.get(refresh_token)
            if entry is not None and entry.access_token != failed_access_token:
                return entry.access_token
            try:
                access_token, expires_at = self._refresher(client_id, refresh_token)
            except RefreshRejected:
                self.drop(refresh_token)
                raise
            self.put(refresh_token, access_token, expires_at)
            with self._entries_lock:
                self.refreshes += 1
            return access_token
