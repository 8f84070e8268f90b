"""Transfer and delete tasks: submission, the engine really moving bytes, and task inspection."""

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
import httpx
import pytest

from globus_emulator.engine import TaskEngine
from globus_emulator.state import Emulator
from globus_emulator.tasks import Task, TransferItem
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
    world_from_document,
)
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.transfer import issue_token, transfer_client
from tests.support.transfer import wait_done as finished

SRC = "0a000000-0000-4000-8000-000000000001"
DST = "0a000000-0000-4000-8000-000000000002"
RO = "0a000000-0000-4000-8000-000000000003"
BOB = "0b000000-0000-4000-8000-00000000000b"
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


class Env:
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
        return finished(self.emu, tc or self.tc, task_id)

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


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    base = tmp_path_factory.mktemp("tasks")
    src, dst, ro = base / "src", base / "dst", base / "ro"
    for d in (src, dst, ro):
        d.mkdir()
    (src / "big.bin").write_bytes(os.urandom(4 * 1024 * 1024))
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
        yield Env(running, src, dst, ro)


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


def test_recursive_detected_when_omitted(env: Env) -> None:
    name = env.fresh()
    doc = env.wait_done(env.transfer(("/tree", f"/{name}/copy")))
    assert doc["status"] == "SUCCEEDED", doc["fatal_error"]
    assert (doc["files"], doc["files_transferred"], doc["directories"]) == (3, 3, 2)
    assert doc["bytes_transferred"] == 600
    assert (env.dst / name / "copy" / "sub" / "c.txt").read_text() == "c" * 300


def test_recursive_false_on_a_directory_fails(env: Env) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=DST)
    data.add_item("/tree", f"/{env.fresh()}", recursive=False)
    doc = env.wait_done(env.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "NOT_A_FILE"


def test_missing_destination_parents_are_created(env: Env) -> None:
    name = env.fresh()
    doc = env.wait_done(env.transfer(("/small.txt", f"/{name}/a/b/c/small.txt")))
    assert doc["status"] == "SUCCEEDED"
    assert (env.dst / name / "a" / "b" / "c" / "small.txt").read_text() == "small"


def test_resubmitting_a_submission_id_returns_the_same_task(env: Env) -> None:
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


def test_verify_checksum_and_preserve_timestamp(env: Env) -> None:
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


def test_sync_level_skips_files_already_there(env: Env) -> None:
    name = env.fresh()
    assert env.wait_done(env.transfer(("/tree", f"/{name}")))["status"] == "SUCCEEDED"
    (env.src / "tree" / "a.txt").write_text("A" * 150)  # now a different size
    doc = env.wait_done(env.transfer(("/tree", f"/{name}"), sync_level="size"))
    assert doc["sync_level"] == 1
    assert (doc["files"], doc["files_transferred"], doc["files_skipped"]) == (3, 1, 2)
    assert (env.dst / name / "a.txt").read_text() == "A" * 150
    (env.src / "tree" / "a.txt").write_text("a" * 100)


def test_filter_rules_and_delete_destination_extra(env: Env) -> None:
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


def test_missing_source_fails_unless_skip_source_errors(env: Env) -> None:
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


def test_read_only_destination_fails_with_permission_denied(env: Env) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=RO)
    data.add_item("/small.txt", "/small.txt")
    doc = env.wait_done(env.tc.submit_transfer(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "PERMISSION_DENIED"
    assert not (env.ro / "small.txt").exists()


# --- rate limit and cancel --------------------------------------------------------------------


def test_rate_limit_shows_active_and_cancel_stops_copying(env: Env) -> None:
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
        assert active["bytes_transferred"] < 4 * 1024 * 1024
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
    assert partial.stat().st_size == doc["bytes_transferred"] < 4 * 1024 * 1024
    assert env.tc.cancel_task(task_id)["code"] == "TaskComplete"


def test_cancel_of_a_finished_task_is_task_complete(env: Env) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    env.wait_done(task_id)
    done = env.tc.cancel_task(task_id)
    assert done["code"] == "TaskComplete"
    assert env.tc.get_task(task_id)["status"] == "SUCCEEDED"


# --- inspection ---------------------------------------------------------------------------


def test_event_list_and_successful_transfers(env: Env) -> None:
    name = env.fresh()
    task_id = env.transfer(("/tree", f"/{name}"))
    env.wait_done(task_id)
    events = env.tc.task_event_list(task_id)
    assert events["DATA_TYPE"] == "event_list"
    codes = [e["code"] for e in events]
    assert codes[0] == "SUCCEEDED" and codes[-1] == "STARTED"
    assert {"DATA_TYPE", "code", "description", "details", "is_error", "time"} <= set(
        events["DATA"][0]
    )
    moved = env.tc.task_successful_transfers(task_id)
    assert moved["DATA_TYPE"] == "successful_transfers"
    pairs = sorted((m["source_path"], m["destination_path"]) for m in moved)
    assert pairs == [
        ("/tree/a.txt", f"/{name}/a.txt"),
        ("/tree/b.dat", f"/{name}/b.dat"),
        ("/tree/sub/c.txt", f"/{name}/sub/c.txt"),
    ]


def test_task_list_filters(env: Env) -> None:
    transfer_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    delete = globus_sdk.DeleteData(endpoint=DST, ignore_missing=True)
    delete.add_item(f"/{env.fresh()}")
    delete_id = env.tc.submit_delete(delete)["task_id"]
    env.wait_done(transfer_id)
    env.wait_done(delete_id)
    listing = env.tc.task_list(filter={"task_id": [transfer_id, delete_id]})
    assert listing["DATA_TYPE"] == "task_list"
    assert {t["task_id"] for t in listing} == {transfer_id, delete_id}
    deletes = env.tc.task_list(limit=1000, filter="type:DELETE")
    assert delete_id in {t["task_id"] for t in deletes}
    assert {t["type"] for t in deletes} == {"DELETE"}
    succeeded = env.tc.task_list(limit=1000, filter="status:SUCCEEDED/type:TRANSFER")
    assert transfer_id in {t["task_id"] for t in succeeded}
    active = env.tc.task_list(limit=1000, filter="status:ACTIVE,INACTIVE")
    assert transfer_id not in {t["task_id"] for t in active}
    with pytest.raises(globus_sdk.TransferAPIError) as bad:
        env.tc.task_list(filter="colour:red")
    assert (bad.value.http_status, bad.value.code) == (400, "ClientError.BadRequest")


def test_someone_elses_task_is_not_found(env: Env) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    bob = transfer_client(issue_token(env.emu, identity=BOB), env.running.url + "/")
    for call in (bob.get_task, bob.cancel_task, bob.task_event_list):
        with pytest.raises(globus_sdk.TransferAPIError) as info:
            call(task_id)
        assert (info.value.http_status, info.value.code) == (404, "TaskNotFound")
    assert task_id not in {t["task_id"] for t in bob.task_list(limit=1000)}
    assert env.wait_done(task_id)["username"] == "alice@example.org"


def test_client_identity_owns_its_tasks(env: Env) -> None:
    """A client_credentials token acts as a client id that is no identity in the world."""
    client_identity = str(uuid.uuid4())
    tc = transfer_client(issue_token(env.emu, identity=client_identity), env.running.url + "/")
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=DST)
    data.add_item("/small.txt", f"/{env.fresh()}/s")
    doc = env.wait_done(tc.submit_transfer(data)["task_id"], tc)
    assert doc["owner_id"] == client_identity
    assert doc["username"] == f"{client_identity}@clients.auth.globus.org"


# --- delete -------------------------------------------------------------------------------


def test_submit_delete_recursive_and_ignore_missing(env: Env) -> None:
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


def test_delete_on_read_only_collection_fails(env: Env) -> None:
    data = globus_sdk.DeleteData(endpoint=RO, recursive=True)
    data.add_item("/anything")
    doc = env.wait_done(env.tc.submit_delete(data)["task_id"])
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "PERMISSION_DENIED"


# --- malformed submissions ------------------------------------------------------------------


def _item(**extra: Any) -> dict[str, Any]:
    return {"DATA_TYPE": "transfer_item", "source_path": "/a", "destination_path": "/b", **extra}


def _transfer(**extra: Any) -> dict[str, Any]:
    return {
        "DATA_TYPE": "transfer",
        "source_endpoint": SRC,
        "destination_endpoint": DST,
        "DATA": [_item()],
        **extra,
    }


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/v0.10/transfer", b"{not json", "ClientError.BadRequest"),
        ("/v0.10/transfer", b"", "ClientError.BadRequest"),
        ("/v0.10/transfer", b'"a string"', "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA_TYPE="delete"), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA=None), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA=[]), "ClientError.BadRequest.NoTransferItems"),
        ("/v0.10/transfer", _transfer(DATA=["x"]), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA=[_item(DATA_TYPE="x")]), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA=[_item(recursive="False")]), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(DATA=[_item(source_path=None)]), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(sync_level=7), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(verify_checksum="yes"), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(deadline="tomorrow"), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(filter_rules=[{"x": 1}]), "ClientError.BadRequest"),
        ("/v0.10/transfer", _transfer(source_endpoint=None), "ClientError.BadRequest"),
        ("/v0.10/delete", {"DATA_TYPE": "delete", "endpoint": DST, "DATA": []},
         "ClientError.BadRequest.NoDeleteItems"),
        ("/v0.10/delete", {"DATA_TYPE": "delete", "endpoint": DST,
                           "DATA": [{"DATA_TYPE": "delete_item"}]}, "ClientError.BadRequest"),
        ("/v0.10/delete", {"DATA_TYPE": "transfer", "endpoint": DST}, "ClientError.BadRequest"),
    ],
)  # fmt: skip
def test_malformed_submissions_are_400(env: Env, path: str, body: Any, code: str) -> None:
    before = len(env.tc.task_list(limit=1000)["DATA"])
    token = issue_token(env.emu)
    content = body if isinstance(body, bytes) else None
    response = httpx.post(
        env.running.url + path,
        content=content,
        json=None if content is not None else body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    doc = response.json()
    assert doc["code"] == code
    assert doc["resource"] == path
    assert len(env.tc.task_list(limit=1000)["DATA"]) == before


def test_unknown_collection_at_submit_is_endpoint_not_found(env: Env) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=str(uuid.uuid4()))
    data.add_item("/small.txt", "/x")
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        env.tc.submit_transfer(data)
    assert (info.value.http_status, info.value.code) == (404, "EndpointNotFound")


def test_deadline_is_kept_and_a_passed_deadline_expires_the_task(env: Env) -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    doc = env.wait_done(env.transfer(("/small.txt", f"/{env.fresh()}/s"), deadline=later))
    assert doc["deadline"] == later.replace(microsecond=0).isoformat()
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = env.wait_done(env.transfer(("/small.txt", f"/{env.fresh()}/s"), deadline=past))
    assert expired["status"] == "FAILED"
    assert expired["fatal_error"]["code"] == "EXPIRED"


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


def test_delete_destination_extra_through_a_linked_destination(env: Env) -> None:
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
