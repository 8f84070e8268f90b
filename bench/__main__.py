"""`python -m bench`: one run, one process tree; prints the table and writes bench/results.json."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from globus_sdk import TransferClient, TransferData

from bench.big_listing import measure_big_listing
from bench.call_counts import count_concurrent_stale, measure_call_counts
from bench.cpu_cost import REQUESTS, proxy_against_floor
from bench.direct_login import direct_login
from bench.emulator_control import EmulatorControl
from bench.latency import Shape, direct_client, measure_latency
from bench.memory import read_memory
from bench.processes import Service, running, running_emulator
from bench.proxy_api import TokenPair, list_path, login
from bench.redaction import describe, redact
from bench.report import judge, render, write_json
from bench.scale_out import measure_scale_out, measure_token_lookup
from bench.transfer_speed import measure_transfer_speed, wait_for_task
from bench.world_seed import (
    CLIENT_ID,
    DESTINATION_ID,
    HUNDRED_DIR,
    SOURCE_ID,
    BenchWorld,
    build_world,
)
from bench.wrk_load import measure_throughput

RESULTS = Path(__file__).with_name("results.json")
# Parts that run alone with --only, each writing bench/results-<part>.json.
PARTS = ("scale-out",)
SDK_URL_VARIABLES = ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples, no 1 GiB file")
    parser.add_argument("--wrk-seconds", type=int, default=None, help="duration of each wrk run")
    parser.add_argument("--output", type=Path, default=None, help="default: bench/results.json")
    parser.add_argument(
        "--only", choices=PARTS, default=None, help="run one part alone (and the emulator)"
    )
    args = parser.parse_args()
    if args.output is None:
        args.output = RESULTS.with_name(f"results-{args.only}.json") if args.only else RESULTS
    return args


def attempt(
    figures: dict[str, Any], key: str, measure: Callable[[], Any], needs: tuple[Service, ...] = ()
) -> Any:
    """Stores the figure, or the reason it could not be measured; never ends the run.

    A service in `needs` that has died is reported (exit code, log tail) instead of measuring.
    """
    print(f"... {key}", file=sys.stderr, flush=True)
    dead = [service for service in needs if service.process.poll() is not None]
    if dead:
        figures[key] = {"error": f"{dead[0].name} is not running"}
    else:
        try:
            figures[key] = measure()
        except Exception as err:
            figures[key] = {"error": describe(err)}
    for service in needs:
        code = service.process.poll()
        if code is not None and f"{service.name}_died" not in figures:
            tail = redact(service.log_tail())
            figures[f"{service.name}_died"] = (
                f"exited with {code} during {key}; log {service.log_path}:\n{tail}"
            )
    return figures[key]


def submit_small_transfer(transfer: TransferClient) -> str:
    """A finished task for getTransferTask to read."""
    data = TransferData(SOURCE_ID, DESTINATION_ID)
    data.add_item(f"{HUNDRED_DIR}/file_000001.dat", "/latency-task/file.dat")
    task_id = str(transfer.submit_transfer(data)["task_id"])
    wait_for_task(transfer, task_id)
    return task_id


def idle_memory(proxy: Service) -> dict[str, float]:
    time.sleep(1.0)
    memory = read_memory(proxy.pid)
    return {"rss_mb": memory.rss_mb, "hwm_mb": memory.hwm_mb}


def measure_through_proxy(
    figures: dict[str, Any],
    proxy: Service,
    emulator: Service,
    control: EmulatorControl,
    direct_tokens: TokenPair,
    quick: bool,
    wrk_seconds: int,
    logs: Path,
) -> None:
    transfer = direct_client(direct_tokens.access_token)
    both = (proxy, emulator)
    with httpx.Client(base_url=proxy.url, timeout=30.0) as http:
        tokens = attempt(figures, "proxy_login", lambda: login(http, CLIENT_ID), both)
        if not isinstance(tokens, TokenPair):
            return
        figures["proxy_login"] = "ok"
        attempt(figures, "call_counts", lambda: measure_call_counts(http, control, tokens), both)
        attempt(
            figures,
            "concurrent_stale",
            lambda: count_concurrent_stale(http, control, tokens),
            both,
        )
    attempt(figures, "idle_memory", lambda: idle_memory(proxy), both)
    runs = 1 if quick else 3
    attempt(
        figures,
        "big_listing",
        lambda: measure_big_listing(proxy.url, proxy.pid, tokens, transfer, runs),
        both,
    )
    shapes = [Shape(1, 200), Shape(16, 400)] if quick else [Shape(1, 2000), Shape(16, 4000)]
    attempt(
        figures,
        "latency",
        lambda: measure_latency(proxy.url, tokens, submit_small_transfer(transfer), shapes),
        both,
    )
    attempt(
        figures,
        "cpu_per_listing",
        lambda: proxy_against_floor(proxy, emulator.url, tokens, logs, REQUESTS),
        both,
    )
    url = proxy.url + list_path(CLIENT_ID, SOURCE_ID, HUNDRED_DIR, tokens)
    figures["wrk_seconds"] = wrk_seconds
    attempt(figures, "throughput", lambda: measure_throughput(url, (1, 16, 64), wrk_seconds), both)
    # The same listing straight at the emulator: how much of the load figure is the emulator's.
    direct_url = f"{emulator.url}/v0.10/operation/endpoint/{SOURCE_ID}/ls?path={HUNDRED_DIR}"
    bearer = {"Authorization": f"Bearer {direct_tokens.access_token}"}
    attempt(
        figures,
        "throughput_emulator_direct",
        lambda: measure_throughput(direct_url, (1, 16, 64), wrk_seconds, bearer),
        (emulator,),
    )
    attempt(figures, "final_memory", lambda: vars(read_memory(proxy.pid)), (proxy,))


def measure_scale_out_part(
    figures: dict[str, Any], emulator: Service, logs: Path, wrk_seconds: int
) -> None:
    figures["wrk_seconds"] = wrk_seconds
    attempt(
        figures, "scale_out", lambda: measure_scale_out(emulator, logs, wrk_seconds), (emulator,)
    )
    attempt(figures, "token_lookup", lambda: measure_token_lookup(logs))


def run(
    figures: dict[str, Any],
    base: Path,
    logs: Path,
    quick: bool,
    wrk_seconds: int,
    only: str | None = None,
) -> None:
    world: BenchWorld = build_world(base / "world", big_file=not quick and only is None)
    unlimited_transfers = {"GLOBUS_EMULATOR_TRANSFER_RATE_LIMIT": ""}
    with ExitStack() as stack:
        emulator = stack.enter_context(
            running_emulator(world.seed_path, base / "data", logs, unlimited_transfers)
        )
        sdk_env = {name: emulator.url + "/" for name in SDK_URL_VARIABLES}
        # For the proxy, and for the globus-sdk clients this process builds (the direct side).
        os.environ.update(sdk_env)
        control = EmulatorControl(emulator.url)
        stack.callback(control.close)
        control.unlimit_transfers()
        if only == "scale-out":
            measure_scale_out_part(figures, emulator, logs, wrk_seconds)
            return
        direct_tokens = direct_login()
        try:
            proxy = stack.enter_context(
                running("proxy", ["serve"], "/v3/globus-proxy/hello", logs, sdk_env)
            )
        except Exception as err:
            figures["proxy_error"] = describe(err)
        else:
            measure_through_proxy(
                figures, proxy, emulator, control, direct_tokens, quick, wrk_seconds, logs
            )
        measure_scale_out_part(figures, emulator, logs, wrk_seconds)
        if quick:
            figures["transfer"] = {"error": "skipped with --quick"}
        else:
            transfer = direct_client(direct_tokens.access_token)
            attempt(
                figures, "transfer", lambda: measure_transfer_speed(transfer, world), (emulator,)
            )


def main() -> int:
    args = arguments()
    wrk_seconds = args.wrk_seconds or (2 if args.quick else 5)
    started = datetime.now(UTC)
    figures: dict[str, Any] = {"load_average_at_start": os.getloadavg()}
    base = Path(tempfile.mkdtemp(prefix="globus-proxy-bench-"))
    # The services' logs outlive the run only when something went wrong.
    logs = Path(tempfile.mkdtemp(prefix="globus-proxy-bench-logs-"))
    try:
        run(figures, base, logs, args.quick, wrk_seconds, args.only)
    except Exception as err:
        figures["setup_error"] = describe(err)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if any(key.endswith(("_died", "_error")) for key in figures):
        figures["logs"] = str(logs)
    else:
        shutil.rmtree(logs, ignore_errors=True)
    figures["load_average_at_end"] = os.getloadavg()
    targets = judge(figures)
    print(render(figures, targets))
    document = {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "only": args.only,
        "figures": figures,
        "targets": targets,
    }
    write_json(args.output, document)
    print(f"\nWrote {args.output}")
    # Missed targets are results; a run that could not start its services is a failure.
    return 1 if "setup_error" in figures or "proxy_error" in figures else 0


if __name__ == "__main__":
    sys.exit(main())
