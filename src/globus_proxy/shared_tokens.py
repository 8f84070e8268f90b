"""The token cache shared by replicas: an access token refreshed by one serves them all.

This process's MemoryTokenCache stays in front (a hit costs no network) and is what remains
when Redis fails. Behind it, in Redis (see shared_state for the sealing):
- the working access token of each refresh token, with a TTL of the token's remaining life;
- a lock per refresh token, taken by the replica that refreshes: the others wait for the
  token (or the failure) it publishes instead of refreshing too. The lock expires with the
  holder's deadline, so a replica that dies holding it blocks nobody for longer than that;
- the outcome of a failed refresh, briefly, so that the waiting replicas share the failure.
Within a replica, callers with the same pair already share one flight (MemoryTokenCache),
so only a flight's leader ever talks to the lock.
"""

from __future__ import annotations

import contextlib
import secrets
import time

import globus_sdk
import orjson

from globus_proxy.shared_state import SharedState, Unavailable
from globus_proxy.token_cache import (
    CachedToken,
    MemoryTokenCache,
    Refresher,
    RefreshRejected,
    RefreshUnavailable,
)

TOKEN = "access-token"
LOCK = "refresh-lock"
OUTCOME = "refresh-outcome"
# How often a replica waiting on another's refresh looks for its outcome.
POLL_SECONDS = 0.02
# How long a failed refresh's outcome stays readable by the replicas that waited on it.
OUTCOME_SECONDS = 5.0
MIN_LOCK_SECONDS = 1.0
REJECTED, TIMED_OUT, FAILED = b"rejected", b"timed-out", b"failed"


def encode(entry: CachedToken) -> bytes:
    return orjson.dumps({"access_token": entry.access_token, "expires_at": entry.expires_at})


def decode(value: bytes | None) -> CachedToken | None:
    if value is None:
        return None
    try:
        doc = orjson.loads(value)
        return CachedToken(str(doc["access_token"]), float(doc["expires_at"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def outcome_of(err: BaseException) -> bytes:
    if isinstance(err, RefreshRejected):
        return REJECTED
    if isinstance(err, globus_sdk.GlobusTimeoutError):
        return TIMED_OUT
    return FAILED


def raise_outcome(outcome: bytes) -> None:
    if outcome == REJECTED:
        raise RefreshRejected()
    raise RefreshUnavailable(timed_out=outcome == TIMED_OUT)


class SharedTokenCache(MemoryTokenCache):
    def __init__(self, size: int, refresher: Refresher, shared: SharedState) -> None:
        super().__init__(size, refresher)
        self._shared = shared

    def _known(self, key: str) -> CachedToken | None:
        return super()._known(key) or self._from_shared(key, failed_access_token=None)

    def _newer(self, key: str, failed_access_token: str) -> CachedToken | None:
        return super()._newer(key, failed_access_token) or self._from_shared(
            key, failed_access_token
        )

    def _store(self, key: str, entry: CachedToken) -> None:
        super()._store(key, entry)
        self._publish(key, entry)

    def _drop(self, key: str) -> None:
        super()._drop(key)
        with contextlib.suppress(Unavailable):
            self._shared.delete(self._shared.name(TOKEN, key))

    def _refresh(
        self,
        client_id: str,
        refresh_token: str,
        key: str,
        failed_access_token: str,
        wait_seconds: float,
    ) -> CachedToken:
        try:
            return self._refresh_once_among_replicas(
                client_id, refresh_token, key, failed_access_token, wait_seconds
            )
        except Unavailable:
            return super()._refresh(
                client_id, refresh_token, key, failed_access_token, wait_seconds
            )

    # ---------------------------------------------------------------------------------------
    def _from_shared(self, key: str, failed_access_token: str | None) -> CachedToken | None:
        try:
            entry = decode(self._shared.get(self._shared.name(TOKEN, key)))
        except Unavailable:
            return None
        if entry is None or not entry.replaces(failed_access_token or ""):
            return None
        super()._store(key, entry)
        return entry

    def _publish(self, key: str, entry: CachedToken) -> None:
        with contextlib.suppress(Unavailable):
            self._shared.put(
                self._shared.name(TOKEN, key), encode(entry), entry.expires_at - time.time()
            )

    def _refresh_once_among_replicas(
        self,
        client_id: str,
        refresh_token: str,
        key: str,
        failed_access_token: str,
        wait_seconds: float,
    ) -> CachedToken:
        """The token another replica publishes, or this replica's own refresh under the lock;
        raises Unavailable when Redis fails before this replica refreshed."""
        give_up = time.monotonic() + wait_seconds
        names = [self._shared.name(kind, key) for kind in (TOKEN, OUTCOME, LOCK)]
        flight = secrets.token_hex(16).encode()
        holder_seen: bytes | None = None
        while True:
            token, outcome, holder = self._shared.get_many(names)
            entry = decode(token)
            if entry is not None and entry.replaces(failed_access_token):
                super()._store(key, entry)
                return entry
            if outcome is not None and holder_seen is not None:
                outcome_flight, _, what = outcome.partition(b" ")
                if outcome_flight == holder_seen:
                    raise_outcome(what)
            if holder is None:
                lock_seconds = max(give_up - time.monotonic(), MIN_LOCK_SECONDS)
                stored = self._shared.acquire(names[2], flight, lock_seconds)
                if stored is not None:
                    return self._refresh_holding_lock(
                        client_id, refresh_token, key, failed_access_token, flight, stored
                    )
            else:
                holder_seen = holder
            if time.monotonic() >= give_up:
                raise RefreshUnavailable(timed_out=True)
            time.sleep(POLL_SECONDS)

    def _refresh_holding_lock(
        self,
        client_id: str,
        refresh_token: str,
        key: str,
        failed_access_token: str,
        flight: bytes,
        stored: bytes,
    ) -> CachedToken:
        token_name, outcome_name, lock_name = (
            self._shared.name(kind, key) for kind in (TOKEN, OUTCOME, LOCK)
        )
        try:
            # The lock may have been released by a replica that published just before.
            entry = decode(self._shared.get(token_name))
            if entry is not None and entry.replaces(failed_access_token):
                super()._store(key, entry)
                return entry
            try:
                access_token, expires_at = self._refresher(client_id, refresh_token)
            except Exception as err:
                with contextlib.suppress(Unavailable):
                    self._shared.put(outcome_name, flight + b" " + outcome_of(err), OUTCOME_SECONDS)
                raise
            entry = CachedToken(access_token, expires_at)
            self._publish(key, entry)
            return entry
        finally:
            with contextlib.suppress(Unavailable):
                self._shared.release(lock_name, stored)
