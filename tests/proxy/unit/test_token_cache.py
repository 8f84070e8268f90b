"""The token cache: single-flight refresh (its failures shared too), reuse, LRU bound, drop on
rejection."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from globus_proxy.token_cache import (
    FlightTimeout,
    MemoryTokenCache,
    RefreshRejected,
    RefreshUnavailable,
    SingleFlight,
)

WAIT = 10.0


class FakeAuth:
    def __init__(self, reject: bool = False, fail: Exception | None = None) -> None:
        self.calls = 0
        self.reject = reject
        self.fail = fail
        self.lock = threading.Lock()
        self.gate = threading.Event()

    def __call__(self, client_id: str, refresh_token: str) -> tuple[str, float]:
        with self.lock:
            self.calls += 1
            n = self.calls
        self.gate.wait(5)  # hold the first refresh so the others pile up behind it
        if self.reject:
            raise RefreshRejected()
        if self.fail is not None:
            raise self.fail
        return f"fresh-{n}", time.time() + 3600


def test_sixteen_concurrent_failures_cause_one_refresh() -> None:
    auth = FakeAuth()
    cache = MemoryTokenCache(10, auth)
    with ThreadPoolExecutor(16) as pool:
        futures = [
            pool.submit(cache.refresh_after_failure, "c", "refresh", "stale", WAIT)
            for _ in range(16)
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
    first = cache.refresh_after_failure("c", "refresh", "stale", WAIT)
    second = cache.refresh_after_failure("c", "refresh", first, WAIT)
    assert (first, second, auth.calls) == ("fresh-1", "fresh-2", 2)


def test_rejected_refresh_drops_the_entry() -> None:
    auth = FakeAuth()
    auth.gate.set()
    cache = MemoryTokenCache(10, auth)
    cache.put("refresh", "cached", time.time() + 3600)
    auth.reject = True
    with pytest.raises(RefreshRejected):
        cache.refresh_after_failure("c", "refresh", "cached", WAIT)
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


def test_a_failed_refresh_is_shared_by_every_waiting_caller() -> None:
    """Globus Auth failing (stalled, 5xx) costs one refresh, not one per waiting caller."""
    stalled = ConnectionError("Globus Auth stalled")
    auth = FakeAuth(fail=stalled)
    cache = MemoryTokenCache(10, auth)
    with ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(cache.refresh_after_failure, "c", "refresh", "stale", WAIT)
            for _ in range(8)
        ]
        time.sleep(0.2)  # let the seven others join the first one's flight
        auth.gate.set()
        errors = [f.exception(timeout=10) for f in futures]
    assert errors == [stalled] * 8
    assert auth.calls == 1
    # A failure is not remembered: the next caller refreshes again, and succeeds.
    auth.fail = None
    assert cache.refresh_after_failure("c", "refresh", "stale", WAIT) == "fresh-2"


def test_a_waiting_caller_gives_up_at_its_own_deadline() -> None:
    auth = FakeAuth()
    cache = MemoryTokenCache(10, auth)
    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(cache.refresh_after_failure, "c", "refresh", "stale", WAIT)
        while auth.calls == 0:
            time.sleep(0.01)
        with pytest.raises(RefreshUnavailable) as raised:
            cache.refresh_after_failure("c", "refresh", "stale", 0.05)
        assert raised.value.timed_out
        auth.gate.set()
        assert leader.result(timeout=10) == "fresh-1"
    assert auth.calls == 1


def test_single_flight_forgets_a_key_once_its_run_ends() -> None:
    flights: SingleFlight[int] = SingleFlight()
    assert flights.run("k", lambda: 1, 1.0) == 1
    with pytest.raises(KeyError):
        flights.run("k", lambda: {}["missing"], 1.0)
    assert len(flights) == 0
    assert flights.run("k", lambda: 2, 1.0) == 2


def test_single_flight_joiner_times_out_without_disturbing_the_run() -> None:
    flights: SingleFlight[str] = SingleFlight()
    gate = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(flights.run, "k", lambda: gate.wait(5) and "done", 5.0)
        while len(flights) == 0:
            time.sleep(0.01)
        with pytest.raises(FlightTimeout):
            flights.run("k", lambda: "never", 0.05)
        gate.set()
        assert first.result(timeout=10) == "done"
