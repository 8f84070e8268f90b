"""Helpers of the replica tests: real processes (the emulator, `globus-proxy serve` replicas,
redis-server, haproxy; see bench/cluster.py), and a load that counts every failed request.

The fixtures built from these live in tests/replicas/fixtures.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.cluster import (
    HAProxy,
    RedisServer,
    Replica,
    clean_environment,
    emulator_environment,
    launch,
    start_replicas,
    stop_replicas,
)
from bench.processes import CLI, free_port, stop, wait_ready
from tests.proxy.support import SESSION_KEY, EmulatedGlobus, ProxyClient

# Short, so that a rolling restart takes seconds (the README's defaults are 5 and 20).
DRAIN_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 10
DEADLINE_SECONDS = 3.0


@contextmanager
def emulator_process(data_dir: Path, log_dir: Path) -> Iterator[EmulatedGlobus]:
    """`globus-proxy emulator` with the default world, as its own process."""
    port = free_port()
    argv = [
        CLI,
        "emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    service = launch("emulator", argv, log_dir / "emulator.log", clean_environment())
    service.url = f"http://127.0.0.1:{port}"
    globus = EmulatedGlobus(service.url)
    try:
        wait_ready(service, "/_emulator/world", 60.0)
        yield globus
    finally:
        globus.close()
        stop(service)


def replica_environment(globus: EmulatedGlobus, redis_url: str | None) -> dict[str, str]:
    settings = {
        "GLOBUS_PROXY_SESSION_KEY": SESSION_KEY,
        "GLOBUS_PROXY_DRAIN_SECONDS": str(DRAIN_SECONDS),
        "GLOBUS_PROXY_SHUTDOWN_GRACE_SECONDS": str(SHUTDOWN_GRACE_SECONDS),
        "GLOBUS_PROXY_GLOBUS_TIMEOUT_SECONDS": str(DEADLINE_SECONDS),
        "GLOBUS_PROXY_WORKER_THREADS": "16",
        **emulator_environment(globus.url),
    }
    if redis_url:
        settings["GLOBUS_PROXY_REDIS_URL"] = redis_url
    return clean_environment(**settings)


@dataclass
class Stack:
    """Replicas sharing one emulator, one Redis and one session key, behind haproxy."""

    globus: EmulatedGlobus
    redis: RedisServer
    replicas: list[Replica]
    haproxy: HAProxy
    clients: list[ProxyClient] = field(default_factory=list)

    def through_haproxy(self) -> ProxyClient:
        return self._client(self.haproxy.url)

    def direct(self, n: int) -> ProxyClient:
        """Straight to replica n, past haproxy."""
        return self._client(self.replicas[n].url)

    def _client(self, root: str) -> ProxyClient:
        client = ProxyClient(root=root, globus=self.globus)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.http.close()

    def log_of(self, n: int) -> str:
        return (self.replicas[n].log_dir / f"{self.replicas[n].name}.log").read_text(
            errors="replace"
        )

    def rolling_restart(self) -> list[int]:
        """Each replica in turn: SIGTERM, its successor on the same port once it has gone,
        ready, and back in haproxy before the next. The exit codes."""
        codes = []
        for n, replica in enumerate(self.replicas):
            replica.terminate()
            codes.append(replica.wait_exit(DRAIN_SECONDS + SHUTDOWN_GRACE_SECONDS + 10))
            replica.start()
            replica.wait_ready()
            self.haproxy.wait_until_up([n])
        return codes


@contextmanager
def replica_stack(globus: EmulatedGlobus, log_dir: Path, count: int = 3) -> Iterator[Stack]:
    with ExitStack() as stack:
        redis = RedisServer(log_dir)
        stack.callback(redis.stop)
        redis.start()
        env = replica_environment(globus, redis.url)
        replicas = [Replica(f"replica{n}", free_port(), env, log_dir) for n in range(count)]
        stack.callback(stop_replicas, replicas)
        start_replicas(replicas)
        haproxy = HAProxy([r.port for r in replicas], log_dir)
        stack.callback(haproxy.stop)
        haproxy.start()
        running = Stack(globus, redis, replicas, haproxy)
        stack.callback(running.close)
        yield running


@contextmanager
def single_replica(globus: EmulatedGlobus, log_dir: Path) -> Iterator[Replica]:
    """One replica without Redis, for what happens inside one process."""
    replica = Replica("single", free_port(), replica_environment(globus, None), log_dir)
    try:
        replica.start()
        replica.wait_ready()
        yield replica
    finally:
        replica.stop()


@dataclass
class Load:
    """Requests sent in a loop by a thread until stopped; every answer but the expected
    status is kept as a failure (a connection error too)."""

    name: str
    send: Callable[[httpx.Client], httpx.Response]
    pause_seconds: float
    expected: int = 200
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        with httpx.Client(timeout=30) as http:
            while not self._stop.is_set():
                self.sent += 1
                try:
                    answer = self.send(http)
                    if answer.status_code != self.expected:
                        self.failures.append(f"{answer.status_code} {answer.text[:200]}")
                except httpx.HTTPError as err:
                    self.failures.append(f"{type(err).__name__}: {err}")
                self._stop.wait(self.pause_seconds)

    def start(self) -> Load:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)


@contextmanager
def loads(*running: Load) -> Iterator[tuple[Load, ...]]:
    for load in running:
        load.start()
    try:
        yield running
    finally:
        for load in running:
            load.stop()


def wait_for(condition: Callable[[], bool], what: str, deadline_seconds: float = 10.0) -> None:
    """Polls a condition another process makes true (no clock to patch there)."""
    give_up = time.monotonic() + deadline_seconds
    while not condition():
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.01)
