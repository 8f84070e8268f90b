"""Reads a process's memory from /proc: resident now (VmRSS) and its high-water mark (VmHWM)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Memory:
    rss_mb: float
    hwm_mb: float


def read_memory(pid: int) -> Memory:
    """VmHWM is the peak resident size of the whole process since it started."""
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return Memory(rss_mb=round(fields["VmRSS"], 1), hwm_mb=round(fields["VmHWM"], 1))
