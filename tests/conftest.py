"""Shared fixtures: a running emulator on a free loopback port, with the default world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from globus_emulator.app import Emulator, create_app
from globus_emulator.server import ServerThread
from globus_emulator.world import default_world
from tests.support.emulated_globus import globus_sdk_pointed_at


@dataclass
class RunningEmulator:
    url: str
    emulator: Emulator
    data_dir: Path

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def calls(self) -> int:
        return int(self.emulator.stats.snapshot()["total"])


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    data_dir = tmp_path_factory.mktemp("emulator-data")
    emu = Emulator.from_world(default_world(data_dir))
    with ServerThread(create_app(emu)) as server:
        yield RunningEmulator(url=server.url, emulator=emu, data_dir=data_dir)


@pytest.fixture(scope="session")
def globus_env(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """Points every globus-sdk client built in this process at the emulator."""
    with globus_sdk_pointed_at(emulator.url):
        yield emulator
