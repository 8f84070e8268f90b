"""A private emulator for task tests: a writable source, a writable destination and a
read-only collection, with files to move, and a client of the default identity."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import globus_sdk
import httpx

from globus_emulator.state import Emulator
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, world_from_document
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.transfer import issue_token, transfer_client, wait_done

SRC = "0a000000-0000-4000-8000-000000000001"
DST = "0a000000-0000-4000-8000-000000000002"
RO = "0a000000-0000-4000-8000-000000000003"
BOB = "0b000000-0000-4000-8000-00000000000b"
BIG_FILE_BYTES = 4 * 1024 * 1024


class TaskWorld:
    """A private emulator: writable source SRC, writable destination DST, read-only RO."""

    def __init__(self, running: RunningEmulator, src: Path, dst: Path, ro: Path) -> None:
        self.running = running
        self.src = src
        self.dst = dst
        self.ro = ro
        self.tc = transfer_client(issue_token(running.emulator), running.url + "/")

    @property
    def emu(self) -> Emulator:
        return self.running.emulator

    def wait_done(
        self, task_id: str, tc: globus_sdk.TransferClient | None = None
    ) -> dict[str, Any]:
        return wait_done(self.emu, tc or self.tc, task_id)

    def fresh(self) -> str:
        return f"t-{uuid.uuid4().hex[:8]}"

    def transfer(self, *items: tuple[str, str], **options: Any) -> str:
        data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=DST, **options)
        for source, dest in items:
            data.add_item(source, dest)
        return str(self.tc.submit_transfer(data)["task_id"])

    def set_rate(self, rate: int | None) -> None:
        response = httpx.post(
            f"{self.running.url}/_emulator/config", json={"transfer_rate_limit": rate}
        )
        assert response.status_code == 200
        assert response.json() == {"transfer_rate_limit": rate}


@contextmanager
def task_world(base: Path) -> Iterator[TaskWorld]:
    """Files under ``base``: src/big.bin (random), src/small.txt and src/tree/{a,b,sub/c}."""
    src, dst, ro = base / "src", base / "dst", base / "ro"
    for d in (src, dst, ro):
        d.mkdir()
    (src / "big.bin").write_bytes(os.urandom(BIG_FILE_BYTES))
    (src / "small.txt").write_text("small")
    tree = src / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a" * 100)
    (tree / "b.dat").write_text("b" * 200)
    (tree / "sub" / "c.txt").write_text("c" * 300)
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [
                {"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org"},
                {"id": BOB, "username": "bob@example.org"},
            ],
            "collections": [
                {"id": SRC, "display_name": "Source", "root": str(src)},
                {"id": DST, "display_name": "Destination", "root": str(dst)},
                {"id": RO, "display_name": "Read only", "root": str(ro), "read_only": True},
            ],
        }
    )
    with serving(world) as running:
        yield TaskWorld(running, src, dst, ro)
