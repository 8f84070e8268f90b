"""The replica tests' fixtures, loaded as a plugin by tests/conftest.py.

One `globus-proxy emulator` process serves every replica test of the session; each module
builds its own stack of replicas around it (see support), stopped when the module ends.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.proxy.support import EmulatedGlobus
from tests.replicas.support import emulator_process

REAL_PARTS = ("redis-server", "haproxy")


@pytest.fixture(scope="session")
def replica_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("replica-logs")


@pytest.fixture(scope="session")
def emulator_subprocess(
    tmp_path_factory: pytest.TempPathFactory, replica_logs: Path
) -> Iterator[EmulatedGlobus]:
    missing = [name for name in REAL_PARTS if shutil.which(name) is None]
    assert not missing, f"{missing} missing: `make test` installs them (TEST_PACKAGES)"
    with emulator_process(tmp_path_factory.mktemp("replica-globus"), replica_logs) as globus:
        yield globus
