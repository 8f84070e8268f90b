"""Calls to Globus per proxy operation, counted at the emulator.

Each operation runs with a fresh pair, with a stale pair on its first request, and with
that same stale pair again (the later requests Tapis Files keeps making for months).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from bench import proxy_api
from bench.emulator_control import EmulatorControl
from bench.proxy_api import PREFIX, TokenPair, ops_path, result_of
from bench.redaction import describe
from bench.world_seed import CALLS_DIR, CLIENT_ID, DESTINATION_ID, HUNDRED_DIR, SOURCE_ID

# The README's targets: the most calls each operation may make; checkTokens "at most 2".
TARGET_CALLS = {
    "listFiles": 1,
    "makeDir": 1,
    "renamePath": 1,
    "deletePath": 2,
    "createTransferTask": 2,
    "getTransferTask": 1,
    "cancelTransferTask": 1,
    "getTokens": 1,
    "checkTokens": 2,
}
TOKEN_ENDPOINT = "/v2/oauth2/token"
EXACT = {name for name in TARGET_CALLS if name != "checkTokens"}


@dataclass
class Workbench:
    """What the operations need: an HTTP client, a fresh pair for setup, unique names."""

    http: httpx.Client
    setup_tokens: TokenPair
    counter: itertools.count[int]

    def unique(self, prefix: str) -> str:
        return f"{CALLS_DIR}/{prefix}-{next(self.counter)}"

    def make_dir(self, path: str, tokens: TokenPair) -> None:
        result_of(self.http.post(f"{ops_path(CLIENT_ID, DESTINATION_ID, path)}?{tokens.query()}"))

    def transfer(self, tokens: TokenPair) -> str:
        body = {
            "source_endpoint": SOURCE_ID,
            "destination_endpoint": DESTINATION_ID,
            "transfer_items": [
                {
                    "source_path": f"{HUNDRED_DIR}/file_000000.dat",
                    "destination_path": f"{self.unique('transfer')}/file.dat",
                    "recursive": False,
                }
            ],
        }
        url = f"{PREFIX}/transfers/{CLIENT_ID}?{tokens.query()}"
        return str(result_of(self.http.post(url, json=body))["task_id"])


# An operation: setup (with the setup pair, not counted) returns the measured call.
Operation = Callable[[Workbench], Callable[[TokenPair], Any]]


def list_files(bench: Workbench) -> Callable[[TokenPair], Any]:
    path = ops_path(CLIENT_ID, SOURCE_ID, HUNDRED_DIR)
    return lambda tokens: result_of(bench.http.get(f"{path}?{tokens.query(limit=1000)}"))


def make_dir(bench: Workbench) -> Callable[[TokenPair], Any]:
    path = bench.unique("mkdir")
    return lambda tokens: bench.make_dir(path, tokens)


def rename_path(bench: Workbench) -> Callable[[TokenPair], Any]:
    source = bench.unique("rename-from")
    bench.make_dir(source, bench.setup_tokens)
    url = ops_path(CLIENT_ID, DESTINATION_ID, source)
    destination = bench.unique("rename-to")
    return lambda tokens: result_of(
        bench.http.put(f"{url}?{tokens.query()}", json={"destination": destination})
    )


def delete_path(bench: Workbench) -> Callable[[TokenPair], Any]:
    path = bench.unique("delete")
    bench.make_dir(path, bench.setup_tokens)
    url = ops_path(CLIENT_ID, DESTINATION_ID, path)
    return lambda tokens: result_of(bench.http.delete(f"{url}?{tokens.query(recurse='true')}"))


def create_transfer_task(bench: Workbench) -> Callable[[TokenPair], Any]:
    return bench.transfer


def get_transfer_task(bench: Workbench) -> Callable[[TokenPair], Any]:
    task_id = bench.transfer(bench.setup_tokens)
    return lambda tokens: result_of(
        bench.http.get(f"{PREFIX}/transfers/{CLIENT_ID}/{task_id}?{tokens.query()}")
    )


def cancel_transfer_task(bench: Workbench) -> Callable[[TokenPair], Any]:
    task_id = bench.transfer(bench.setup_tokens)
    return lambda tokens: result_of(
        bench.http.delete(f"{PREFIX}/transfers/{CLIENT_ID}/{task_id}?{tokens.query()}")
    )


def check_tokens(bench: Workbench) -> Callable[[TokenPair], Any]:
    url = f"{PREFIX}/auth/check_tokens/{CLIENT_ID}/{SOURCE_ID}"
    return lambda tokens: result_of(bench.http.get(f"{url}?{tokens.query()}"))


PAIR_OPERATIONS: dict[str, Operation] = {
    "listFiles": list_files,
    "makeDir": make_dir,
    "renamePath": rename_path,
    "deletePath": delete_path,
    "createTransferTask": create_transfer_task,
    "getTransferTask": get_transfer_task,
    "cancelTransferTask": cancel_transfer_task,
    "checkTokens": check_tokens,
}


def counted(control: EmulatorControl, call: Callable[[], Any]) -> dict[str, Any]:
    control.reset_calls()
    call()
    stats = control.calls()
    return {"calls": int(stats["total"]), "detail": stats["calls"]}


def count_operation(
    control: EmulatorControl, bench: Workbench, operation: Operation, tokens: TokenPair
) -> dict[str, Any]:
    """Sets the operation up first, so that only its own calls are counted."""
    call = operation(bench)
    return counted(control, lambda: call(tokens))


def failure(err: Exception) -> dict[str, Any]:
    """One figure's failure becomes its `n/a` reason instead of ending the run."""
    return {"calls": None, "error": describe(err)}


def stale_pair(bench: Workbench, control: EmulatorControl) -> TokenPair:
    """A new login whose access token the emulator then expires."""
    tokens = proxy_api.login(bench.http, CLIENT_ID)
    control.expire(tokens.access_token)
    return tokens


def count_get_tokens(http: httpx.Client, control: EmulatorControl) -> dict[str, Any]:
    url, session_id = proxy_api.start_login(http, CLIENT_ID)
    code = proxy_api.authorize(url)
    return counted(control, lambda: proxy_api.finish_login(http, CLIENT_ID, session_id, code))


def measure_call_counts(
    http: httpx.Client, control: EmulatorControl, setup_tokens: TokenPair
) -> dict[str, dict[str, Any]]:
    """{operation: {"fresh": {...}, "stale_first": {...}, "stale_later": {...}}}."""
    bench = Workbench(http, setup_tokens, itertools.count())
    rows: dict[str, dict[str, Any]] = {}
    for name, operation in PAIR_OPERATIONS.items():
        row: dict[str, Any] = {}
        try:
            row["fresh"] = count_operation(control, bench, operation, setup_tokens)
        except Exception as err:
            row["fresh"] = failure(err)
        try:
            tokens = stale_pair(bench, control)
            row["stale_first"] = count_operation(control, bench, operation, tokens)
            row["stale_later"] = count_operation(control, bench, operation, tokens)
        except Exception as err:
            row.setdefault("stale_first", failure(err))
            row["stale_later"] = failure(err)
        rows[name] = row
    try:
        fresh = count_get_tokens(http, control)
    except Exception as err:
        fresh = failure(err)
    rows["getTokens"] = {
        "fresh": fresh,
        "stale_first": {"calls": None, "error": "no token pair is sent"},
        "stale_later": {"calls": None, "error": "no token pair is sent"},
    }
    return rows


def count_concurrent_stale(
    http: httpx.Client, control: EmulatorControl, setup_tokens: TokenPair, concurrency: int = 16
) -> dict[str, Any]:
    """`concurrency` simultaneous listFiles with one new stale pair: refreshes made (target 1)."""
    bench = Workbench(http, setup_tokens, itertools.count())
    tokens = stale_pair(bench, control)
    call = list_files(bench)
    start_together = threading.Barrier(concurrency)

    def one() -> None:
        start_together.wait(timeout=30)
        call(tokens)

    def all_at_once() -> None:
        with ThreadPoolExecutor(concurrency) as pool:
            for future in [pool.submit(one) for _ in range(concurrency)]:
                future.result(timeout=60)

    figure = counted(control, all_at_once)
    refreshes = sum(n for key, n in figure["detail"].items() if key.endswith(TOKEN_ENDPOINT))
    return {"requests": concurrency, "refreshes": refreshes, **figure}


def meets_target(name: str, calls: int | None) -> bool | None:
    if calls is None:
        return None
    target = TARGET_CALLS[name]
    return calls == target if name in EXACT else calls <= target
