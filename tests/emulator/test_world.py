"""Seed files: a good one builds the world; a bad one says what to fix, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from globus_emulator.world import SeedError, load_world

CLIENT = "6d8a1b4e-0f3c-4c55-9a57-3c0e0e8f7a11"
IDENTITY = "b7c1f1de-2f34-4c7e-9d1a-5d4b2f8e9c01"


def test_a_yaml_seed_builds_the_world(tmp_path: Path) -> None:
    seed = tmp_path / "world.yml"
    seed.write_text(
        f"clients: [{{id: {CLIENT}, name: app}}]\n"
        f"identities: [{{id: {IDENTITY}, username: alice@example.org}}]\n"
        "collections:\n"
        f"  - {{id: {IDENTITY}, display_name: d, root: {tmp_path / 'root'}, read_only: true}}\n"
    )
    world = load_world(seed)
    collection = world.collections[IDENTITY]
    assert collection.read_only and collection.root == (tmp_path / "root").resolve()
    assert world.identities[IDENTITY].username == "alice@example.org"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "cannot read"),
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold an object"),
        ('{"clients": []}', "at least one client and one identity"),
        ('{"clients": [{"id": "x"}], "identities": []}', "client id 'x' is not a UUID"),
        (
            f'{{"clients": [{{"id": "{CLIENT}"}}], "identities": [{{"id": "{IDENTITY}"}}]}}',
            "missing the field 'username'",
        ),
        (
            f'{{"clients": [{{"id": "{CLIENT}"}}], '
            f'"identities": [{{"id": "{IDENTITY}", "username": "a"}}], '
            f'"collections": [{{"id": "{CLIENT}", "root": "relative/dir"}}]}}',
            "must be an absolute path",
        ),
    ],
)
def test_a_bad_seed_says_what_to_fix(tmp_path: Path, text: str | None, says: str) -> None:
    seed = tmp_path / "seed.json"
    if text is not None:
        seed.write_text(text)
    with pytest.raises(SeedError, match=says):
        load_world(seed)


def test_the_command_prints_the_problem_without_a_traceback(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"clients": []}')
    done = subprocess.run(
        [sys.executable, "-m", "globus_proxy.cli", "emulator", "--port", "0", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "at least one client and one identity" in done.stderr
    assert "Traceback" not in done.stderr
