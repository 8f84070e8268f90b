"""The shared state against a real redis-server, in this process: sealing, the fallback when
Redis is gone, and the token cache of several "replicas" (caches sharing one Redis)."""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench.cluster import RedisServer
from bench.processes import free_port
from globus_proxy.shared_state import CALL_TIMEOUT_SECONDS, Sealer, SharedState, Unavailable
from globus_proxy.shared_tokens import LOCK, SharedTokenCache
from globus_proxy.submissions import LostSubmissions
from globus_proxy.token_cache import RefreshRejected, RefreshUnavailable, cache_key

KEY = bytes(range(32))
WAIT = 5.0


@pytest.fixture(scope="module")
def redis_server(replica_logs: Path) -> Iterator[RedisServer]:
    server = RedisServer(replica_logs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def shared(redis_server: RedisServer) -> Iterator[SharedState]:
    with redis_server.client() as client:
        client.flushdb()
    state = SharedState(redis_server.url, KEY)
    try:
        yield state
    finally:
        state.close()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeAuth:
    """A refresher that counts, and can be held, made to fail or to reject."""

    def __init__(self, outcome: Exception | None = None, hold: bool = False) -> None:
        self.calls = 0
        self.outcome = outcome
        self.gate = threading.Event()
        if not hold:
            self.gate.set()

    def __call__(self, client_id: str, refresh_token: str) -> tuple[str, float]:
        self.calls += 1
        self.gate.wait(WAIT)
        if self.outcome is not None:
            raise self.outcome
        return f"fresh-{self.calls}-{id(self)}", time.time() + 3600


def test_names_are_keyed_hashes_and_values_open_only_where_they_were_sealed() -> None:
    sealer = Sealer(KEY)
    name = sealer.name("access-token", cache_key("refresh-secret"))
    assert "refresh-secret" not in name and cache_key("refresh-secret") not in name
    sealed = sealer.seal(name, b"access-secret")
    assert b"access-secret" not in sealed
    assert sealer.open(name, sealed) == b"access-secret"
    assert sealer.open(sealer.name("access-token", "another key"), sealed) is None
    assert Sealer(bytes(32)).open(name, sealed) is None
    # The session-sealing key itself does not open it: the value key is derived from it.
    with pytest.raises(InvalidTag):
        AESGCM(KEY).decrypt(sealed[:12], sealed[12:], name.encode())


def test_a_dead_redis_is_skipped_logged_once_counted_and_used_again_when_back(
    replica_logs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    server = RedisServer(replica_logs, port=free_port())
    state = SharedState(server.url, KEY, clock=clock)
    name = state.name("kind", "key")
    caplog.set_level(logging.WARNING, "globus_proxy.shared_state")
    try:
        for _ in range(3):  # the first asks Redis; the two others do not wait for it
            with pytest.raises(Unavailable):
                state.get(name)
        assert state.fallbacks == 3 and not state.available
        clock.now += 2  # past the pause, the next call asks again; still down
        with pytest.raises(Unavailable):
            state.put(name, b"value", 60)
        server.start()
        with pytest.raises(Unavailable):
            state.get(name)  # still within the pause
        clock.now += 2
        state.put(name, b"value", 60)
        assert state.available and state.get(name) == b"value"
    finally:
        state.close()
        server.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed (ConnectionError)" in m for m in messages) == 1, messages
    assert sum("answers again: shared state" in m for m in messages) == 1, messages
    assert all(server.url not in m for m in messages)


def test_a_redis_that_does_not_answer_costs_one_short_timeout() -> None:
    """A server that takes the connection and never answers (Redis stopped, a network
    partition): the call gives up after the short timeout, then the replica stops asking."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        state = SharedState(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", KEY)
        try:
            started = time.monotonic()
            with pytest.raises(Unavailable):
                state.get(state.name("kind", "key"))
            assert time.monotonic() - started < 4 * CALL_TIMEOUT_SECONDS
            started = time.monotonic()
            with pytest.raises(Unavailable):
                state.get(state.name("kind", "key"))
            assert time.monotonic() - started < CALL_TIMEOUT_SECONDS / 10
        finally:
            state.close()


def test_three_replicas_refresh_a_stale_pair_once(shared: SharedState) -> None:
    auths = [FakeAuth(hold=True) for _ in range(3)]
    caches = [SharedTokenCache(10, auth, shared) for auth in auths]
    with ThreadPoolExecutor(12) as pool:
        futures = [
            pool.submit(cache.refresh_after_failure, "c", "refresh", "stale", WAIT)
            for cache in caches
            for _ in range(4)
        ]
        while sum(a.calls for a in auths) == 0:
            time.sleep(0.01)
        for auth in auths:
            auth.gate.set()
        tokens = {f.result(timeout=10) for f in futures}
    assert sum(a.calls for a in auths) == 1
    assert len(tokens) == 1
    # The others now find it at once, from Redis, without a failed call first.
    assert SharedTokenCache(10, FakeAuth(), shared).access_token_for("refresh", "stale") in tokens


@pytest.mark.parametrize(
    ("failure", "seen"),
    [(ConnectionError("Auth stalled"), RefreshUnavailable), (RefreshRejected(), RefreshRejected)],
)
def test_a_failed_refresh_is_shared_with_the_replicas_waiting_on_it(
    shared: SharedState, failure: Exception, seen: type[Exception]
) -> None:
    leader_auth, waiter_auth = FakeAuth(failure, hold=True), FakeAuth()
    leader = SharedTokenCache(10, leader_auth, shared)
    waiter = SharedTokenCache(10, waiter_auth, shared)
    with ThreadPoolExecutor(2) as pool:
        led = pool.submit(leader.refresh_after_failure, "c", "refresh", "stale", WAIT)
        while leader_auth.calls == 0:
            time.sleep(0.01)
        waited = pool.submit(waiter.refresh_after_failure, "c", "refresh", "stale", WAIT)
        time.sleep(0.1)  # the waiter sees the lock held before the outcome is published
        leader_auth.gate.set()
        assert isinstance(led.exception(timeout=10), type(failure))
        assert isinstance(waited.exception(timeout=10), seen)
    assert waiter_auth.calls == 0


def test_a_replica_that_died_holding_the_lock_blocks_the_others_only_until_it_expires(
    shared: SharedState,
) -> None:
    lock = shared.name(LOCK, cache_key("refresh"))
    assert shared.acquire(lock, b"a replica that died", 0.3) is not None
    auth = FakeAuth()
    started = time.monotonic()
    token = SharedTokenCache(10, auth, shared).refresh_after_failure("c", "refresh", "stale", WAIT)
    assert token.startswith("fresh-1")
    assert auth.calls == 1
    assert 0.2 < time.monotonic() - started < 2.0


def test_without_redis_the_cache_refreshes_on_its_own(replica_logs: Path) -> None:
    state = SharedState(f"redis://127.0.0.1:{free_port()}/0", KEY)
    auth = FakeAuth()
    cache = SharedTokenCache(10, auth, state)
    assert cache.refresh_after_failure("c", "refresh", "stale", WAIT).startswith("fresh-1")
    assert cache.access_token_for("refresh", "stale").startswith("fresh-1")
    assert state.fallbacks >= 1
    state.close()


def test_lost_submissions_are_shared_and_sealed(
    shared: SharedState, redis_server: RedisServer
) -> None:
    here, there = LostSubmissions(shared), LostSubmissions(shared)
    key = hashlib.sha256(b"caller and request").hexdigest()
    here.remember(key, "submission-1")
    assert there.recall(key) == "submission-1"
    with redis_server.client() as client:
        (name,) = client.keys("*")
        assert key.encode() not in name and b"submission-1" not in client.get(name)
        assert 0 < client.ttl(name) <= 600
    there.forget(key)
    assert here.recall(key) is None
