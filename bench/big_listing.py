"""The 100,000-entry directory listed through the proxy and directly, with the proxy's memory."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from globus_sdk import TransferClient

from bench.keepalive import KeepAliveClient
from bench.memory import read_memory
from bench.proxy_api import TokenPair, list_path
from bench.world_seed import CLIENT_ID, HUNDRED_THOUSAND_DIR, SOURCE_ID

ENTRIES = 100_000


def best_of(runs: int, listing: Callable[[], int]) -> float:
    """The shortest wall time of `runs` listings, each checked to hold every entry."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        count = listing()
        best = min(best, time.perf_counter() - start)
        if count != ENTRIES:
            raise RuntimeError(f"listing held {count} entries, not {ENTRIES}")
    return best


def measure_big_listing(
    proxy_url: str, proxy_pid: int, tokens: TokenPair, transfer: TransferClient, runs: int = 3
) -> dict[str, Any]:
    path = list_path(CLIENT_ID, SOURCE_ID, HUNDRED_THOUSAND_DIR, tokens, limit=ENTRIES)
    client = KeepAliveClient(proxy_url, timeout=60.0)

    def through_proxy() -> int:
        status, body = client.get(path)
        if status != 200:
            raise RuntimeError(f"proxy answered {status}")
        return len(json.loads(body)["result"]["DATA"])

    def direct() -> int:
        listing = transfer.operation_ls(SOURCE_ID, path=HUNDRED_THOUSAND_DIR, limit=ENTRIES)
        return len(listing["DATA"])

    before = read_memory(proxy_pid)
    try:
        proxy_seconds = best_of(runs, through_proxy)
    finally:
        client.close()
    after = read_memory(proxy_pid)
    direct_seconds = best_of(runs, direct)
    return {
        "entries": ENTRIES,
        "runs": runs,
        "proxy_s": round(proxy_seconds, 3),
        "direct_s": round(direct_seconds, 3),
        "ratio": round(proxy_seconds / direct_seconds, 2),
        "proxy_rss_before_mb": before.rss_mb,
        "proxy_hwm_before_mb": before.hwm_mb,
        "proxy_rss_after_mb": after.rss_mb,
        "proxy_peak_mb": after.hwm_mb,
    }
