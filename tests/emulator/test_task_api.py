"""Tasks over the API: submissions refused or kept, and inspecting tasks (events, files,
lists, owners)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import globus_sdk
import httpx
import pytest

from tests.support.tasks import BOB, DST, SRC, TaskWorld, task_world
from tests.support.transfer import issue_token, transfer_client


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaskWorld]:
    with task_world(tmp_path_factory.mktemp("tasks")) as world:
        yield world


# --- inspection ---------------------------------------------------------------------------


def test_event_list_and_successful_transfers(env: TaskWorld) -> None:
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


def test_task_list_filters(env: TaskWorld) -> None:
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


def test_someone_elses_task_is_not_found(env: TaskWorld) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    bob = transfer_client(issue_token(env.emu, identity=BOB), env.running.url + "/")
    for call in (bob.get_task, bob.cancel_task, bob.task_event_list):
        with pytest.raises(globus_sdk.TransferAPIError) as info:
            call(task_id)
        assert (info.value.http_status, info.value.code) == (404, "TaskNotFound")
    assert task_id not in {t["task_id"] for t in bob.task_list(limit=1000)}
    assert env.wait_done(task_id)["username"] == "alice@example.org"


def test_client_identity_owns_its_tasks(env: TaskWorld) -> None:
    """A client_credentials token acts as a client id that is no identity in the world."""
    client_identity = str(uuid.uuid4())
    tc = transfer_client(issue_token(env.emu, identity=client_identity), env.running.url + "/")
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=DST)
    data.add_item("/small.txt", f"/{env.fresh()}/s")
    doc = env.wait_done(tc.submit_transfer(data)["task_id"], tc)
    assert doc["owner_id"] == client_identity
    assert doc["username"] == f"{client_identity}@clients.auth.globus.org"


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
def test_malformed_submissions_are_400(env: TaskWorld, path: str, body: Any, code: str) -> None:
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


def test_unknown_collection_at_submit_is_endpoint_not_found(env: TaskWorld) -> None:
    data = globus_sdk.TransferData(source_endpoint=SRC, destination_endpoint=str(uuid.uuid4()))
    data.add_item("/small.txt", "/x")
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        env.tc.submit_transfer(data)
    assert (info.value.http_status, info.value.code) == (404, "EndpointNotFound")


def test_deadline_is_kept_and_a_passed_deadline_expires_the_task(env: TaskWorld) -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    doc = env.wait_done(env.transfer(("/small.txt", f"/{env.fresh()}/s"), deadline=later))
    assert doc["deadline"] == later.replace(microsecond=0).isoformat()
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = env.wait_done(env.transfer(("/small.txt", f"/{env.fresh()}/s"), deadline=past))
    assert expired["status"] == "FAILED"
    assert expired["fatal_error"]["code"] == "EXPIRED"
