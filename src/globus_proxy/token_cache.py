"""Refreshed access tokens, kept so that a stale pair costs one refresh, once.

Callers (Tapis Files) send the same token pair for months. After the access token expires,
the first operation gets a 401, refreshes once and retries; the working token is kept here,
keyed by sha256(refresh token), so later operations with the same stale pair go straight
through. `TokenCache` is what the gateway needs; `MemoryTokenCache` keeps the tokens in this
process, and `shared_tokens.SharedTokenCache` adds a store shared by replicas through the
hooks marked below. Nothing here is ever written to disk or logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from globus_proxy.lru import LRU

# A token this close to its expiry is treated as expired: it could die in flight.
EXPIRY_MARGIN_SECONDS = 30.0

T = TypeVar("T")


class RefreshRejected(Exception):
    """Globus Auth refused the refresh token: the caller must log in again."""


class RefreshUnavailable(Exception):
    """No working access token in time: the refresh that this caller waited on (here or on
    another replica) failed or outlasted the caller's deadline."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "failed")
        self.timed_out = timed_out


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
        self, client_id: str, refresh_token: str, failed_access_token: str, wait_seconds: float
    ) -> str:
        """A working access token after `failed_access_token` was rejected, within
        `wait_seconds`; raises RefreshRejected when Globus Auth refuses the refresh token."""
        ...


@dataclass(frozen=True)
class CachedToken:
    access_token: str
    expires_at: float  # epoch seconds

    def usable(self) -> bool:
        return self.expires_at - EXPIRY_MARGIN_SECONDS > time.time()

    def replaces(self, failed_access_token: str) -> bool:
        """Worth trying instead of a token Globus just rejected."""
        return self.access_token != failed_access_token and self.usable()


def cache_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class FlightTimeout(Exception):
    """A caller gave up waiting for the flight it joined."""


class SingleFlight(Generic[T]):
    """One run of the work per key at a time; callers arriving meanwhile wait for that run
    and share its outcome, result or exception, instead of starting their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, Future[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def run(self, key: str, work: Callable[[], T], wait_seconds: float) -> T:
        """`work()`'s outcome; a caller that joins waits at most `wait_seconds` (FlightTimeout)."""
        with self._lock:
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not leading:
            try:
                return flight.result(timeout=max(wait_seconds, 0.0))
            except TimeoutError:
                raise FlightTimeout() from None
        try:
            result = work()
        except BaseException as err:
            flight.set_exception(err)
            raise
        else:
            flight.set_result(result)
            return result
        finally:
            # Removed only once the outcome is set: a caller arriving in between shares it.
            with self._lock:
                del self._flights[key]


class MemoryTokenCache:
    """A TokenCache in this process: a bounded LRU, single-flight refresh per refresh token.

    The `_`-methods are where a store shared by replicas plugs in (SharedTokenCache).
    """

    def __init__(self, size: int, refresher: Refresher) -> None:
        self._entries: LRU[str, CachedToken] = LRU(size)
        self._refresher = refresher
        self._flights: SingleFlight[str] = SingleFlight()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, refresh_token: str) -> CachedToken | None:
        """The entry this process holds (never the shared store's)."""
        return self._entries.get(cache_key(refresh_token), CachedToken.usable)

    def access_token_for(self, refresh_token: str, caller_access_token: str) -> str:
        entry = self._known(cache_key(refresh_token))
        return entry.access_token if entry is not None else caller_access_token

    def put(self, refresh_token: str, access_token: str, expires_at: float) -> None:
        self._store(cache_key(refresh_token), CachedToken(access_token, expires_at))

    def refresh_after_failure(
        self, client_id: str, refresh_token: str, failed_access_token: str, wait_seconds: float
    ) -> str:
        """Concurrent callers with the same refresh token wait for the first one's refresh
        and share its outcome, a token or a failure, instead of refreshing again."""
        key = cache_key(refresh_token)
        local = self._entries.get(key, CachedToken.usable)
        if local is not None and local.replaces(failed_access_token):
            return local.access_token

        def refresh() -> str:
            newer = self._newer(key, failed_access_token)
            if newer is not None:  # a flight that just ended, here or elsewhere, left one
                return newer.access_token
            try:
                entry = self._refresh(
                    client_id, refresh_token, key, failed_access_token, wait_seconds
                )
            except RefreshRejected:
                self._drop(key)
                raise
            self._entries.put(key, entry)
            return entry.access_token

        try:
            return self._flights.run(key, refresh, wait_seconds)
        except FlightTimeout:
            raise RefreshUnavailable(timed_out=True) from None

    # --- hooks for a shared store ---------------------------------------------------------
    def _known(self, key: str) -> CachedToken | None:
        """The best live token known for the key."""
        return self._entries.get(key, CachedToken.usable)

    def _newer(self, key: str, failed_access_token: str) -> CachedToken | None:
        """A live token other than the one that just failed, if one is known."""
        entry = self._entries.get(key, CachedToken.usable)
        return entry if entry is not None and entry.replaces(failed_access_token) else None

    def _store(self, key: str, entry: CachedToken) -> None:
        self._entries.put(key, entry)

    def _drop(self, key: str) -> None:
        self._entries.pop(key)

    def _refresh(
        self,
        client_id: str,
        refresh_token: str,
        key: str,
        failed_access_token: str,
        wait_seconds: float,
    ) -> CachedToken:
        """One refresh at Globus Auth; the caller stores the result."""
        access_token, expires_at = self._refresher(client_id, refresh_token)
        return CachedToken(access_token, expires_at)
