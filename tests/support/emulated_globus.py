"""Running an emulator for a test and pointing globus-sdk at it: the one copy of that wiring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from globus_emulator.app import create_app
from globus_emulator.server import ServerThread
from globus_emulator.state import Emulator
from globus_emulator.world import World

SDK_URL_VARIABLES = ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER")


@dataclass
class RunningEmulator:
    """An emulator serving on ``url``; ``emulator`` is its in-process state to look inside."""

    url: str
    emulator: Emulator
    data_dir: Path

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def calls(self) -> int:
        return int(self.emulator.stats.snapshot()["total"])


@contextmanager
def globus_sdk_pointed_at(url: str) -> Iterator[None]:
    """globus-sdk reads these whenever it builds a client; restore them afterwards."""
    saved = {name: os.environ.get(name) for name in SDK_URL_VARIABLES}
    for name in SDK_URL_VARIABLES:
        os.environ[name] = url + "/"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def data_dir_of(world: World) -> Path:
    """The directory holding the world's collections (with one collection, its root)."""
    roots = [str(c.root) for c in world.collections.values()]
    assert roots, "the world has no collection, so no data directory"
    return Path(os.path.commonpath(roots))


@contextmanager
def serving(world: World) -> Iterator[RunningEmulator]:
    """An emulator serving ``world`` on a free loopback port, stopped when the block ends."""
    emulator = Emulator.from_world(world)
    with ServerThread(create_app(emulator)) as server:
        yield RunningEmulator(url=server.url, emulator=emulator, data_dir=data_dir_of(world))


@contextmanager
def running_emulator(world: World) -> Iterator[tuple[str, Emulator]]:
    """An emulator serving ``world`` on a free port, with globus-sdk pointed at it."""
    with serving(world) as running, globus_sdk_pointed_at(running.url):
        yield running.url, running.emulator
