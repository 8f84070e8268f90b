"""Ground truth: the emulator's Transfer documents against globus-sdk's recorded Globus responses.

The recorded responses are loaded at test time from ``globus_sdk.testing``. For every method
that has them, the emulator's document must carry every recorded field with the same JSON
type (a recorded null accepts any type). Error cases must also match status and ``code``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk

from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_ENDPOINT_ID, DEFAULT_SOURCE_ID
from tests.support.emulated_globus import RunningEmulator
from tests.support.recordings import mismatches, recorded
from tests.support.transfer import api_error, wait_done

TC = globus_sdk.TransferClient
# Fields the recordings show with a value where Globus also sends null:
# - a GCSv4 host endpoint's expire_time and its server's subject (a certificate DN), null for
#   the GCSv5 collections and endpoints the emulator serves;
# - next_marker, null on the last page (globus-sdk's NullableMarkerPaginator stops on it).
KNOWN_NULLS = {
    "get_endpoint": {"expire_time", "subject"},
    "task_successful_transfers": {"next_marker"},
}


def recorded_doc(method: Callable[..., Any], case: str = "default") -> tuple[int, dict[str, Any]]:
    status, doc = recorded(method, case)
    assert isinstance(doc, dict)
    return status, doc


def assert_conforms(
    name: str, method: Callable[..., Any], ours: Any, case: str = "default"
) -> None:
    _status, doc = recorded_doc(method, case)
    problems = mismatches(doc, ours, name, nullable=KNOWN_NULLS.get(name, set()))
    assert not problems, problems


def assert_error_conforms(
    name: str, method: Callable[..., Any], case: str, err: globus_sdk.TransferAPIError
) -> None:
    status, doc = recorded_doc(method, case)
    assert (err.http_status, err.code) == (status, doc["code"])
    assert_conforms(name, method, err.raw_json, case)


def test_recordings_are_loaded_from_globus_sdk() -> None:
    """The comparisons below can fail: a document lacking a field is caught."""
    _, doc = recorded_doc(TC.get_endpoint)
    assert doc["DATA_TYPE"] == "endpoint"
    broken = {k: v for k, v in doc.items() if k != "display_name"}
    assert mismatches(doc, broken, "x") == ["x.display_name: missing"]
    assert mismatches({"a": 1}, {"a": "1"}, "x") == ["x.a: recorded number, emulator string"]
    assert mismatches({"a": [{"b": 1}]}, {"a": [{"b": 1}, {}]}, "x") == ["x.a[1].b: missing"]
    assert mismatches({"a": None}, {"a": 1}, "x", recorded_null_is_any=False) == [
        "x.a: recorded null, emulator number"
    ]


def test_get_endpoint(tc: globus_sdk.TransferClient) -> None:
    assert_conforms("get_endpoint", TC.get_endpoint, tc.get_endpoint(DEFAULT_SOURCE_ID).data)


def test_get_endpoint_of_a_gcsv5_endpoint(tc: globus_sdk.TransferClient) -> None:
    ours = tc.get_endpoint(DEFAULT_ENDPOINT_ID).data
    assert_conforms("get_endpoint", TC.get_endpoint, ours)
    assert (ours["entity_type"], ours["non_functional"]) == ("GCSv5_endpoint", True)


def test_get_submission_id(tc: globus_sdk.TransferClient) -> None:
    ours = tc.get_submission_id().data
    assert_conforms("get_submission_id", TC.get_submission_id, ours)
    assert str(uuid.UUID(ours["value"])) == ours["value"]
    assert ours["DATA_TYPE"] == "submission_id"  # as Globus sends it, beyond the recording


def test_operation_mkdir_and_rename(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, _ = workdir
    made = tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/d").data
    assert_conforms("operation_mkdir", TC.operation_mkdir, made)
    renamed = tc.operation_rename(DEFAULT_DESTINATION_ID, f"{cpath}/d", f"{cpath}/e").data
    assert_conforms("operation_rename", TC.operation_rename, renamed)
    assert made["code"] == recorded_doc(TC.operation_mkdir)[1]["code"]
    assert renamed["code"] == recorded_doc(TC.operation_rename)[1]["code"]


def test_operation_stat_cases(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path], tmp_path: Path
) -> None:
    ours = tc.operation_stat(DEFAULT_SOURCE_ID, path="/data1/1M.dat").data
    assert_conforms("operation_stat", TC.operation_stat, ours)
    assert set(ours) == set(recorded_doc(TC.operation_stat)[1])

    missing = api_error(lambda: tc.operation_stat(DEFAULT_SOURCE_ID, path="/~/foo"))
    assert_error_conforms("operation_stat", TC.operation_stat, "not_found", missing)

    cpath, local = workdir
    (local / "out").symlink_to(tmp_path)
    refused = api_error(lambda: tc.operation_stat(DEFAULT_DESTINATION_ID, path=f"{cpath}/out"))
    assert_error_conforms("operation_stat", TC.operation_stat, "permission_denied", refused)


def test_ls_entries_match_the_recorded_file_document(tc: globus_sdk.TransferClient) -> None:
    """No recording of operation_ls; its entries are the stat ``file`` document."""
    entry = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter="name:=1M.dat")["DATA"][0]
    assert_conforms("operation_ls.DATA[0]", TC.operation_stat, entry)


def test_submit_transfer_and_task_documents(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path], globus_env: RunningEmulator
) -> None:
    cpath, _ = workdir
    data = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    data.add_item("/data1/tree", f"{cpath}/tree")
    accepted = tc.submit_transfer(data).data
    assert_conforms("submit_transfer", TC.submit_transfer, accepted)
    task_id = accepted["task_id"]
    assert wait_done(globus_env.emulator, tc, task_id)["status"] == "SUCCEEDED"

    listing = tc.task_list(filter=f"task_id:{task_id}").data
    assert_conforms("task_list", TC.task_list, listing)
    task_doc = recorded_doc(TC.task_list)[1]["DATA"][0]
    problems = mismatches(task_doc, tc.get_task(task_id).data, "get_task")
    assert not problems, problems

    moved = tc.task_successful_transfers(task_id).data
    assert_conforms(
        "task_successful_transfers", TC.endpoint_manager_task_successful_transfers, moved
    )


def test_submit_transfer_without_items(tc: globus_sdk.TransferClient) -> None:
    empty = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    err = api_error(lambda: tc.submit_transfer(empty))
    assert_error_conforms("submit_transfer", TC.submit_transfer, "failure", err)


def test_submit_delete(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path], globus_env: RunningEmulator
) -> None:
    cpath, local = workdir
    (local / "gone.txt").write_text("x")
    data = globus_sdk.DeleteData(endpoint=DEFAULT_DESTINATION_ID)
    data.add_item(f"{cpath}/gone.txt")
    accepted = tc.submit_delete(data).data
    assert_conforms("submit_delete", TC.submit_delete, accepted)
    assert wait_done(globus_env.emulator, tc, accepted["task_id"])["status"] == "SUCCEEDED"
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
    assert canceled["code"] == recorded_doc(TC.cancel_task)[1]["code"] == "Canceled"
    assert canceled["resource"] == f"/v0.10/task/{task_id}/cancel"
