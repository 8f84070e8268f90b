"""Scale-out: listFiles through haproxy in front of 1, 2 and 3 replicas sharing one Redis,
and what Redis adds to a token lookup.

Each replica is a `globus-proxy serve` process; the CPU time each one used during its wrk
run (from /proc) turns the throughput into requests per CPU-second of proxy, which is what
one pod with one core serves. On a host with few cores the line stays flat: wrk, haproxy,
the emulator and the replicas share the same CPUs.
"""

from __future__ import annotations

import base64
import os
import time
from contextlib import ExitStack
from pathlib import Path
from statistics import median
from typing import Any

import httpx

from bench.cluster import (
    HAProxy,
    RedisServer,
    Replica,
    clean_environment,
    emulator_environment,
    start_replicas,
    stop_replicas,
)
from bench.cpu_cost import cpu_seconds
from bench.percentiles import summary_ms
from bench.processes import Service, free_port
from bench.proxy_api import list_path, login
from bench.world_seed import CLIENT_ID, HUNDRED_DIR, SOURCE_ID
from bench.wrk_load import run_wrk
from globus_proxy.shared_state import SharedState
from globus_proxy.shared_tokens import SharedTokenCache
from globus_proxy.token_cache import MemoryTokenCache, RefreshRejected

REPLICA_COUNTS = (1, 2, 3)
CONNECTIONS = 32
LOOKUP_SAMPLES = 5000


def measure_scale_out(emulator: Service, log_dir: Path, wrk_seconds: int) -> dict[str, Any]:
    """{"r1": {...wrk figures, proxy_cpu_seconds, requests_per_proxy_cpu_second}, ...,
    "per_core": median requests per proxy CPU-second}."""
    figures: dict[str, Any] = {"connections": CONNECTIONS}
    with ExitStack() as stack:
        redis = RedisServer(log_dir)
        stack.callback(redis.stop)
        redis.start()
        env = clean_environment(
            GLOBUS_PROXY_SESSION_KEY=base64.b64encode(os.urandom(32)).decode(),
            GLOBUS_PROXY_REDIS_URL=redis.url,
            **emulator_environment(emulator.url),
        )
        replicas = [Replica(f"scale{n}", free_port(), env, log_dir) for n in range(3)]
        stack.callback(stop_replicas, replicas)
        start_replicas(replicas)
        with httpx.Client(base_url=replicas[0].url, timeout=30.0) as http:
            tokens = login(http, CLIENT_ID)
        path = list_path(CLIENT_ID, SOURCE_ID, HUNDRED_DIR, tokens)
        for count in REPLICA_COUNTS:
            figures[f"r{count}"] = through_haproxy(
                replicas[:count], emulator, path, log_dir, wrk_seconds
            )
    rates = [f["requests_per_proxy_cpu_second"] for k, f in figures.items() if k.startswith("r")]
    figures["per_core"] = round(median(rates))
    return figures


def through_haproxy(
    replicas: list[Replica], emulator: Service, path: str, log_dir: Path, wrk_seconds: int
) -> dict[str, Any]:
    haproxy = HAProxy([r.port for r in replicas], log_dir)
    try:
        haproxy.start()
        pids = [r.service.pid for r in replicas if r.service is not None]
        before = [cpu_seconds(pid) for pid in pids]
        emulator_before = cpu_seconds(emulator.pid)
        figure = run_wrk(haproxy.url + path, CONNECTIONS, wrk_seconds)
        proxy_cpu = sum(cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True))
        figure["proxy_cpu_seconds"] = round(proxy_cpu, 2)
        figure["emulator_cpu_seconds"] = round(cpu_seconds(emulator.pid) - emulator_before, 2)
        figure["requests_per_proxy_cpu_second"] = round(figure["requests"] / max(proxy_cpu, 0.01))
        return figure
    finally:
        haproxy.stop()


def never_refresh(client_id: str, refresh_token: str) -> tuple[str, float]:
    raise RefreshRejected()


def measure_token_lookup(log_dir: Path) -> dict[str, Any]:
    """A cached token looked up in this process's memory, and in Redis (the in-memory front
    holds one entry and two pairs alternate, so every lookup reaches Redis)."""
    redis = RedisServer(log_dir)
    redis.start()
    shared = SharedState(redis.url, os.urandom(32))
    try:
        expires = time.time() + 3600
        memory = MemoryTokenCache(10, never_refresh)
        through_redis = SharedTokenCache(1, never_refresh, shared)
        for name in ("a", "b"):
            memory.put(f"refresh-{name}", f"token-{name}", expires)
            through_redis.put(f"refresh-{name}", f"token-{name}", expires)
        samples: dict[str, list[float]] = {"memory": [], "redis": []}
        for n in range(LOOKUP_SAMPLES):
            name = "ab"[n % 2]
            for side, cache in (("memory", memory), ("redis", through_redis)):
                started = time.perf_counter()
                found = cache.access_token_for(f"refresh-{name}", "stale")
                samples[side].append(time.perf_counter() - started)
                if found != f"token-{name}":
                    raise RuntimeError(f"the {side} lookup missed the cached token")
        if shared.fallbacks:
            raise RuntimeError(f"{shared.fallbacks} lookups fell back to memory")
    finally:
        shared.close()
        redis.stop()
    figures = {side: summary_ms(values) for side, values in samples.items()}
    for q in ("p50", "p99"):
        added = figures["redis"][f"{q}_ms"] - figures["memory"][f"{q}_ms"]
        figures[f"added_{q}_ms"] = round(added, 3)
    return figures
