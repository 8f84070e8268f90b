"""The suite's shared fixtures, loaded as a plugin by ``tests/conftest.py``.

One emulator with the default world serves the whole session; ``globus_env`` also points
globus-sdk at it. ``tc`` and ``workdir`` are for tests that call Transfer directly.
``private_emulator`` is a module's own emulator, for tests that inject faults or count calls,
and ``private_http`` its client, which clears the faults after each test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import globus_sdk
import httpx
import pytest

from globus_emulator.world import DEFAULT_DESTINATION_ID, default_world
from tests.support.emulated_globus import RunningEmulator, globus_sdk_pointed_at, serving
from tests.support.transfer import issue_token, transfer_client


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    data_dir = tmp_path_factory.mktemp("emulator-data")
    with serving(default_world(data_dir)) as running:
        yield running


@pytest.fixture(scope="session")
def globus_env(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """Points every globus-sdk client built in this process at the emulator."""
    with globus_sdk_pointed_at(emulator.url):
        yield emulator


@pytest.fixture
def tc(globus_env: RunningEmulator) -> globus_sdk.TransferClient:
    """A TransferClient with a fresh token of the default identity."""
    return transfer_client(issue_token(globus_env.emulator))


@pytest.fixture
def workdir(globus_env: RunningEmulator) -> tuple[str, Path]:
    """A fresh directory in the writable destination: (collection path, local path)."""
    name = f"work-{uuid.uuid4().hex[:8]}"
    local = globus_env.emulator.world.collections[DEFAULT_DESTINATION_ID].root / name
    local.mkdir()
    return f"/{name}", local


@pytest.fixture(scope="module")
def private_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """An emulator of the module's own, so its faults and counts touch no other module."""
    with serving(default_world(tmp_path_factory.mktemp("private"))) as running:
        yield running


@pytest.fixture
def private_http(private_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with private_emulator.control() as client:
        yield client
        client.delete("/_emulator/faults")
