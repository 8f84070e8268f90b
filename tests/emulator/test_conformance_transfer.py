"""Ground truth: the emulator's Transfer documents against globus-sdk's recorded Globus responses.

The recorded responses are loaded at test time from ``globus_sdk.testing``. For every method
that has them, the emulator's document must carry every recorded field with the same JSON
type (a recorded null accepts any type). Error cases must also match status and ``code``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk
import pytest
from globus_sdk.testing import get_response_set

from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE, Grant
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
)
from tests.conftest import RunningEmulator

TC = globus_sdk.TransferClient
# Fields the recordings show with a value where Globus also sends null:
# - a GCSv4 host endpoint's expire_time, null for the GCSv5 collections the emulator serves;
# - next_marker, null on the last page (globus-sdk's NullableMarkerPaginator stops on it).
KNOWN_NULLS = {
    "get_endpoint": {"expire_time"},
    "task_successful_transfers": {"next_marker"},
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def mismatches(recorded: Any, ours: Any, where: str, nullable: set[str]) -> list[str]:
    """Every place where ``ours`` lacks a recorded field or has another JSON type."""
    rtype, otype = json_type(recorded), json_type(ours)
    if rtype == "null" or (otype == "null" and where.rsplit(".", 1)[-1] in nullable):
        return []
    if rtype != otype:
        return [f"{where}: recorded {rtype}, emulator {otype}"]
    found: list[str] = []
    if rtype == "object":
        for key, value in recorded.items():
            if key not in ours:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(value, ours[key], f"{where}.{key}", nullable)
    elif rtype == "array" and recorded and ours:
        found += mismatches(recorded[0], ours[0], f"{where}[0]", nullable)
    return found


def recorded(method: Callable[..., Any], case: str = "default") -> tuple[int, dict[str, Any]]:
    response = get_response_set(method).lookup(case)
    assert isinstance(response.json, dict)
    return response.status, response.json


def assert_conforms(
    name: str, method: Callable[..., Any], ours: Any, case: str = "default"
) -> None:
    _status, doc = recorded(method, case)
    problems = mismatches(doc, ours, name, KNOWN_NULLS.get(name, set()))
    assert not problems, problems


def error_of(call: Callable[[], Any]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        call()
    return info.value


def assert_error_conforms(
    name: str, method: Callable[..., Any], case: str, err: globus_sdk.TransferAPIError
) -> None:
    status, doc = recorded(method, case)
    assert (err.http_status, err.code) == (status, doc["code"])
    assert_conforms(name, method, err.raw_json, case)


@pytest.fixture
def tc(globus_env: RunningEmulator) -> globus_sdk.TransferClient:
    grant = Grant(DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE)
    token = globus_env.emulator.tokens.issue(grant, with_refresh=True)[0].token
    return TC(authorizer=globus_sdk.AccessTokenAuthorizer(token))


@pytest.fixture
def workdir(globus_env: RunningEmulator) -> tuple[str, Path]:
    name = f"conformance-{uuid.uuid4().hex[:8]}"
    local = globus_env.emulator.world.collections[DEFAULT_DESTINATION_ID].root / name
    local.mkdir()
    return f"/{name}", local


def wait_done(tc: globus_sdk.TransferClient, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        doc = tc.get_task(task_id).data
        if doc["status"] in ("SUCCEEDED", "FAILED"):
            return doc
        time.sleep(0.02)
    raise AssertionError("task did not end")


def test_recordings_are_loaded_from_globus_sdk() -> None:
    """The comparisons below can fail: a document lacking a field is caught."""
    _, doc = recorded(TC.get_endpoint)
    assert doc["DATA_TYPE"] == "endpoint"
    broken = {k: v for k, v in doc.items() if k != "display_name"}
    assert mismatches(doc, broken, "x", set()) == ["x.display_name: missing"]
    assert mismatches({"a": 1}, {"a": "1"}, "x", set()) == ["x.a: recorded number, emulator string"]


def test_get_endpoint(tc: globus_sdk.TransferClient) -> None:
    assert_conforms("get_endpoint", TC.get_endpoint, tc.get_endpoint(DEFAULT_SOURCE_ID).data)


def test_get_submission_id(tc: globus_sdk.TransferClient) -> None:
    ours = tc.get_submission_id().data
    assert_conforms("get_submission_id", TC.get_submission_id, ours)
    uuid.UUID(ours["value"])
    assert ours["DATA_TYPE"] == "submission_id"  # as Globus sends it, beyond the recording


def test_operation_mkdir_and_rename(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, _ = workdir
    made = tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/d").data
    assert_conforms("operation_mkdir", TC.operation_mkdir, made)
    renamed = tc.operation_rename(DEFAULT_DESTINATION_ID, f"{cpath}/d", f"{cpath}/e").data
    assert_conforms("operation_rename", TC.operation_rename, renamed)
    assert made["code"] == recorded(TC.operation_mkdir)[1]["code"]
    assert renamed["code"] == recorded(TC.operation_rename)[1]["code"]


def test_operation_stat_cases(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path], tmp_path: Path
) -> None:
    ours = tc.operation_stat(DEFAULT_SOURCE_ID, path="/data1/1M.dat").data
    assert_conforms("operation_stat", TC.operation_stat, ours)
    assert set(ours) == set(recorded(TC.operation_stat)[1])

    missing = error_of(lambda: tc.operation_stat(DEFAULT_SOURCE_ID, path="/~/foo"))
    assert_error_conforms("operation_stat", TC.operation_stat, "not_found", missing)

    cpath, local = workdir
    (local / "out").symlink_to(tmp_path)
    refused = error_of(lambda: tc.operation_stat(DEFAULT_DESTINATION_ID, path=f"{cpath}/out"))
    assert_error_conforms("operation_stat", TC.operation_stat, "permission_denied", refused)


def test_ls_entries_match_the_recorded_file_document(tc: globus_sdk.TransferClient) -> None:
    """No recording of operation_ls; its entries are the stat ``file`` document."""
    entry = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter="name:=1M.dat")["DATA"][0]
    assert_conforms("operation_ls.DATA[0]", TC.operation_stat, entry)


def test_submit_transfer_and_task_documents(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, _ = workdir
    data = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    data.add_item("/data1/tree", f"{cpath}/tree")
    accepted = tc.submit_transfer(data).data
    assert_conforms("submit_transfer", TC.submit_transfer, accepted)
    task_id = accepted["task_id"]
    wait_done(tc, task_id)

    listing = tc.task_list(filter=f"task_id:{task_id}").data
    assert_conforms("task_list", TC.task_list, listing)
    task_doc = recorded(TC.task_list)[1]["DATA"][0]
    problems = mismatches(task_doc, tc.get_task(task_id).data, "get_task", set())
    assert not problems, problems

    moved = tc.task_successful_transfers(task_id).data
    assert_conforms(
        "task_successful_transfers", TC.endpoint_manager_task_successful_transfers, moved
    )


def test_submit_transfer_without_items(tc: globus_sdk.TransferClient) -> None:
    empty = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    err = error_of(lambda: tc.submit_transfer(empty))
    assert_error_conforms("submit_transfer", TC.submit_transfer, "failure", err)


def test_submit_delete(tc: globus_sdk.TransferClient, workdir: tuple[str, Path]) -> None:
    cpath, local = workdir
    (local / "gone.txt").write_text("x")
    data = globus_sdk.DeleteData(endpoint=DEFAULT_DESTINATION_ID)
    data.add_item(f"{cpath}/gone.txt")
    accepted = tc.submit_delete(data).data
    assert_conforms("submit_delete", TC.submit_delete, accepted)
    assert wait_done(tc, accepted["task_id"])["status"] == "SUCCEEDED"
    assert not (local / "gone.txt").exists()


def test_cancel_task(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path], globus_env: RunningEmulator
) -> None:
    cpath, _ = workdir
    world = globus_env.emulator.world
    world.transfer_rate_limit = 512 * 1024
    try:
        data = globus_sdk.TransferData(
            source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
        )
        data.add_item("/data1/10M.dat", f"{cpath}/10M.dat")
        task_id = tc.submit_transfer(data)["task_id"]
        canceled = tc.cancel_task(task_id).data
    finally:
        world.transfer_rate_limit = None
    assert_conforms("cancel_task", TC.cancel_task, canceled)
    assert canceled["code"] == recorded(TC.cancel_task)[1]["code"] == "Canceled"
    assert canceled["resource"] == f"/v0.10/task/{task_id}/cancel"
