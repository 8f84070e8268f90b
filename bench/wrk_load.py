"""Throughput and latency distribution of listFiles under load, measured with `wrk`."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import httpx

from bench.redaction import describe

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
PERCENTILE_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
REQUESTS_LINE = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", re.MULTILINE)
RATE_LINE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(output: str) -> dict[str, Any]:
    """The figures from `wrk --latency` output; raises ValueError if they are not there."""
    percentiles = {
        f"p{p}_ms": round(float(value) * UNIT_MS[unit], 3)
        for p, value, unit in PERCENTILE_LINE.findall(output)
    }
    requests = REQUESTS_LINE.search(output)
    rate = RATE_LINE.search(output)
    if not requests or not rate or "p50_ms" not in percentiles or "p99_ms" not in percentiles:
        raise ValueError(f"unexpected wrk output: {output[-300:]!r}")
    socket_errors = SOCKET_ERRORS.search(output)
    socket_error_count = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    non_2xx = NON_2XX.search(output)
    non_2xx_count = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "requests": int(requests.group(1)),
        "requests_per_second": round(float(rate.group(1)), 1),
        **percentiles,
        "socket_errors": socket_error_count,
        "non_2xx": non_2xx_count,
        "errors": socket_error_count + non_2xx_count,
    }


def run_wrk(
    url: str, connections: int, duration_seconds: int, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """wrk needs at least one connection per thread, so c=1 runs on one thread."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("wrk only ever targets 127.0.0.1")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk)")
    threads = min(2, connections)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_seconds}s",
        "--timeout",
        "5s",
        "--latency",
        *[arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")],
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration_seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk exited {completed.returncode}: {completed.stderr.strip()[-300:]}")
    return parse_wrk(completed.stdout)


def measure_throughput(
    url: str,
    connection_counts: tuple[int, ...],
    duration_seconds: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """wrk at each connection count, after one probe that must answer 200."""
    probe = httpx.get(url, headers=headers, timeout=30.0)
    if probe.status_code != 200:
        raise RuntimeError(f"the probe request answered {probe.status_code}")
    figures: dict[str, Any] = {}
    for connections in connection_counts:
        try:
            figures[f"c{connections}"] = run_wrk(url, connections, duration_seconds, headers)
        except Exception as err:
            figures[f"c{connections}"] = {"error": describe(err)}
    return figures
