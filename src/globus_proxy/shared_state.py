"""State shared by the replicas, in Redis: sealed values under hashed names, every call short.

Used when GLOBUS_PROXY_REDIS_URL is set, by the token cache (shared_tokens) and the record of
lost submissions (submissions). A person who reads Redis learns no token:
- names are `globus-proxy:v1:<kind>:<HMAC-SHA256 of the key>`, never a token or a plain hash;
- values are AES-GCM sealed, with the name as associated data (a value moved to another
  name does not open);
- every value has a TTL, chosen by the caller (no longer than what it holds lives).
Both keys are derived from GLOBUS_PROXY_SESSION_KEY with HKDF under info strings of their
own, so neither is the key that seals login sessions.

Redis down or slow never fails a request: each call has a short timeout, and a failed call
raises `Unavailable` for the caller to fall back to this process's memory. After a failure
the replica does not ask Redis again for `RETRY_AFTER_SECONDS` (requests do not each wait
out a timeout), then tries again; the outage and the recovery are logged once each, and
`fallbacks` counts the calls answered without Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger("globus_proxy.shared_state")

T = TypeVar("T")

CALL_TIMEOUT_SECONDS = 0.25
RETRY_AFTER_SECONDS = 1.0
PREFIX = "globus-proxy:v1"
NONCE_BYTES = 12
VALUE_KEY_INFO = b"globus-proxy shared state: sealing values v1"
NAME_KEY_INFO = b"globus-proxy shared state: naming keys v1"
# Deletes a lock only if it still holds the value its owner stored.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Unavailable(Exception):
    """Redis did not answer (or failed a moment ago): use this process's memory instead."""


def derive_key(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class Sealer:
    """Names and seals what goes to the shared store, with keys derived from the session key."""

    def __init__(self, session_key: bytes) -> None:
        self._aead = AESGCM(derive_key(session_key, VALUE_KEY_INFO))
        self._name_key = derive_key(session_key, NAME_KEY_INFO)

    def name(self, kind: str, key: str) -> str:
        mac = hmac.new(self._name_key, f"{kind}\0{key}".encode(), hashlib.sha256).hexdigest()
        return f"{PREFIX}:{kind}:{mac}"

    def seal(self, name: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, name.encode())

    def open(self, name: str, sealed: bytes) -> bytes | None:
        """The plaintext, or None for a value that was not sealed under this name and key."""
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], name.encode())
        except (InvalidTag, ValueError):
            return None


class SharedState:
    """Sealed values in Redis; every method raises `Unavailable` rather than wait or fail."""

    def __init__(
        self,
        url: str,
        session_key: bytes,
        timeout_seconds: float = CALL_TIMEOUT_SECONDS,
        retry_after_seconds: float = RETRY_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 0),
        )
        self._release = self._redis.register_script(RELEASE_SCRIPT)
        self._sealer = Sealer(session_key)
        self._retry_after = retry_after_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_until: float | None = None  # None: Redis answered last time
        self.fallbacks = 0

    def close(self) -> None:
        self._redis.close()

    @property
    def available(self) -> bool:
        return self._down_until is None

    def name(self, kind: str, key: str) -> str:
        return self._sealer.name(kind, key)

    def get(self, name: str) -> bytes | None:
        (value,) = self.get_many([name])
        return value

    def get_many(self, names: list[str]) -> list[bytes | None]:
        """The opened values (None where absent or not ours), in one round trip."""
        found: list[Any] = self._call(lambda r: r.mget(names))
        return [
            None if blob is None else self._sealer.open(name, blob)
            for name, blob in zip(names, found, strict=True)
        ]

    def put(self, name: str, value: bytes, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            return
        sealed = self._sealer.seal(name, value)
        self._call(lambda r: r.set(name, sealed, px=milliseconds(ttl_seconds)))

    def delete(self, name: str) -> None:
        self._call(lambda r: r.delete(name))

    def acquire(self, name: str, owner: bytes, ttl_seconds: float) -> bytes | None:
        """A lock that expires by itself: the stored value if this caller got it, else None."""
        sealed = self._sealer.seal(name, owner)
        got = self._call(lambda r: r.set(name, sealed, px=milliseconds(ttl_seconds), nx=True))
        return sealed if got else None

    def release(self, name: str, stored: bytes) -> None:
        """Deletes the lock unless it expired and someone else holds it now."""
        self._call(lambda r: self._release(keys=[name], args=[stored], client=r))

    def _call(self, operation: Callable[[redis.Redis], T]) -> T:
        down_until = self._down_until
        if down_until is not None and self._clock() < down_until:
            self._count_fallback()
            raise Unavailable()
        try:
            result = operation(self._redis)
        except redis.RedisError as err:
            self._went_down(err)
            raise Unavailable() from None
        if down_until is not None:
            self._came_back()
        return result

    def _count_fallback(self) -> None:
        with self._lock:
            self.fallbacks += 1

    def _went_down(self, err: Exception) -> None:
        with self._lock:
            self.fallbacks += 1
            first = self._down_until is None
            self._down_until = self._clock() + self._retry_after
        if first:
            # The URL may carry a password: name the setting, never its value.
            log.warning(
                "Redis (GLOBUS_PROXY_REDIS_URL) failed (%s): this replica uses its own memory "
                "until Redis answers again",
                type(err).__name__,
            )

    def _came_back(self) -> None:
        with self._lock:
            if self._down_until is None:
                return
            self._down_until = None
        log.warning("Redis (GLOBUS_PROXY_REDIS_URL) answers again: shared state in use")


def milliseconds(seconds: float) -> int:
    return max(1, int(seconds * 1000))
