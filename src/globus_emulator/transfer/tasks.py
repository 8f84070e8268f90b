"""Transfer's task resources: a task, the task list, its events and files, cancel, its
pause information and updating its label or deadline.

A task someone else owns is answered as missing (``TaskNotFound``), as Globus does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.state import emulator_of
from globus_emulator.tasks import TERMINAL, Task
from globus_emulator.transfer import errors
from globus_emulator.transfer.access import authorized, uuid_or_none
from globus_emulator.transfer.documents import page, result
from globus_emulator.transfer.params import MAX_OFFSET, int_param, json_body
from globus_emulator.transfer.submissions import parse_deadline

TASK_LIST_MAX = 1000
EVENT_LIST_MAX = 1000
SUCCESSFUL_PAGE = 1000
TASK_FILTER_FIELDS = ("status", "type", "task_id", "label")
UPDATABLE_FIELDS = ("label", "deadline")
MAX_LABEL_LENGTH = 128

TaskCheck = Callable[[dict[str, Any]], bool]


def own_task(request: Request) -> Task:
    """The task in the path, if the request's token owns it."""
    grant = authorized(request)
    task_id = request.path_params["task_id"]
    key = uuid_or_none(task_id)
    task = emulator_of(request).tasks.get(key, grant.identity_id) if key else None
    if task is None:
        raise errors.task_not_found(task_id)
    return task


def _one_of(field: str, values: list[str]) -> TaskCheck:
    return lambda doc: doc[field] in values


def _requested_between(start: str, end: str) -> TaskCheck:
    return lambda doc: (
        (not start or doc["request_time"] >= start) and (not end or doc["request_time"] < end)
    )


def task_filter(text: str) -> list[TaskCheck]:
    """task_list filters: ``status:ACTIVE,INACTIVE/type:TRANSFER/task_id:a,b/label:x``."""
    checks: list[TaskCheck] = []
    for clause in text.split("/"):
        if not clause.strip():
            continue
        field, sep, value = clause.partition(":")
        field = field.strip()
        values = [v.strip() for v in value.split(",")]
        if not sep:
            raise errors.bad_request(f"Invalid filter clause '{clause}'")
        if field in TASK_FILTER_FIELDS:
            checks.append(_one_of(field, values))
        elif field == "request_time":
            start, end = ([*values, ""])[:2]
            checks.append(_requested_between(start, end))
        else:
            raise errors.bad_request(f"Invalid filter field '{field}'")
    return checks


async def get_task(request: Request) -> Response:
    return JSONResponse(own_task(request).document())


async def cancel_task(request: Request) -> Response:
    task = own_task(request)
    resource = request.url.path
    if task.status in TERMINAL:
        body = result(
            "result",
            "TaskComplete",
            "The task completed before the cancel request was processed.",
            resource,
        )
        return JSONResponse(body)
    stopped = await anyio.to_thread.run_sync(emulator_of(request).tasks.cancel, task)
    if stopped:
        body = result("result", "Canceled", "The task has been cancelled successfully.", resource)
    else:
        body = result(
            "result",
            "CancelAccepted",
            "The cancel request has been accepted and the task will be cancelled soon.",
            resource,
        )
    return JSONResponse(body)


async def task_list(request: Request) -> Response:
    grant = authorized(request)
    limit = int_param(request, "limit", 10, TASK_LIST_MAX)
    offset = int_param(request, "offset", 0, MAX_OFFSET)
    checks = task_filter(request.query_params.get("filter") or "")
    docs = [t.document() for t in emulator_of(request).tasks.owned_by(grant.identity_id)]
    docs = [d for d in docs if all(check(d) for check in checks)]
    return JSONResponse(page("task_list", docs, limit, offset))


async def task_event_list(request: Request) -> Response:
    task = own_task(request)
    limit = int_param(request, "limit", 10, EVENT_LIST_MAX)
    offset = int_param(request, "offset", 0, MAX_OFFSET)
    with task.lock:
        events = list(reversed(task.events))  # newest first
    return JSONResponse(page("event_list", events, limit, offset))


async def task_successful_transfers(request: Request) -> Response:
    task = own_task(request)
    if task.type != "TRANSFER":
        raise errors.bad_request("Successful transfers are only available for transfer tasks")
    marker = int_param(request, "marker", 0, MAX_OFFSET)
    with task.lock:
        done = list(task.successful)
    chosen = done[marker : marker + SUCCESSFUL_PAGE]
    after = marker + len(chosen)
    return JSONResponse(
        {
            "DATA_TYPE": "successful_transfers",
            "DATA": chosen,
            "marker": marker,
            "next_marker": after if after < len(done) else None,
        }
    )


async def pause_info(request: Request) -> Response:
    """GET /task/{id}/pause_info: the emulator never pauses a task, so no rule applies."""
    own_task(request)
    return JSONResponse(
        {
            "DATA_TYPE": "pause_info_limited",
            "pause_rules": [],
            "source_pause_message": None,
            "source_pause_message_share": None,
            "destination_pause_message": None,
            "destination_pause_message_share": None,
        }
    )


def _label(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise errors.bad_request("'label' must be a string or null")
    if value is not None and (len(value) > MAX_LABEL_LENGTH or "\n" in value or "\r" in value):
        raise errors.bad_request(
            f"'label' must be one line of at most {MAX_LABEL_LENGTH} characters"
        )
    return value


async def update_task(request: Request) -> Response:
    """PUT /task/{id}: a task still running may get a new label or deadline."""
    task = own_task(request)
    doc = await json_body(request)
    if doc.get("DATA_TYPE", "task") != "task":
        raise errors.bad_request("DATA_TYPE must be 'task'")
    unknown = sorted(set(doc) - {"DATA_TYPE", *UPDATABLE_FIELDS})
    if unknown:
        raise errors.bad_request(
            f"Only {' and '.join(UPDATABLE_FIELDS)} can be updated, not {', '.join(unknown)}"
        )
    changes: dict[str, Any] = {}
    if "label" in doc:
        changes["label"] = _label(doc["label"])
    if "deadline" in doc:
        if not isinstance(doc["deadline"], str):
            raise errors.bad_request("'deadline' must be a date and time, such as 2030-01-01")
        changes["deadline"] = parse_deadline(doc["deadline"], task.request_time)
    with task.lock:
        if task.status in TERMINAL:
            raise errors.conflict(
                f"Task '{task.task_id}' is {task.status}: only an active task can be updated"
            )
        for name, value in changes.items():
            setattr(task, name, value)
    return JSONResponse(result("result", "Updated", "Task updated successfully", request.url.path))
