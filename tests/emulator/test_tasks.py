"""Transfer and delete tasks: the engine really moving and deleting bytes, option by option."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from globus_emulator.engine import TaskEngine
from globus_emulator.tasks import Task, TransferItem
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
    world_from_document,
)
from tests.support.emulated_globus import RunningEmulator
from tests.support.tasks import BIG_FILE_BYTES, DST, RO, SRC, TaskWorld, task_world
from tests.support.transfer import issue_token, transfer_client
from tests.support.transfer import wait_done as finished

# Every field of a Globus task document, as get_task answers it.
TASK_KEYS = {
    "DATA_TYPE", "bytes_checksummed", "bytes_transferred", "canceled_by_admin",
    "canceled_by_admin_message", "command", "completion_time", "deadline",
    "delete_destination_extra", "destination_endpoint", "destination_endpoint_display_name",
    "destination_endpoint_id", "directories", "effective_bytes_per_second", "encrypt_data",
    "fail_on_quota_errors", "fatal_error", "faults", "files", "files_skipped",
    "files_transferred", "filter_rules", "history_deleted", "is_ok", "is_paused", "label",
    "nice_status", "nice_status_details", "nice_status_expires_in",
    "nice_status_short_description", "owner_id", "preserve_timestamp", "recursive_symlinks",
    "request_time", "skip_source_errors", "source_endpoint", "source_endpoint_display_name",
    "source_endpoint_id", "status", "subtasks_canceled", "subtasks_expired", "subtasks_failed",
    "subtasks_pending", "subtasks_retrying", "subtasks_skipped_errors", "subtasks_succeeded",
    "subtasks_total", "symlinks", "sync_level", "task_id", "type", "username",
    "verify_checksum",
}  # fmt: skip


def poll(check: Callable[[], Any], what: str, deadline_seconds: float = 30) -> Any:
    """Poll until ``check`` returns something truthy: for progress no event announces."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaskWorld]:
    with task_world(tmp_path_factory.mktemp("tasks")) as world:
        yield world


# --- the README walkthrough's transfer -------------------------------------------------------


def test_walkthrough_transfer_succeeds(globus_env: RunningEmulator) -> None:
    tc = transfer_client(issue_token(globus_env.emulator))
    dest = f"test-{uuid.uuid4().hex[:8]}/1M.dat"
    data = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    data.add_item("data1/1M.dat", dest)
    accepted = tc.submit_transfer(data)
    assert accepted.http_status == 202
    assert accepted["DATA_TYPE"] == "transfer_result"
    assert accepted["code"] == "Accepted"
    assert accepted["resource"] == "/v0.10/transfer"
    task_id = accepted["task_id"]
    assert accepted["task_link"] == {
        "DATA_TYPE": "link",
        "href": f"task/{task_id}?format=json",
        "rel": "related",
        "resource": "task",
        "title": "related task",
    }
    doc = finished(globus_env.emulator, tc, task_id)
    assert set(doc) >= TASK_KEYS
    assert doc["status"] == "SUCCEEDED"
    assert (doc["files"], doc["files_transferred"]) == (1, 1)
    assert doc["bytes_transferred"] == 1024 * 1024
    assert (doc["subtasks_total"], doc["subtasks_succeeded"], doc["subtasks_pending"]) == (2, 2, 0)
    assert doc["type"] == "TRANSFER"
    assert doc["username"] == "alice@example.org"
    assert doc["owner_id"] == DEFAULT_IDENTITY_ID
    assert doc["source_endpoint_id"] == DEFAULT_SOURCE_ID
    assert doc["completion_time"] and doc["request_time"] and doc["deadline"]
    assert doc["fatal_error"] is None
    colls = globus_env.emulator.world.collections
    copied = colls[DEFAULT_DESTINATION_ID].root / dest
    assert md5(copied) == md5(colls[DEFAULT_SOURCE_ID].root / "data1" / "1M.dat")


# --- transfer options ---------------------------------------------------------------------


def test_recursive_detected_when_omitted(env: TaskWorld) -> None:
    name = env.fresh()
    doc = env.wait_done(env.transfer(("/tree", f"/{name}/copy")))
    assert doc["status"] == "SUCCEEDED", doc["fatal_error"]
    assert (doc["files"], doc["files_transferred"], doc["directories"]) == (3, 3, 2)
    assert doc["bytes_transferred"] == 600
    assert (env.dst / name / "copy" / "sub" / "c.txt").read_text() == "c" * 300


def test_recursive_false_on_a_directory_fails(env: TaskWorld) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=DST)
    data.add_item("/tree", f"/{env.fresh()}", recursive=False)
    doc = env.wait_done(env.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "NOT_A_FILE"


def test_missing_destination_parents_are_created(env: TaskWorld) -> None:
    name = env.fresh()
    doc = env.wait_done(env.transfer(("/small.txt", f"/{name}/a/b/c/small.txt")))
    assert doc["status"] == "SUCCEEDED"
    assert (env.dst / name / "a" / "b" / "c" / "small.txt").read_text() == "small"


def test_resubmitting_a_submission_id_returns_the_same_task(env: TaskWorld) -> None:
    submission_id = env.tc.get_submission_id()["value"]
    data = globus_sdk.TransferData(
        source_endpoint=SRC, destination_endpoint=DST, submission_id=submission_id
    )
    data.add_item("/small.txt", f"/{env.fresh()}/small.txt")
    first = env.tc.submit_transfer(data)
    before = env.tc.task_list(limit=1000)["total"]
    again = env.tc.submit_transfer(data)
    assert (first["code"], again["code"]) == ("Accepted", "Duplicate")
    assert again["task_id"] == first["task_id"]
    assert again["submission_id"] == submission_id
    assert env.tc.task_list(limit=1000)["total"] == before


def test_verify_checksum_and_preserve_timestamp(env: TaskWorld) -> None:
    name = env.fresh()
    os.utime(env.src / "big.bin", (1_600_000_000, 1_600_000_000))
    doc = env.wait_done(
        env.transfer(
            ("/big.bin", f"/{name}/big.bin"), verify_checksum=True, preserve_timestamp=True
        ),
    )
    assert doc["status"] == "SUCCEEDED"
    assert doc["verify_checksum"] is True and doc["preserve_timestamp"] is True
    size = (env.src / "big.bin").stat().st_size
    assert doc["bytes_checksummed"] == doc["bytes_transferred"] == size
    copied = env.dst / name / "big.bin"
    assert md5(copied) == md5(env.src / "big.bin")
    assert int(copied.stat().st_mtime) == 1_600_000_000


def test_sync_level_skips_files_already_there(env: TaskWorld) -> None:
    name = env.fresh()
    assert env.wait_done(env.transfer(("/tree", f"/{name}")))["status"] == "SUCCEEDED"
    (env.src / "tree" / "a.txt").write_text("A" * 150)  # now a different size
    doc = env.wait_done(env.transfer(("/tree", f"/{name}"), sync_level="size"))
    assert doc["sync_level"] == 1
    assert (doc["files"], doc["files_transferred"], doc["files_skipped"]) == (3, 1, 2)
    assert (env.dst / name / "a.txt").read_text() == "A" * 150
    (env.src / "tree" / "a.txt").write_text("a" * 100)


def test_filter_rules_and_delete_destination_extra(env: TaskWorld) -> None:
    name = env.fresh()
    (env.dst / name).mkdir()
    (env.dst / name / "stale.txt").write_text("old")
    data = globus_sdk.TransferData(
        source_endpoint=SRC, destination_endpoint=DST, delete_destination_extra=True
    )
    data.add_item("/tree", f"/{name}")
    data.add_filter_rule("*.dat", method="exclude", type="file")
    doc = env.wait_done(env.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "SUCCEEDED"
    assert doc["filter_rules"][0]["name"] == "*.dat"
    assert sorted(p.name for p in (env.dst / name).rglob("*")) == ["a.txt", "c.txt", "sub"]


def test_missing_source_fails_unless_skip_source_errors(env: TaskWorld) -> None:
    failed = env.wait_done(env.transfer(("/gone.txt", f"/{env.fresh()}/x")))
    assert failed["status"] == "FAILED"
    assert failed["fatal_error"]["code"] == "FILE_NOT_FOUND"
    assert (failed["subtasks_total"], failed["subtasks_failed"]) == (1, 1)
    skipped = env.wait_done(
        env.transfer(
            ("/gone.txt", f"/{env.fresh()}/x"),
            ("/small.txt", f"/{env.fresh()}/y"),
            skip_source_errors=True,
        ),
    )
    assert skipped["status"] == "SUCCEEDED"
    assert skipped["files_transferred"] == 1


def test_read_only_destination_fails_with_permission_denied(env: TaskWorld) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=RO)
    data.add_item("/small.txt", "/small.txt")
    doc = env.wait_done(env.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "PERMISSION_DENIED"
    assert not (env.ro / "small.txt").exists()


# --- rate limit and cancel --------------------------------------------------------------------


def test_rate_limit_shows_active_and_cancel_stops_copying(env: TaskWorld) -> None:
    name = env.fresh()
    env.set_rate(256 * 1024)
    try:
        task_id = env.transfer(("/big.bin", f"/{name}/big.bin"))
        active = poll(
            lambda: (d := env.tc.get_task(task_id).data)["bytes_transferred"] > 0 and d,
            "bytes to move",
        )
        assert active["status"] == "ACTIVE"
        assert active["nice_status"] == "OK"
        assert active["is_ok"] is True
        assert active["completion_time"] is None
        assert active["bytes_transferred"] < BIG_FILE_BYTES
        canceled = env.tc.cancel_task(task_id)
    finally:
        env.set_rate(None)
    assert (canceled["DATA_TYPE"], canceled["code"]) == ("result", "Canceled")
    doc = env.tc.get_task(task_id).data
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "CANCELED"
    assert (doc["subtasks_total"], doc["subtasks_canceled"]) == (2, 2)
    # "Canceled" is answered once the task has ended: its worker has left the copy loop and
    # closed the file, so the partial file holds exactly the bytes counted, and no more come.
    partial = env.dst / name / "big.bin"
    assert partial.stat().st_size == doc["bytes_transferred"] < BIG_FILE_BYTES
    assert env.tc.cancel_task(task_id)["code"] == "TaskComplete"


def test_cancel_of_a_finished_task_is_task_complete(env: TaskWorld) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    env.wait_done(task_id)
    done = env.tc.cancel_task(task_id)
    assert done["code"] == "TaskComplete"
    assert env.tc.get_task(task_id)["status"] == "SUCCEEDED"


# --- delete -------------------------------------------------------------------------------


def test_submit_delete_recursive_and_ignore_missing(env: TaskWorld) -> None:
    name = env.fresh()
    (env.dst / name / "d").mkdir(parents=True)
    (env.dst / name / "d" / "f").write_text("x")
    (env.dst / name / "g").write_text("y")
    flat = globus_sdk.DeleteData(endpoint=DST)
    flat.add_item(f"/{name}/d")
    accepted = env.tc.submit_delete(flat)
    assert (accepted["DATA_TYPE"], accepted["code"]) == ("delete_result", "Accepted")
    refused = env.wait_done(accepted["task_id"])
    assert refused["status"] == "FAILED"
    assert (env.dst / name / "d" / "f").exists()

    missing = globus_sdk.DeleteData(endpoint=DST, recursive=True)
    missing.add_item(f"/{name}/nope")
    assert env.wait_done(env.tc.submit_delete(missing)["task_id"])["status"] == "FAILED"

    full = globus_sdk.DeleteData(endpoint=DST, recursive=True, ignore_missing=True)
    full.add_item(f"/{name}/d")
    full.add_item(f"/{name}/g")
    full.add_item(f"/{name}/nope")
    doc = env.wait_done(env.tc.submit_delete(full)["task_id"])
    assert doc["status"] == "SUCCEEDED"
    assert doc["type"] == "DELETE"
    assert doc["destination_endpoint_id"] is None
    assert list((env.dst / name).iterdir()) == []


def test_delete_on_read_only_collection_fails(env: TaskWorld) -> None:
    data = globus_sdk.DeleteData(endpoint=RO, recursive=True)
    data.add_item("/anything")
    doc = env.wait_done(env.tc.submit_delete(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "PERMISSION_DENIED"


# --- the engine itself --------------------------------------------------------------------


def test_engine_shutdown_stops_running_tasks(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "d").mkdir()
    (tmp_path / "s" / "f").write_bytes(b"x" * 1024 * 1024)
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [{"id": DEFAULT_IDENTITY_ID, "username": "a@example.org"}],
            "collections": [
                {"id": SRC, "root": str(tmp_path / "s")},
                {"id": DST, "root": str(tmp_path / "d")},
            ],
            "transfer_rate_limit": 10_000,  # would take ~100 s
        }
    )
    engine = TaskEngine(world)
    now = datetime.now(UTC)
    task = Task(
        task_id=str(uuid.uuid4()),
        type="TRANSFER",
        owner_id=DEFAULT_IDENTITY_ID,
        username="a@example.org",
        submission_id=str(uuid.uuid4()),
        source=world.collections[SRC],
        destination=world.collections[DST],
        items=[TransferItem("/f", "/f", None)],
        options={},
        label=None,
        request_time=now,
        deadline=now + timedelta(hours=1),
    )
    engine.submit(task)
    poll(lambda: task.bytes_transferred > 0, "the copy to start")
    engine.shutdown()  # returns only once the workers have stopped
    assert task.finished.is_set()
    assert task.document()["status"] == "FAILED"
    assert task.bytes_transferred < 1024 * 1024


def test_delete_destination_extra_through_a_linked_destination(env: TaskWorld) -> None:
    """A destination reached through a symlink inside the root keeps the files just copied."""
    name = env.fresh()
    (env.dst / f"{name}-real").mkdir()
    (env.dst / f"{name}-real" / "stale.txt").write_text("old")
    (env.dst / name).symlink_to(env.dst / f"{name}-real", target_is_directory=True)
    data = globus_sdk.TransferData(
        source_endpoint=SRC, destination_endpoint=DST, delete_destination_extra=True
    )
    data.add_item("/tree", f"/{name}")
    assert env.wait_done(env.tc.submit_transfer(data)["task_id"])["status"] == "SUCCEEDED"
    kept = sorted(p.name for p in (env.dst / f"{name}-real").rglob("*"))
    assert kept == ["a.txt", "b.dat", "c.txt", "sub"]
