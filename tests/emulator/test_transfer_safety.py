"""No path, ``..`` or symlink reaches outside a collection's root: ls, stat, mkdir, rename,
transfer and delete, all over HTTP through the real globus-sdk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, world_from_document
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.transfer import issue_token, transfer_client
from tests.support.transfer import wait_done as finished

COLL = "0c000000-0000-4000-8000-000000000001"
SECRET = "top secret"


@dataclass
class Jail:
    running: RunningEmulator
    tc: globus_sdk.TransferClient
    root: Path
    outside: Path


@pytest.fixture(scope="module")
def jail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jail]:
    base = tmp_path_factory.mktemp("jail")
    root, outside = base / "root", base / "outside"
    (root / "data").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (root / "data" / "file.txt").write_text("inside")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "secret_link").symlink_to(outside / "secret.txt")
    (root / "inside_link").symlink_to(root / "data" / "file.txt")
    (root / "dangling").symlink_to(root / "nowhere")
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [{"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org"}],
            "collections": [{"id": COLL, "display_name": "Jail", "root": str(root)}],
        }
    )
    with serving(world) as running:
        tc = transfer_client(issue_token(running.emulator), running.url + "/")
        yield Jail(running, tc, root, outside)


def denied(call: Any) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        call()
    assert (info.value.http_status, info.value.code) == (403, "EndpointPermissionDenied")
    return info.value


def outside_untouched(jail: Jail) -> None:
    assert sorted(p.name for p in jail.outside.iterdir()) == ["secret.txt"]
    assert (jail.outside / "secret.txt").read_text() == SECRET


def wait_done(jail: Jail, task_id: str) -> dict[str, Any]:
    return finished(jail.running.emulator, jail.tc, task_id)


@pytest.mark.parametrize("path", ["/..", "/../..", "/data/../../..", "../../..", "/~/../../"])
def test_dotdot_stops_at_the_collection_root(jail: Jail, path: str) -> None:
    names = {e["name"] for e in jail.tc.operation_ls(COLL, path=path)}
    assert names == {"data", "escape", "secret_link", "inside_link", "dangling"}


def test_listing_does_not_follow_links_out(jail: Jail) -> None:
    entries = {e["name"]: e for e in jail.tc.operation_ls(COLL, path="/")}
    for name in ("escape", "secret_link", "dangling"):
        assert entries[name]["type"] == "invalid_symlink"
        assert entries[name]["link_target"] is None
    inside = entries["inside_link"]
    assert (inside["type"], inside["link_target"]) == ("file", "/data/file.txt")
    assert inside["size"] == len("inside")


def test_ls_and_stat_through_outside_links_are_denied(jail: Jail) -> None:
    denied(lambda: jail.tc.operation_ls(COLL, path="/escape"))
    denied(lambda: jail.tc.operation_ls(COLL, path="/escape/../escape/"))
    denied(lambda: jail.tc.operation_stat(COLL, path="/secret_link"))
    denied(lambda: jail.tc.operation_stat(COLL, path="/escape/secret.txt"))
    err = denied(lambda: jail.tc.operation_ls(COLL, path="/escape"))
    assert str(jail.outside) not in err.message


def test_absolute_host_paths_stay_inside(jail: Jail) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        jail.tc.operation_ls(COLL, path=str(jail.outside))
    assert (info.value.http_status, info.value.code) == (404, "ClientError.NotFound")
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        jail.tc.operation_stat(COLL, path="/etc/passwd")
    assert (info.value.http_status, info.value.code) == (404, "NotFound")


def test_mkdir_and_rename_cannot_leave(jail: Jail) -> None:
    denied(lambda: jail.tc.operation_mkdir(COLL, "/escape/planted"))
    denied(lambda: jail.tc.operation_rename(COLL, "/data/file.txt", "/escape/stolen.txt"))
    denied(lambda: jail.tc.operation_rename(COLL, "/escape/secret.txt", "/data/stolen.txt"))
    made = jail.tc.operation_mkdir(COLL, "/../../data/made-here")
    assert made["code"] == "DirectoryCreated"
    assert (jail.root / "data" / "made-here").is_dir()
    outside_untouched(jail)
    assert (jail.root / "data" / "file.txt").read_text() == "inside"


def test_transfers_cannot_read_or_write_outside(jail: Jail) -> None:
    for source, dest in [
        ("/escape/secret.txt", "/data/copied.txt"),
        ("/secret_link", "/data/copied.txt"),
        ("/data/file.txt", "/escape/planted.txt"),
        ("/data/file.txt", "/secret_link"),
    ]:
        data = globus_sdk.TransferData(source_endpoint=COLL, destination_endpoint=COLL)
        data.add_item(source, dest)
        doc = wait_done(jail, jail.tc.submit_transfer(data)["task_id"])
        assert doc["status"] == "FAILED", (source, dest)
        assert doc["fatal_error"]["code"] == "PERMISSION_DENIED"
    outside_untouched(jail)
    assert not (jail.root / "data" / "copied.txt").exists()


def test_recursive_transfer_skips_symlinks(jail: Jail) -> None:
    data = globus_sdk.TransferData(source_endpoint=COLL, destination_endpoint=COLL)
    data.add_item("/", "/data/mirror")
    doc = wait_done(jail, jail.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "SUCCEEDED", doc["fatal_error"]
    copied = {p.name for p in (jail.root / "data" / "mirror").rglob("*")}
    assert "secret.txt" not in copied
    assert "secret_link" not in copied
    for path in (jail.root / "data" / "mirror").rglob("*"):
        assert not path.is_file() or path.read_text() != SECRET


def test_delete_removes_the_link_never_the_target(jail: Jail) -> None:
    refused = globus_sdk.DeleteData(endpoint=COLL, recursive=True)
    refused.add_item("/escape/secret.txt")
    doc = wait_done(jail, jail.tc.submit_delete(refused)["task_id"])
    assert doc["status"] == "FAILED"
    outside_untouched(jail)

    jail.root.joinpath("escape2").symlink_to(jail.outside, target_is_directory=True)
    link_only = globus_sdk.DeleteData(endpoint=COLL, recursive=True)
    link_only.add_item("/escape2")
    assert wait_done(jail, jail.tc.submit_delete(link_only)["task_id"])["status"] == "SUCCEEDED"
    assert not jail.root.joinpath("escape2").is_symlink()
    outside_untouched(jail)
