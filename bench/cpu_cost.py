"""CPU time per listFiles: the proxy against the floor for a Python hop (bench/forwarder.py).

Both forward the same 100-entry listing to the same emulator for the same client: one
keep-alive connection, one request at a time. A process's CPU time is utime + stime from
/proc/<pid>/stat (all its threads), read before and after each block of requests; the two
take turns block by block, so a busy host weighs on both alike. The forwarder does nothing
but forward, so the ratio is what the proxy's own work (checks, errors, token cache,
metrics, request ids, logs) costs on top of the hop.

`python -m bench.cpu_cost` starts its own emulator, proxy and forwarder and prints the figures
as JSON; `make bench` measures the same within its run (`measure_cpu`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.keepalive import KeepAliveClient
from bench.processes import Service, free_port, running, running_emulator, stop, wait_ready
from bench.proxy_api import TokenPair, list_path, login
from bench.world_seed import CLIENT_ID, HUNDRED_DIR, SOURCE_ID, build_world

REQUESTS = 3000
BLOCKS = 6
WARMUP = 200
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SDK_URL_VARIABLES = ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER")
REPOSITORY = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of `pid`, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces; fields 14 and 15 count from after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextmanager
def running_forwarder(upstream: str, log_dir: Path) -> Iterator[Service]:
    port = free_port()
    log_path = log_dir / "forwarder.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.forwarder", "--port", str(port), "--upstream", upstream],
            cwd=REPOSITORY,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service("forwarder", f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_ready(service, "/v3/globus-proxy/hello", 30.0)
        yield service
    finally:
        stop(service)


def listings(client: KeepAliveClient, path: str, count: int) -> None:
    for _ in range(count):
        status, body = client.get(path)
        if status != 200 or b'"DATA"' not in body:
            raise RuntimeError(f"listing answered {status}")


def measure_cpu(
    sides: dict[str, Service], path: str, requests: int = REQUESTS, blocks: int = BLOCKS
) -> dict[str, Any]:
    """{side: ms of CPU per request, ...} and `ratio` (first side over second)."""
    clients = {name: KeepAliveClient(service.url) for name, service in sides.items()}
    spent = dict.fromkeys(sides, 0.0)
    per_block = max(1, requests // blocks)
    try:
        for client in clients.values():
            listings(client, path, WARMUP)
        for block in range(blocks):
            order = list(sides) if block % 2 == 0 else list(reversed(sides))
            for name in order:
                before = cpu_seconds(sides[name].pid)
                listings(clients[name], path, per_block)
                spent[name] += cpu_seconds(sides[name].pid) - before
    finally:
        for client in clients.values():
            client.close()
    done = per_block * blocks
    figures: dict[str, Any] = {
        f"{name}_cpu_ms": round(seconds * 1000 / done, 3) for name, seconds in spent.items()
    }
    first, second = (spent[name] for name in sides)
    figures["ratio"] = round(first / second, 2) if second else None
    figures["requests"] = done
    return figures


def proxy_against_floor(
    proxy: Service, upstream: str, tokens: TokenPair, log_dir: Path, requests: int = REQUESTS
) -> dict[str, Any]:
    """The proxy's CPU per listing against the forwarder's, started for the measure."""
    path = list_path(CLIENT_ID, SOURCE_ID, HUNDRED_DIR, tokens)
    with running_forwarder(upstream, log_dir) as forwarder:
        return measure_cpu({"proxy": proxy, "forwarder": forwarder}, path, requests)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_cost", description=__doc__)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="globus-proxy-cpu-"))
    try:
        world = build_world(base / "world", big_file=False)
        with ExitStack() as stack:
            emulator = stack.enter_context(running_emulator(world.seed_path, base / "d", base))
            sdk_env = {name: emulator.url + "/" for name in SDK_URL_VARIABLES}
            proxy = stack.enter_context(
                running("proxy", ["serve"], "/v3/globus-proxy/hello", base, sdk_env)
            )
            with httpx.Client(base_url=proxy.url, timeout=30.0) as http:
                tokens = login(http, CLIENT_ID)
            figures = proxy_against_floor(proxy, emulator.url, tokens, base, args.requests)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps({"load_average": os.getloadavg()[0], **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
