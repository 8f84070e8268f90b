"""The official Globus CLI (globus-cli 3.44, on its own globus-sdk 4.9) against the emulator:
`globus login --no-local-server` through the login page, then its Auth and Transfer commands,
each answer checked against the collections' files on disk.

The CLI runs as a subprocess from a virtualenv of its own (``.tools/globus-cli``) with a HOME
of its own, so it never meets the project's packages or anyone's Globus login.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from globus_emulator.login import headless_login
from globus_emulator.world import (
    DEFAULT_DESTINATION_ID,
    DEFAULT_ENDPOINT_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
    GLOBUS_CLI_TEMPLATE_ID,
    default_world,
)
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.tools import INSTALL_TIMEOUT_SECONDS, tool_venv

# A first run installs the program (up to INSTALL_TIMEOUT_SECONDS) before its first test.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(INSTALL_TIMEOUT_SECONDS + 120)]

SRC, DST = DEFAULT_SOURCE_ID, DEFAULT_DESTINATION_ID
COMMAND_TIMEOUT_SECONDS = 60


@dataclass
class GlobusCLI:
    """`globus` with a HOME of its own, pointed at one emulator."""

    program: Path
    home: Path
    emulator: RunningEmulator
    extra_env: dict[str, str] | None = None

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "LC_ALL": "C.UTF-8",
            # globus-sdk 4 joins paths to these verbatim: the trailing slash matters.
            "GLOBUS_SDK_SERVICE_URL_AUTH": self.emulator.url + "/",
            "GLOBUS_SDK_SERVICE_URL_TRANSFER": self.emulator.url + "/",
            "GLOBUS_SDK_HTTP_TIMEOUT": "10",
            **(self.extra_env or {}),
        }

    def run(self, *args: str, rc: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.program), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        assert done.returncode == rc, (args, done.returncode, done.stdout, done.stderr)
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.out(*args, "-F", "json"))

    def login(self) -> str:
        """`globus login --no-local-server`: read the URL it prints, log in on the page,
        type the code."""
        login = subprocess.Popen(
            [str(self.program), "login", "--no-local-server"],
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert login.stdout is not None
            url = next(line for line in login.stdout if "/v2/oauth2/authorize?" in line).strip()
            assert "code_challenge" not in url  # the CLI's client is confidential
            out, err = login.communicate(headless_login(url) + "\n", COMMAND_TIMEOUT_SECONDS)
        finally:
            if login.poll() is None:
                login.kill()
                login.wait()
        assert login.returncode == 0, (out, err)
        return out


@pytest.fixture(scope="module")
def globus_program() -> Path:
    return tool_venv("globus-cli", "globus-cli==3.44.0") / "globus"


@pytest.fixture(scope="module")
def world_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    with serving(default_world(tmp_path_factory.mktemp("cli-world"))) as running:
        yield running


@pytest.fixture(scope="module")
def cli(
    globus_program: Path, world_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> GlobusCLI:
    """Logged in once for the module, as alice."""
    cli = GlobusCLI(globus_program, tmp_path_factory.mktemp("home"), world_emulator)
    out = cli.login()
    assert "You have successfully logged in to the Globus CLI!" in out
    return cli


def calls(emulator: RunningEmulator, key: str) -> int:
    return int(emulator.emulator.stats.snapshot()["calls"].get(key, 0))


def src_root(cli: GlobusCLI) -> Path:
    return cli.emulator.emulator.world.collections[SRC].root


def dst_root(cli: GlobusCLI) -> Path:
    return cli.emulator.emulator.world.collections[DST].root


# --- Auth ------------------------------------------------------------------------------------


def test_login_made_one_client_and_a_second_login_is_not_needed(cli: GlobusCLI) -> None:
    assert calls(cli.emulator, "POST /v2/api/clients") == 1
    [instance] = [
        c for c in cli.emulator.emulator.world.clients.values() if c.parent_client is not None
    ]
    assert instance.parent_client == GLOBUS_CLI_TEMPLATE_ID
    validations = calls(cli.emulator, "POST /v2/oauth2/token/validate")
    again = cli.out("login", "--no-local-server")
    assert "You are already logged in!" in again
    # One validation per resource server the CLI logs in to.
    assert calls(cli.emulator, "POST /v2/oauth2/token/validate") - validations == 6
    assert calls(cli.emulator, "POST /v2/api/clients") == 1


def test_whoami(cli: GlobusCLI) -> None:
    assert cli.out("whoami") == "alice@example.org\n"
    info = cli.json("whoami")
    assert (info["sub"], info["preferred_username"]) == (DEFAULT_IDENTITY_ID, "alice@example.org")
    assert [i["username"] for i in info["identity_set"]] == ["alice@example.org"]
    assert "alice@example.org" in cli.out("whoami", "--linked-identities")


def test_session_show(cli: GlobusCLI) -> None:
    session = cli.json("session", "show")
    assert list(session["authentications"]) == [DEFAULT_IDENTITY_ID]
    table = cli.out("session", "show")
    assert f"alice@example.org | {DEFAULT_IDENTITY_ID}" in table


def test_get_identities(cli: GlobusCLI) -> None:
    out = cli.out("get-identities", "alice@example.org", DEFAULT_IDENTITY_ID, "nobody@example.org")
    assert out.splitlines() == [DEFAULT_IDENTITY_ID, "alice@example.org", "NO_SUCH_IDENTITY"]


def test_an_unknown_auth_path_is_an_auth_api_error(cli: GlobusCLI) -> None:
    failed = cli.run("api", "auth", "GET", "/v2/api/nothing", rc=1)
    assert "An Auth API Error Occurred." in failed.stderr
    assert "NOT_FOUND" in failed.stderr


# --- listing and file operations -------------------------------------------------------------


def test_ls(cli: GlobusCLI) -> None:
    on_disk = sorted(
        p.name + ("/" if p.is_dir() else "") for p in (src_root(cli) / "data1").iterdir()
    )
    assert cli.out("ls", f"{SRC}:/data1/").splitlines() == on_disk
    table = cli.out("ls", "-l", f"{SRC}:/data1/").splitlines()
    assert [column.strip() for column in table[0].split("|")] == [
        "Permissions",
        "User",
        "Group",
        "Size",
        "Last Modified",
        "File Type",
        "Filename",
    ]
    sizes = {row.split("|")[-1].strip(): int(row.split("|")[3]) for row in table[2:]}
    assert sizes["1M.dat"] == (src_root(cli) / "data1" / "1M.dat").stat().st_size


def test_recursive_ls_with_a_filter(cli: GlobusCLI) -> None:
    """Directories are listed (and descended into) whatever the filter; names must match."""
    out = cli.out("ls", "-r", "--filter", "~*.txt", f"{SRC}:/data1")
    tree = src_root(cli) / "data1"
    expected = {
        str(p.relative_to(tree)) + ("/" if p.is_dir() else "")
        for p in tree.rglob("*")
        if p.is_dir() or p.name.endswith(".txt")
    }
    assert out.splitlines()[0] == "tree/"
    assert set(out.splitlines()) == expected
    assert cli.out("ls", "--filter", "~*.txt", f"{SRC}:/data1/tree/") == "README.txt\n"


def test_ls_of_a_missing_path(cli: GlobusCLI) -> None:
    failed = cli.run("ls", f"{DST}:/nonexistent", rc=1)
    assert "ClientError.NotFound" in failed.stderr


def test_stat_mkdir_rename_rm(cli: GlobusCLI) -> None:
    stat = cli.json("stat", f"{SRC}:/data1/10M.dat")
    assert stat["size"] == (src_root(cli) / "data1" / "10M.dat").stat().st_size
    name = f"cli-{uuid.uuid4().hex[:8]}"
    assert "The directory was created successfully" in cli.out("mkdir", f"{DST}:/{name}")
    assert (dst_root(cli) / name).is_dir()
    assert "renamed successfully" in cli.out("rename", DST, f"/{name}", f"/{name}-b")
    assert not (dst_root(cli) / name).exists()
    assert (dst_root(cli) / f"{name}-b").is_dir()
    # `globus rm` submits a delete task and waits for it to end.
    removed = cli.run("rm", "-r", f"{DST}:/{name}-b")
    assert "Delete task submitted under ID" in removed.stderr
    assert not (dst_root(cli) / f"{name}-b").exists()


def test_expired_tokens_are_refreshed(cli: GlobusCLI) -> None:
    refreshes = calls(cli.emulator, "POST /v2/oauth2/token")
    answer = httpx.post(f"{cli.emulator.url}/_emulator/tokens/expire", timeout=10)
    assert answer.status_code == 200
    assert "1M.dat" in cli.out("ls", f"{SRC}:/data1/")
    assert calls(cli.emulator, "POST /v2/oauth2/token") == refreshes + 1


# --- transfers and tasks ---------------------------------------------------------------------


def test_transfer_and_its_task(cli: GlobusCLI) -> None:
    name = f"cp-{uuid.uuid4().hex[:8]}"
    submitted = cli.json(
        "transfer", f"{SRC}:/data1/tree", f"{DST}:/{name}", "--recursive", "--label", "l1"
    )
    task_id = submitted["task_id"]
    cli.run("task", "wait", task_id, "--timeout", "30")
    shown = cli.json("task", "show", task_id)
    assert (shown["status"], shown["label"]) == ("SUCCEEDED", "l1")
    source = src_root(cli) / "data1" / "tree"
    copied = sorted(str(p.relative_to(source)) for p in source.rglob("*") if p.is_file())
    assert copied == sorted(
        str(p.relative_to(dst_root(cli) / name))
        for p in (dst_root(cli) / name).rglob("*")
        if p.is_file()
    )
    assert shown["files_transferred"] == len(copied)
    assert task_id in {t["task_id"] for t in cli.json("task", "list")["DATA"]}
    assert "SUCCEEDED" in cli.out("task", "event-list", task_id)
    assert cli.out("task", "pause-info", task_id) == f"Task {task_id} is not paused.\n"
    assert "completed before the cancel request" in cli.out("task", "cancel", task_id)
    refused = cli.run("task", "update", task_id, "--label", "late", rc=1)
    assert "ClientError.Conflict" in refused.stderr


def test_a_running_task_is_updated_then_cancelled(cli: GlobusCLI) -> None:
    control = httpx.Client(base_url=cli.emulator.url, timeout=10)
    assert control.post("/_emulator/config", json={"transfer_rate_limit": 65536}).status_code == 200
    try:
        name = f"slow-{uuid.uuid4().hex[:8]}"
        task_id = cli.json("transfer", f"{SRC}:/data1/10M.dat", f"{DST}:/{name}")["task_id"]
        assert cli.out("task", "update", task_id, "--label", "renamed") == "Success\n"
        assert cli.out("task", "show", task_id, "--jmespath", "label") == '"renamed"\n'
        assert "cancelled successfully" in cli.out("task", "cancel", task_id)
        shown = cli.json("task", "show", task_id)
        assert (shown["status"], shown["fatal_error"]["code"]) == ("FAILED", "CANCELED")
    finally:
        control.post("/_emulator/config", json={"transfer_rate_limit": None})
        control.close()


# --- bookmarks and endpoints -----------------------------------------------------------------


def test_bookmarks(cli: GlobusCLI) -> None:
    made = cli.out("bookmark", "create", f"{SRC}:/data1/", "cli-bookmark")
    bookmark_id = made.removeprefix("Bookmark ID: ").strip()
    assert str(uuid.UUID(bookmark_id)) == bookmark_id
    listed = cli.out("bookmark", "list")
    assert "cli-bookmark" in listed
    assert "ESnet Read-Only Test DTN at Starlight (emulated)" in listed
    assert cli.out("bookmark", "show", "cli-bookmark") == f"{SRC}:/data1/\n"
    assert cli.out("bookmark", "rename", "cli-bookmark", "cli-renamed") == "Success\n"
    assert cli.out("bookmark", "show", bookmark_id) == f"{SRC}:/data1/\n"
    deleted = cli.out("bookmark", "delete", "cli-renamed")
    assert deleted == f"Bookmark '{bookmark_id}' deleted successfully\n"
    missing = cli.run("bookmark", "show", "cli-renamed", rc=1)
    assert 'No bookmark found for "cli-renamed"' in missing.stderr


def test_endpoint_search_and_show(cli: GlobusCLI) -> None:
    found = cli.json("endpoint", "search", "emulated")["DATA"]
    assert {d["id"] for d in found} == {SRC, DST, DEFAULT_ENDPOINT_ID}
    table = cli.out("endpoint", "search", "starlight")
    assert SRC in table
    assert f"m-{SRC.split('-')[0]}." in table  # the Domain column
    shown = cli.json("endpoint", "show", DEFAULT_ENDPOINT_ID)
    assert (shown["entity_type"], shown["owner_id"]) == ("GCSv5_endpoint", DEFAULT_ENDPOINT_ID)
    # A collection is no endpoint: the CLI points at `globus gcs collection show` (GCS
    # Manager, not emulated), as against Globus.
    refused = cli.run("endpoint", "show", SRC, rc=3)
    assert "globus gcs collection show" in refused.stderr


# --- other logins ----------------------------------------------------------------------------


def test_logout_revokes_the_tokens(
    globus_program: Path, world_emulator: RunningEmulator, tmp_path: Path
) -> None:
    cli = GlobusCLI(globus_program, tmp_path, world_emulator)
    cli.login()
    assert "successfully logged out" in cli.out("logout", "--yes")
    refused = cli.run("whoami", rc=4)
    assert "MissingLoginError: Missing login for Globus Auth." in refused.stderr


def test_client_identity_mode(
    globus_program: Path, world_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """GLOBUS_CLI_CLIENT_ID/SECRET: the CLI acts as a confidential client, with no login."""
    made = httpx.post(
        f"{world_emulator.url}/v2/api/clients",
        json={"client": {"template_id": GLOBUS_CLI_TEMPLATE_ID, "name": "CI service"}},
        timeout=10,
    ).json()["included"]["client_credential"]
    env = {"GLOBUS_CLI_CLIENT_ID": made["client"], "GLOBUS_CLI_CLIENT_SECRET": made["secret"]}
    cli = GlobusCLI(globus_program, tmp_path, world_emulator, env)
    assert cli.out("whoami") == f"{made['client']}@clients.auth.globus.org\n"
    assert "1M.dat" in cli.out("ls", f"{SRC}:/data1/")
