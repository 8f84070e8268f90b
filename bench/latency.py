"""Latency of listFiles and getTransferTask: through the proxy and through globus-sdk directly.

Both sides run in the same threads of this process, interleaved request by request (the
order alternating), so that a busy host slows both alike. Both parse the JSON they get and
reuse connections: the proxy side with one raw keep-alive connection per thread, the direct
side with one shared `TransferClient`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from globus_sdk import AccessTokenAuthorizer, TransferClient
from requests.adapters import HTTPAdapter

from bench.keepalive import KeepAliveClient
from bench.percentiles import summary_ms
from bench.proxy_api import PREFIX, TokenPair, list_path, task_path
from bench.redaction import describe
from bench.world_seed import CLIENT_ID, HUNDRED_DIR, SOURCE_ID

# A request: makes one call and raises unless it succeeded.
Request = Callable[[], Any]


@dataclass(frozen=True)
class Shape:
    """`concurrency` threads share `total` timed rounds after `warmup` untimed ones."""

    concurrency: int
    total: int
    warmup: int = 200
    time_limit_seconds: float = 120.0


def proxy_request(client: KeepAliveClient, path_and_query: str) -> Request:
    def request() -> Any:
        status, body = client.get(path_and_query)
        if status != 200:
            raise RuntimeError(f"proxy answered {status}")
        return json.loads(body)

    return request


def direct_client(access_token: str, pool_size: int = 64) -> TransferClient:
    """Reads GLOBUS_SDK_SERVICE_URL_TRANSFER, so the caller points it at the emulator first.

    requests keeps 10 idle connections by default; with more threads than that the direct
    side would open new connections mid-run, which the proxy side never does.
    """
    transfer = TransferClient(authorizer=AccessTokenAuthorizer(access_token))
    transfer.transport.session.mount("http://", HTTPAdapter(pool_maxsize=pool_size))
    return transfer


def rounds(
    sides: list[Request], count: int, samples: list[list[float]] | None, deadline: float
) -> None:
    """`count` rounds of one request per side, alternating which side goes first."""
    for index in range(count):
        if time.monotonic() > deadline:
            return
        order = range(len(sides)) if index % 2 == 0 else reversed(range(len(sides)))
        for side in order:
            start = time.perf_counter()
            sides[side]()
            if samples is not None:
                samples[side].append(time.perf_counter() - start)


def run_concurrently(make_sides: Callable[[], list[Request]], shape: Shape) -> list[dict[str, Any]]:
    """One summary per side; each thread gets its own request functions from `make_sides`."""
    concurrency = shape.concurrency
    per_thread = max(1, shape.total // concurrency)
    warm_per_thread = max(1, shape.warmup // concurrency)
    thread_sides = [make_sides() for _ in range(concurrency)]
    width = len(thread_sides[0])
    results = [[[] for _ in range(width)] for _ in range(concurrency)]
    errors: list[str] = []
    start_together = threading.Barrier(concurrency)
    deadline = time.monotonic() + shape.time_limit_seconds

    def worker(index: int) -> None:
        try:
            rounds(thread_sides[index], warm_per_thread, None, deadline)
            start_together.wait(timeout=shape.time_limit_seconds)
            rounds(thread_sides[index], per_thread, results[index], deadline)
        except threading.BrokenBarrierError:
            pass
        except Exception as err:
            errors.append(describe(err))
            start_together.abort()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=shape.time_limit_seconds + 30)
    if errors:
        raise RuntimeError(errors[0])
    summaries = []
    for side in range(width):
        samples = [s for thread_results in results for s in thread_results[side]]
        if len(samples) < shape.total // 2:
            raise RuntimeError(f"only {len(samples)} of {shape.total} requests in the time limit")
        summaries.append(summary_ms(samples))
    return summaries


def compare(proxy: dict[str, Any], direct: dict[str, Any]) -> dict[str, Any]:
    return {
        "proxy": proxy,
        "direct": direct,
        "added_p50_ms": round(proxy["p50_ms"] - direct["p50_ms"], 3),
        "added_p99_ms": round(proxy["p99_ms"] - direct["p99_ms"], 3),
        "ratio_p50": round(proxy["p50_ms"] / direct["p50_ms"], 2),
        "ratio_p99": round(proxy["p99_ms"] / direct["p99_ms"], 2),
    }


def proxy_and_direct(
    proxy_url: str, proxy_path: str, direct: Request, shape: Shape
) -> list[dict[str, Any]]:
    """[proxy summary, direct summary]; one keep-alive connection per thread, closed after."""
    clients: list[KeepAliveClient] = []

    def make_sides() -> list[Request]:
        clients.append(KeepAliveClient(proxy_url))
        return [proxy_request(clients[-1], proxy_path), direct]

    try:
        return run_concurrently(make_sides, shape)
    finally:
        for client in clients:
            client.close()


def hop_floor(proxy_url: str, shape: Shape) -> dict[str, Any]:
    """`hello` through the proxy: the HTTP hop and framework alone, no Globus call."""
    client = KeepAliveClient(proxy_url)
    try:
        return run_concurrently(lambda: [proxy_request(client, f"{PREFIX}/hello")], shape)[0]
    finally:
        client.close()


def measure_latency(
    proxy_url: str, tokens: TokenPair, task_id: str, shapes: list[Shape]
) -> dict[str, Any]:
    """{operation: {"c<N>": compare(...)}} for each shape's concurrency N, plus the hop floor."""
    transfer = direct_client(tokens.access_token)
    operations: dict[str, tuple[str, Request]] = {
        "listFiles": (
            list_path(CLIENT_ID, SOURCE_ID, HUNDRED_DIR, tokens),
            lambda: transfer.operation_ls(SOURCE_ID, path=HUNDRED_DIR).data,
        ),
        "getTransferTask": (
            task_path(CLIENT_ID, task_id, tokens),
            lambda: transfer.get_task(task_id).data,
        ),
    }
    figures: dict[str, Any] = {}
    for name, (proxy_path, direct_request) in operations.items():
        figures[name] = {}
        for shape in shapes:
            key = f"c{shape.concurrency}"
            try:
                proxy, direct = proxy_and_direct(proxy_url, proxy_path, direct_request, shape)
                figures[name][key] = compare(proxy, direct)
            except Exception as err:
                figures[name][key] = {"error": describe(err)}
    single = next(shape for shape in shapes if shape.concurrency == 1)
    try:
        figures["hello_c1"] = hop_floor(proxy_url, single)
    except Exception as err:
        figures["hello_c1"] = {"error": describe(err)}
    return figures
