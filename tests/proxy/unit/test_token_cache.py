"""The token cache: single-flight refresh, reuse, LRU bound, drop on rejection."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from globus_proxy.token_cache import MemoryTokenCache, RefreshRejected


class FakeAuth:
    def __init__(self, reject: bool = False) -> None:
        self.calls = 0
        self.reject = reject
        self.lock = threading.Lock()
        self.gate = threading.Event()

    def __call__(self, client_id: str, refresh_token: str) -> tuple[str, float]:
        with self.lock:
            self.calls += 1
            n = self.calls
        self.gate.wait(5)  # hold the first refresh so the others pile up behind it
        if self.reject:
            raise RefreshRejected()
        return f"fresh-{n}", time.time() + 3600


def test_sixteen_concurrent_failures_cause_one_refresh() -> None:
    auth = FakeAuth()
    cache = MemoryTokenCache(10, auth)
    with ThreadPoolExecutor(16) as pool:
        futures = [
            pool.submit(cache.refresh_after_failure, "c", "refresh", "stale") for _ in range(16)
        ]
        auth.gate.set()
        results = {f.result(timeout=10) for f in futures}
    assert results == {"fresh-1"}
    assert auth.calls == 1
    assert cache.access_token_for("refresh", "stale") == "fresh-1"


def test_failure_of_the_cached_token_refreshes_again() -> None:
    auth = FakeAuth()
    auth.gate.set()
    cache = MemoryTokenCache(10, auth)
    first = cache.refresh_after_failure("c", "refresh", "stale")
    second = cache.refresh_after_failure("c", "refresh", first)
    assert (first, second, auth.calls) == ("fresh-1", "fresh-2", 2)


def test_rejected_refresh_drops_the_entry() -> None:
    auth = FakeAuth()
    auth.gate.set()
    cache = MemoryTokenCache(10, auth)
    cache.put("refresh", "cached", time.time() + 3600)
    auth.reject = True
    with pytest.raises(RefreshRejected):
        cache.refresh_after_failure("c", "refresh", "cached")
    assert cache.get("refresh") is None


def test_bounded_lru() -> None:
    cache = MemoryTokenCache(2, FakeAuth())
    for name in ("a", "b", "c"):
        cache.put(name, f"tok-{name}", time.time() + 3600)
    assert len(cache) == 2
    assert cache.get("a") is None
    assert cache.get("c") is not None


def test_expired_entries_are_not_used() -> None:
    cache = MemoryTokenCache(2, FakeAuth())
    cache.put("r", "old", time.time() + 5)  # inside the expiry margin
    assert cache.access_token_for("r", "callers") == "callers"
