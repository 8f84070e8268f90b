"""A 1 GiB transfer through the emulator against `cp` of the same file on the same disk."""

from __future__ import annotations

import subprocess
import time
from typing import Any

from globus_sdk import TransferClient, TransferData

from bench.world_seed import BIG_FILE, BIG_FILE_BYTES, DESTINATION_ID, SOURCE_ID, BenchWorld

POLL_SECONDS = 0.05
DEADLINE_SECONDS = 600.0


def wait_for_task(transfer: TransferClient, task_id: str) -> str:
    """Polls until the task ends or the deadline passes; returns its final status."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        status = str(transfer.get_task(task_id)["status"])
        if status in ("SUCCEEDED", "FAILED"):
            return status
        time.sleep(POLL_SECONDS)
    transfer.cancel_task(task_id)
    raise TimeoutError(f"task not finished after {DEADLINE_SECONDS:.0f}s")


def mb_per_second(seconds: float) -> float:
    return round(BIG_FILE_BYTES / seconds / 1e6, 1)


def measure_transfer_speed(transfer: TransferClient, world: BenchWorld) -> dict[str, Any]:
    """Emulator first, then `cp` to a fresh path; neither drops the page cache."""
    source = world.local(world.source_root, BIG_FILE)
    emulator_copy = world.local(world.destination_root, "/transfer-1GiB.dat")
    cp_copy = world.local(world.destination_root, "/cp-1GiB.dat")
    try:
        data = TransferData(SOURCE_ID, DESTINATION_ID)
        data.add_item(BIG_FILE, "/transfer-1GiB.dat")
        start = time.perf_counter()
        task_id = str(transfer.submit_transfer(data)["task_id"])
        status = wait_for_task(transfer, task_id)
        emulator_seconds = time.perf_counter() - start
        if status != "SUCCEEDED":
            raise RuntimeError(f"the transfer task ended {status}")
        if emulator_copy.stat().st_size != BIG_FILE_BYTES:
            raise RuntimeError("the transferred file has the wrong size")
        emulator_copy.unlink()
        start = time.perf_counter()
        subprocess.run(["cp", str(source), str(cp_copy)], check=True, timeout=DEADLINE_SECONDS)
        cp_seconds = time.perf_counter() - start
    finally:
        for path in (emulator_copy, cp_copy, source):
            path.unlink(missing_ok=True)
    return {
        "bytes": BIG_FILE_BYTES,
        "emulator_s": round(emulator_seconds, 2),
        "cp_s": round(cp_seconds, 2),
        "emulator_mb_s": mb_per_second(emulator_seconds),
        "cp_mb_s": mb_per_second(cp_seconds),
        "ratio": round(emulator_seconds / cp_seconds, 2),
    }
