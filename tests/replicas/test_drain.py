"""SIGTERM on a real `globus-proxy serve`: drain, finish what is in flight, exit 0."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.cluster import Replica
from globus_emulator.world import DEFAULT_SOURCE_ID
from tests.proxy.support import EmulatedGlobus, ProxyClient
from tests.replicas.support import (
    DRAIN_SECONDS,
    SHUTDOWN_GRACE_SECONDS,
    single_replica,
    wait_for,
)

LS_CALL = f"GET /v0.10/operation/endpoint/{DEFAULT_SOURCE_ID}/ls"
SLOW_SECONDS = 2.0  # longer than the drain: the listing is still running when it ends
READY = "/v3/globus-proxy/ready"
HEALTH = "/v3/globus-proxy/healthcheck"


@pytest.fixture
def replica(emulator_subprocess: EmulatedGlobus, replica_logs: Path) -> Iterator[Replica]:
    with single_replica(emulator_subprocess, replica_logs) as running:
        yield running


def ls_calls(globus: EmulatedGlobus) -> int:
    return int(globus.stats()["calls"].get(LS_CALL, 0))


@pytest.mark.slow
def test_sigterm_drains_then_finishes_the_request_in_flight_and_exits_0(
    replica: Replica, emulator_subprocess: EmulatedGlobus
) -> None:
    globus = emulator_subprocess
    client = ProxyClient(root=replica.url, globus=globus)
    tokens = client.login()
    probe = httpx.Client(base_url=replica.url, timeout=5)
    assert probe.get(READY).status_code == 200
    globus.fault(match="/ls", delay_seconds=SLOW_SECONDS)
    before = ls_calls(globus)

    with ThreadPoolExecutor(1) as pool:
        listing = pool.submit(client.ls, DEFAULT_SOURCE_ID, "/data1", tokens)
        wait_for(lambda: ls_calls(globus) > before, "the listing to reach Globus")
        replica.terminate()
        terminated = time.monotonic()

        # Draining: not ready, still alive and serving, and telling clients to reconnect.
        wait_for(lambda: probe.get(READY).status_code == 503, "ready to answer 503", 2.0)
        not_ready = probe.get(READY)
        assert not_ready.status_code == 503
        assert not_ready.json()["status"] == "error"
        assert not_ready.headers["connection"] == "close"
        assert probe.get(HEALTH).status_code == 200
        assert not listing.done()

        # Drained: no new connection is accepted while the listing still runs.
        def refused() -> bool:
            try:
                httpx.get(replica.url + HEALTH, timeout=1)
            except httpx.ConnectError:
                return True
            return False

        wait_for(refused, "the listener to close", DRAIN_SECONDS + 1)
        assert not listing.done()
        answer = listing.result(timeout=SHUTDOWN_GRACE_SECONDS)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["DATA_TYPE"] == "file_list"
    assert replica.wait_exit(SHUTDOWN_GRACE_SECONDS) == 0
    assert time.monotonic() - terminated < DRAIN_SECONDS + SHUTDOWN_GRACE_SECONDS
    probe.close()
    client.http.close()


@pytest.mark.slow
def test_an_idle_replica_exits_0_right_after_the_drain(replica: Replica) -> None:
    replica.terminate()
    terminated = time.monotonic()
    assert replica.wait_exit(DRAIN_SECONDS + SHUTDOWN_GRACE_SECONDS) == 0
    assert DRAIN_SECONDS <= time.monotonic() - terminated < DRAIN_SECONDS + 2
