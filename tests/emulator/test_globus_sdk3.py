"""A globus-sdk 3.34 program (the version of the original Tapis GlobusProxy) against the
emulator: it autoactivates endpoints that say they are not activated, lists, makes a
directory and transfers a tree, all in a virtualenv of its own (``.tools/globus-sdk-3``)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.support.auth import native_login
from tests.support.emulated_globus import RunningEmulator
from tests.support.tools import INSTALL_TIMEOUT_SECONDS, tool_venv

# A first run installs the program (up to INSTALL_TIMEOUT_SECONDS) before its first test.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(INSTALL_TIMEOUT_SECONDS + 120)]

PROGRAM = Path(__file__).parent / "programs" / "sdk3_transfer.py"


@pytest.fixture(scope="module")
def sdk3_python() -> Path:
    return tool_venv("globus-sdk-3", "globus-sdk==3.34.0") / "python"


def test_a_globus_sdk_3_program_lists_makes_a_directory_and_transfers(
    sdk3_python: Path, globus_env: RunningEmulator
) -> None:
    _, tokens = native_login(TRANSFER_SCOPE)
    refresh_token = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["refresh_token"]
    directory = f"/sdk3-{uuid.uuid4().hex[:8]}"
    job = {
        "client_id": DEFAULT_CLIENT_ID,
        "refresh_token": refresh_token,
        "source": DEFAULT_SOURCE_ID,
        "destination": DEFAULT_DESTINATION_ID,
        "directory": directory,
    }
    env = {
        "PATH": os.environ["PATH"],
        # globus-sdk 3 reads the same variables as 4.
        "GLOBUS_SDK_SERVICE_URL_AUTH": globus_env.url + "/",
        "GLOBUS_SDK_SERVICE_URL_TRANSFER": globus_env.url + "/",
        "PYTHONWARNINGS": "ignore",
    }
    done = subprocess.run(
        [str(sdk3_python), str(PROGRAM)],
        input=json.dumps(job),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["version"] == "3.34.0"
    for endpoint_id in (DEFAULT_SOURCE_ID, DEFAULT_DESTINATION_ID):
        code, message = seen["autoactivate"][endpoint_id]
        assert code == "AlreadyActivated"
        assert message

    world = globus_env.emulator.world
    source = world.collections[DEFAULT_SOURCE_ID].root
    on_disk = sorted(
        [p.name, "dir" if p.is_dir() else "file"] for p in (source / "data1").iterdir()
    )
    assert sorted(entry[:2] for entry in seen["ls"]) == on_disk
    sizes = {name: size for name, kind, size in seen["ls"] if kind == "file"}
    assert sizes["1M.dat"] == (source / "data1" / "1M.dat").stat().st_size
    assert seen["mkdir"] == "DirectoryCreated"
    assert (seen["submitted"], seen["status"]) == ("Accepted", "SUCCEEDED")

    tree = source / "data1" / "tree"
    copied = world.collections[DEFAULT_DESTINATION_ID].root / directory.lstrip("/") / "tree"
    for original in (p for p in tree.rglob("*") if p.is_file()):
        assert (copied / original.relative_to(tree)).read_bytes() == original.read_bytes()
