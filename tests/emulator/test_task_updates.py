"""A task's pause information, and updating the label and deadline of a running task."""

from __future__ import annotations

from collections.abc import Iterator

import globus_sdk
import pytest

from tests.support.recordings import mismatches, recorded
from tests.support.tasks import BOB, TaskWorld, task_world
from tests.support.transfer import api_error, issue_token, transfer_client


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaskWorld]:
    with task_world(tmp_path_factory.mktemp("task-updates")) as world:
        yield world


@pytest.fixture
def running_task(env: TaskWorld) -> Iterator[str]:
    """A transfer kept ACTIVE by a slow rate, cancelled afterwards."""
    env.set_rate(64 * 1024)
    task_id = env.transfer(("/big.bin", f"/{env.fresh()}/big.bin"), label="first")
    try:
        yield task_id
    finally:
        env.set_rate(None)
        env.tc.cancel_task(task_id)
        env.wait_done(task_id)


def test_pause_info_of_a_task_that_is_never_paused(env: TaskWorld) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    info = env.tc.task_pause_info(task_id)
    assert info["DATA_TYPE"] == "pause_info_limited"
    assert info["pause_rules"] == []
    assert info["source_pause_message"] is None
    env.wait_done(task_id)


def test_pause_info_of_someone_elses_task_is_not_found(env: TaskWorld) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"))
    bob = transfer_client(issue_token(env.emu, identity=BOB), env.running.url + "/")
    err = api_error(lambda: bob.task_pause_info(task_id))
    assert (err.http_status, err.code) == (404, "TaskNotFound")
    err = api_error(lambda: bob.update_task(task_id, {"label": "x"}))
    assert (err.http_status, err.code) == (404, "TaskNotFound")
    env.wait_done(task_id)


def test_a_running_task_gets_a_new_label_and_deadline(env: TaskWorld, running_task: str) -> None:
    answer = env.tc.update_task(running_task, {"label": "renamed", "deadline": "2031-02-03"})
    assert (answer["DATA_TYPE"], answer["code"]) == ("result", "Updated")
    assert answer["resource"] == f"/v0.10/task/{running_task}"
    # Shaped as Globus's answer to updating an endpoint (no recording of updating a task).
    problems = mismatches(recorded(globus_sdk.TransferClient.update_endpoint)[1], answer.data)
    assert not problems, problems
    doc = env.tc.get_task(running_task)
    assert (doc["label"], doc["deadline"]) == ("renamed", "2031-02-03T00:00:00+00:00")
    listed = env.tc.task_list(filter={"task_id": running_task})
    assert [t["label"] for t in listed] == ["renamed"]
    env.tc.update_task(running_task, {"DATA_TYPE": "task", "label": None})
    assert env.tc.get_task(running_task)["label"] is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"label": 7}, "'label' must be a string"),
        ({"label": "x" * 129}, "at most 128"),
        ({"deadline": "soon"}, "Invalid deadline"),
        ({"deadline": None}, "'deadline' must be a date"),
        ({"status": "SUCCEEDED"}, "not status"),
        ({"DATA_TYPE": "transfer", "label": "x"}, "DATA_TYPE must be 'task'"),
    ],
)
def test_bad_updates_are_400_and_change_nothing(
    env: TaskWorld, running_task: str, body: dict[str, object], says: str
) -> None:
    err = api_error(lambda: env.tc.update_task(running_task, body))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")
    assert says in err.message
    assert env.tc.get_task(running_task)["label"] == "first"


def test_a_finished_task_cannot_be_updated(env: TaskWorld) -> None:
    task_id = env.transfer(("/small.txt", f"/{env.fresh()}/s"), label="done")
    env.wait_done(task_id)
    err = api_error(lambda: env.tc.update_task(task_id, {"label": "late"}))
    assert (err.http_status, err.code) == (409, "ClientError.Conflict")
    assert env.tc.get_task(task_id)["label"] == "done"
