"""Three `globus-proxy serve` replicas behind haproxy, sharing one Redis, one emulator and
one session key, act as one service: one refresh, one task, no failed request while they
restart one by one or while Redis is down, and nothing readable in Redis."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import (
    API_PREFIX,
    TOKEN_CALL,
    CallCounter,
    EmulatedGlobus,
    ProxyClient,
    Tokens,
    encoded_segment,
    token_metadata,
)
from tests.proxy.support import transfer_request as body
from tests.replicas.support import Load, Stack, loads, replica_stack, wait_for

WORLD_TOKEN_LIFETIME_SECONDS = 7200  # the default world's
SUBMIT_CALL = r"^POST /v0\.10/transfer$"
REDIS_DOWN = "Redis (GLOBUS_PROXY_REDIS_URL) failed"
REDIS_BACK = "Redis (GLOBUS_PROXY_REDIS_URL) answers again"


@pytest.fixture(scope="module")
def stack(emulator_subprocess: EmulatedGlobus, replica_logs: Path) -> Iterator[Stack]:
    with replica_stack(emulator_subprocess, replica_logs) as running:
        yield running


@pytest.fixture
def calls(stack: Stack) -> CallCounter:
    return CallCounter(stack.globus)


@pytest.fixture
def front(stack: Stack) -> ProxyClient:
    """A client of the service as callers see it: through haproxy."""
    return stack.through_haproxy()


def stale_pair(client: ProxyClient) -> Tokens:
    tokens = client.login()
    assert client.globus.expire(tokens.access_token) == 1
    return tokens


def sixteen_stale_listings(front: ProxyClient, tokens: Tokens) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: front.ls(DEFAULT_SOURCE_ID, "/data1", tokens), range(16)))
    assert [a.status_code for a in answers] == [200] * 16, [a.text for a in answers]
    front.known_secrets.update(a.json()["metadata"]["access_token"] for a in answers)
    return answers


def test_a_stale_pair_sent_to_three_replicas_at_once_refreshes_once(
    stack: Stack, front: ProxyClient, calls: CallCounter
) -> None:
    tokens = stale_pair(front)
    served_before = stack.haproxy.requests_served()
    calls.start()
    answers = sixteen_stale_listings(front, tokens)
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()
    assert len({a.json()["metadata"]["access_token"] for a in answers}) == 1
    served = stack.haproxy.requests_served()
    assert all(served[name] - served_before[name] >= 5 for name in served), served


def test_a_token_refreshed_by_one_replica_serves_the_others(
    stack: Stack, calls: CallCounter
) -> None:
    first, second, third = (stack.direct(n) for n in range(3))
    tokens = stale_pair(first)
    refreshed = first.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert refreshed.status_code == 200, refreshed.text
    working = refreshed.json()["metadata"]["access_token"]
    first.known_secrets.add(working)
    calls.start()
    for other in (second, third):
        answer = other.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
        assert answer.status_code == 200, answer.text
        assert answer.json()["metadata"]["access_token"] == working
    # No refresh and no rejected call: each went straight through with the shared token.
    assert calls.total() == 2, calls.by_route()


def test_a_login_begun_on_one_replica_finishes_on_another(stack: Stack) -> None:
    beginning, finishing, using = (stack.direct(n) for n in range(3))
    url, session_id = beginning.start_login()
    code = beginning.log_in_at_globus(url)
    answer = finishing.exchange(session_id, code)
    assert answer.status_code == 200, answer.text
    pair = answer.json()["result"]
    listing = using.ls(DEFAULT_SOURCE_ID, "/data1", Tokens(**pair))
    assert listing.status_code == 200, listing.text
    assert token_metadata(listing) == {}  # the pair works as it is: nothing refreshed


def lose_then_retry_elsewhere(stack: Stack, calls: CallCounter, destination: str) -> None:
    """A transfer whose answer is lost on replica 0, sent again through replica 1."""
    first, second = stack.direct(0), stack.direct(1)
    tokens = first.login()
    doc = body("/data1/1M.dat", destination)
    stack.globus.fault(match="/v0.10/transfer", lose_answer=True)
    calls.start()
    lost = first.transfer(tokens, doc)
    assert lost.status_code == 504, lost.text
    retried = second.transfer(tokens, doc)
    assert retried.status_code == 200, retried.text
    result = retried.json()["result"]
    assert result["code"] == "Duplicate", result
    assert calls.matching(SUBMIT_CALL) == 2, calls.by_route()
    assert calls.matching(r"^GET /v0\.10/submission_id$") == 1, calls.by_route()


def test_a_lost_answer_on_one_replica_retried_on_another_is_one_task(
    stack: Stack, calls: CallCounter
) -> None:
    lose_then_retry_elsewhere(stack, calls, "/replicas/lost-answer/1M.dat")


def poller(root: str, tokens: Tokens, task_id: str) -> Load:
    """getTransferTask every 20 ms, as Tapis Files polls."""
    url = f"{root}{API_PREFIX}/transfers/{DEFAULT_CLIENT_ID}/{task_id}"
    return Load("poller", lambda http: http.get(url, params=tokens.query()), 0.02)


def lister(root: str, tokens: Tokens) -> Load:
    path = encoded_segment("/data1")
    url = f"{root}{API_PREFIX}/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{path}"
    return Load("lister", lambda http: http.get(url, params=tokens.query()), 0.0)


def deleter(root: str, tokens: Tokens) -> Load:
    """deletePath submissions: each looks for a lost submission in Redis first."""
    path = encoded_segment("/replicas/never-there")
    url = f"{root}{API_PREFIX}/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_DESTINATION_ID}/{path}"
    return Load("deleter", lambda http: http.delete(url, params=tokens.query()), 0.05)


def submitted_task(front: ProxyClient, tokens: Tokens) -> str:
    answer = front.transfer(tokens, body("/data1/1M.dat", "/replicas/polled/1M.dat"))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["result"]["task_id"])


def no_failures(*done: Load) -> dict[str, Any]:
    return {load.name: load.failures[:5] for load in done if load.failures}


@pytest.mark.slow
def test_a_rolling_restart_fails_no_request(stack: Stack, front: ProxyClient) -> None:
    tokens = front.login()
    task_id = submitted_task(front, tokens)
    root = stack.haproxy.url
    with loads(poller(root, tokens, task_id), lister(root, tokens)) as running:
        codes = stack.rolling_restart()
    assert codes == [0, 0, 0]
    assert no_failures(*running) == {}
    assert all(load.sent > 20 for load in running), [(x.name, x.sent) for x in running]


@pytest.mark.slow
def test_redis_killed_mid_run_fails_no_request_and_is_used_again_once_back(
    stack: Stack, front: ProxyClient, calls: CallCounter
) -> None:
    tokens = front.login()
    task_id = submitted_task(front, tokens)
    root = stack.haproxy.url
    with loads(
        poller(root, tokens, task_id), lister(root, tokens), deleter(root, tokens)
    ) as running:
        stack.redis.kill()
        wait_for(lambda: all(REDIS_DOWN in stack.log_of(n) for n in range(3)), "the fallback")
        # A login and a stale pair while Redis is down: each replica on its own memory.
        sixteen_stale_listings(front, stale_pair(front))
        stack.redis.start()
        wait_for(lambda: all(REDIS_BACK in stack.log_of(n) for n in range(3)), "Redis again")
    assert no_failures(*running) == {}
    for n in range(3):
        assert stack.log_of(n).count(REDIS_DOWN) == 1, "the outage is logged once per replica"
        counted = stack.direct(n).metrics()
        assert counted[("globus_proxy_redis_fallbacks_total", ())] >= 1, "the outage is counted"
        assert counted[("globus_proxy_redis_available", ())] == 1.0, "and Redis is used again"
    # Shared again: a new stale pair over the three replicas costs one refresh in all.
    tokens = stale_pair(front)
    calls.start()
    sixteen_stale_listings(front, tokens)
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()


def test_redis_holds_no_token_and_nothing_outlives_its_token(
    stack: Stack, front: ProxyClient
) -> None:
    """Everything that goes to Redis (a login, a shared refresh, a lost submission), then
    every key and value read back: no secret of any client, not even as a plain hash."""
    sixteen_stale_listings(front, stale_pair(front))
    lose_then_retry_elsewhere(stack, CallCounter(stack.globus), "/replicas/sealed/1M.dat")
    secrets = {s for client in stack.clients for s in client.known_secrets}
    assert len(secrets) > 10
    forms = {s.encode() for s in secrets} | {
        hashlib.sha256(s.encode()).hexdigest().encode() for s in secrets
    }
    with stack.redis.client() as redis:
        names = list(redis.scan_iter(count=1000))
        assert names, "nothing was shared"
        for name in names:
            value = redis.get(name)
            assert value is not None
            for secret in forms:
                assert secret not in name and secret not in value
            ttl = redis.ttl(name)
            assert 0 < ttl <= WORLD_TOKEN_LIFETIME_SECONDS, (name, ttl)
