"""Refreshed access tokens, kept so that a stale pair costs one refresh, once.

Callers (Tapis Files) send the same token pair for months. After the access token expires,
the first operation gets a 401, refreshes once and retries; the working token is kept here,
keyed by sha256(refresh token), so later operations with the same stale pair go straight
through. `TokenCache` is what the gateway needs; `MemoryTokenCache` keeps the tokens in this
process, and a store shared by replicas would implement the same three methods. Nothing here
is ever written to disk or logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from globus_proxy.lru import LRU

# A token this close to its expiry is treated as expired: it could die in flight.
EXPIRY_MARGIN_SECONDS = 30.0
LOCK_STRIPES = 256


class RefreshRejected(Exception):
    """Globus Auth refused the refresh token: the caller must log in again."""


# (client_id, refresh_token) -> (access_token, expires_at epoch seconds); raises RefreshRejected.
Refresher = Callable[[str, str], tuple[str, float]]


class TokenCache(Protocol):
    """Working access tokens by refresh token, with one refresh at a time per refresh token."""

    def access_token_for(self, refresh_token: str, caller_access_token: str) -> str:
        """The token to try first: a cached one that still lives, else the caller's."""
        ...

    def put(self, refresh_token: str, access_token: str, expires_at: float) -> None:
        """Remember a working access token (expires_at: epoch seconds)."""
        ...

    def refresh_after_failure(
        self, client_id: str, refresh_token: str, failed_access_token: str
    ) -> str:
        """A working access token after `failed_access_token` was rejected; raises
        RefreshRejected when Globus Auth refuses the refresh token."""
        ...


@dataclass(frozen=True)
class CachedToken:
    access_token: str
    expires_at: float  # epoch seconds

    def usable(self) -> bool:
        return self.expires_at - EXPIRY_MARGIN_SECONDS > time.time()


def cache_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class MemoryTokenCache:
    """A TokenCache in this process: a bounded LRU, single-flight refresh per refresh token."""

    def __init__(self, size: int, refresher: Refresher) -> None:
        self._entries: LRU[str, CachedToken] = LRU(size)
        self._refresher = refresher
        # Striped locks: one refresh at a time per key, with a bounded number of locks.
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, refresh_token: str) -> CachedToken | None:
        return self._entries.get(cache_key(refresh_token), CachedToken.usable)

    def access_token_for(self, refresh_token: str, caller_access_token: str) -> str:
        entry = self.get(refresh_token)
        return entry.access_token if entry is not None else caller_access_token

    def put(self, refresh_token: str, access_token: str, expires_at: float) -> None:
        self._entries.put(cache_key(refresh_token), CachedToken(access_token, expires_at))

    def refresh_after_failure(
        self, client_id: str, refresh_token: str, failed_access_token: str
    ) -> str:
        """Concurrent callers with the same refresh token wait for the first one's refresh
        and reuse its result instead of refreshing again."""
        key = cache_key(refresh_token)
        with self._stripes[int(key[:8], 16) % LOCK_STRIPES]:
            entry = self._entries.get(key, CachedToken.usable)
            if entry is not None and entry.access_token != failed_access_token:
                return entry.access_token
            try:
                access_token, expires_at = self._refresher(client_id, refresh_token)
            except RefreshRejected:
                self._entries.pop(key)
                raise
            self._entries.put(key, CachedToken(access_token, expires_at))
            return access_token
