"""The benchmark's world: one client, one identity, a source and a writable destination.

The source holds `hundred/` (100 files), `hundred_thousand/` (100,000 empty files) and
`big/1GiB.dat` (real bytes, so that copies do real I/O).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

CLIENT_ID = "0b6f3c2a-1d4e-4f5a-9b8c-7d6e5f4a3b21"
IDENTITY_ID = "4c3b2a19-0f8e-4d7c-b6a5-9483726150fe"
SOURCE_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
DESTINATION_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

HUNDRED_DIR = "/hundred"
CALLS_DIR = "/bench-calls"
HUNDRED_THOUSAND_DIR = "/hundred_thousand"
BIG_FILE = "/big/1GiB.dat"
BIG_FILE_BYTES = 1024**3
BLOCK_BYTES = 8 * 1024**2


@dataclass(frozen=True)
class BenchWorld:
    seed_path: Path
    source_root: Path
    destination_root: Path

    def local(self, collection_root: Path, path: str) -> Path:
        return collection_root / path.lstrip("/")


def write_files(directory: Path, count: int, size: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    body = b"x" * size
    for index in range(count):
        (directory / f"file_{index:06d}.dat").write_bytes(body)


def write_big_file(path: Path, size: int = BIG_FILE_BYTES) -> None:
    """Real bytes in 8 MiB blocks: neither sparse nor all zeros."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(BLOCK_BYTES)
    with path.open("wb") as out:
        written = 0
        while written < size:
            chunk = block[: min(BLOCK_BYTES, size - written)]
            out.write(chunk)
            written += len(chunk)
        out.flush()
        os.fsync(out.fileno())


def build_world(base: Path, big_file: bool = True) -> BenchWorld:
    source = base / "source"
    destination = base / "destination"
    write_files(source / HUNDRED_DIR.lstrip("/"), 100, 1024)
    write_files(source / HUNDRED_THOUSAND_DIR.lstrip("/"), 100_000, 0)
    if big_file:
        write_big_file(source / BIG_FILE.lstrip("/"))
    # Globus's mkdir makes no parents: the call-count operations work inside this one.
    (destination / CALLS_DIR.lstrip("/")).mkdir(parents=True, exist_ok=True)
    seed = {
        "clients": [{"id": CLIENT_ID, "name": "Benchmark native app"}],
        "identities": [{"id": IDENTITY_ID, "username": "bench@example.org"}],
        "collections": [
            {
                "id": SOURCE_ID,
                "display_name": "Benchmark source",
                "entity_type": "GCSv5_mapped_collection",
                "root": str(source),
                "read_only": True,
            },
            {
                "id": DESTINATION_ID,
                "display_name": "Benchmark destination",
                "entity_type": "GCSv5_mapped_collection",
                "root": str(destination),
            },
        ],
        "access_token_lifetime_seconds": 7200,
    }
    seed_path = base / "seed.json"
    seed_path.write_text(json.dumps(seed, indent=2))
    return BenchWorld(seed_path=seed_path, source_root=source, destination_root=destination)
