"""Transfer's submissions: a submission id, and transfer and delete tasks handed to the engine.

A submission id makes a retry safe: submitting the same one again answers ``Duplicate`` with
the first task, and starts nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator import storage
from globus_emulator.state import emulator_of
from globus_emulator.tasks import DEFAULT_DEADLINE, Task, TransferItem, new_task_id
from globus_emulator.tokens import Grant
from globus_emulator.transfer import errors
from globus_emulator.transfer.access import accessible, authorized
from globus_emulator.transfer.documents import result
from globus_emulator.transfer.params import (
    bool_options,
    json_body,
    optional_str,
    required_str,
)

TRANSFER_OPTIONS_BOOL = (
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "skip_source_errors",
    "fail_on_quota_errors",
    "delete_destination_extra",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
)
DELETE_OPTIONS_BOOL = ("recursive", "ignore_missing", "interpret_globs")


def submission_id_of(doc: dict[str, Any]) -> str:
    value = doc.get("submission_id")
    if value is None:
        return str(uuid.uuid4())
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request("'submission_id' must be a non-empty string")
    return value


def parse_deadline(value: Any, now: datetime) -> datetime:
    if value is None:
        return now + DEFAULT_DEADLINE
    try:
        deadline = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise errors.bad_request(f"Invalid deadline '{value}'") from err
    return deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC)


def owner_name(request: Request, identity_id: str) -> str:
    identity = emulator_of(request).world.identities.get(identity_id)
    # A client_credentials token acts as the client's own identity.
    return identity.username if identity else f"{identity_id}@clients.auth.globus.org"


def common_task_fields(request: Request, doc: dict[str, Any], grant: Grant) -> dict[str, Any]:
    """The fields every task takes from its submission and its token."""
    now = datetime.now(UTC)
    return {
        "task_id": new_task_id(),
        "owner_id": grant.identity_id,
        "username": owner_name(request, grant.identity_id),
        "submission_id": submission_id_of(doc),
        "label": optional_str(doc, "label"),
        "request_time": now,
        "deadline": parse_deadline(doc.get("deadline"), now),
    }


def items_of(doc: dict[str, Any], data_type: str, what: str) -> list[dict[str, Any]]:
    items = doc.get("DATA")
    if items is None:
        raise errors.bad_request(f"'DATA' (the list of {what} items) is required")
    if not isinstance(items, list):
        raise errors.bad_request("'DATA' must be a list")
    if not items:
        suffix = "NoTransferItems" if what == "transfer" else "NoDeleteItems"
        raise errors.bad_request(
            f"A {what} requires at least one item", f"ClientError.BadRequest.{suffix}"
        )
    for item in items:
        if not isinstance(item, dict):
            raise errors.bad_request("Each item in 'DATA' must be an object")
        if item.get("DATA_TYPE", data_type) != data_type:
            raise errors.bad_request(f"Each item in 'DATA' must have DATA_TYPE '{data_type}'")
    return items


def transfer_options(doc: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = bool_options(doc, TRANSFER_OPTIONS_BOOL)
    sync_level = doc.get("sync_level")
    if sync_level is not None and (
        not isinstance(sync_level, int) or isinstance(sync_level, bool) or not 0 <= sync_level <= 3
    ):
        raise errors.bad_request("'sync_level' must be 0, 1, 2 or 3")
    options["sync_level"] = sync_level
    rules = doc.get("filter_rules")
    if rules is not None:
        if not isinstance(rules, list) or not all(
            isinstance(r, dict)
            and isinstance(r.get("name"), str)
            and r.get("method", "exclude") in ("include", "exclude")
            and r.get("type") in (None, "file", "dir")
            for r in rules
        ):
            raise errors.bad_request("'filter_rules' must be a list of filter_rule documents")
        options["filter_rules"] = rules
    return options


def accepted(request: Request, task: Task, duplicate: bool, data_type: str, what: str) -> Response:
    if duplicate:
        code = "Duplicate"
        message = f"A {what} with id '{task.submission_id}' was already submitted"
    else:
        code = "Accepted"
        message = (
            f"The {what} has been accepted and a task has been created and queued for execution"
        )
    body = result(
        data_type,
        code,
        message,
        request.url.path,
        submission_id=task.submission_id,
        task_id=task.task_id,
        task_link={
            "DATA_TYPE": "link",
            "href": f"task/{task.task_id}?format=json",
            "rel": "related",
            "resource": "task",
            "title": "related task",
        },
    )
    return JSONResponse(body, status_code=200 if duplicate else 202)


async def get_submission_id(request: Request) -> Response:
    authorized(request)
    return JSONResponse({"DATA_TYPE": "submission_id", "value": str(uuid.uuid4())})


async def submit_transfer(request: Request) -> Response:
    grant = authorized(request)
    doc = await json_body(request)
    if doc.get("DATA_TYPE") != "transfer":
        raise errors.bad_request("DATA_TYPE must be 'transfer'")
    for key in ("source_endpoint", "destination_endpoint"):
        if not isinstance(doc.get(key), str):
            raise errors.bad_request(f"'{key}' is required")
    items = []
    for raw in items_of(doc, "transfer_item", "transfer"):
        source_path = required_str(
            raw, "source_path", "Each transfer item needs a 'source_path' string"
        )
        dest_path = required_str(
            raw, "destination_path", "Each transfer item needs a 'destination_path' string"
        )
        recursive = raw.get("recursive")
        if recursive is not None and not isinstance(recursive, bool):
            raise errors.bad_request("'recursive' must be true, false or null")
        for path in (source_path, dest_path):
            storage.check_path(path)
        items.append(TransferItem(source_path, dest_path, recursive))
    options = transfer_options(doc)
    source = accessible(request, doc["source_endpoint"], grant)
    destination = accessible(request, doc["destination_endpoint"], grant)
    task = Task(
        type="TRANSFER",
        source=source,
        destination=destination,
        items=items,
        options=options,
        **common_task_fields(request, doc, grant),
    )
    task, duplicate = emulator_of(request).tasks.submit(task)
    return accepted(request, task, duplicate, "transfer_result", "transfer")


async def submit_delete(request: Request) -> Response:
    grant = authorized(request)
    doc = await json_body(request)
    if doc.get("DATA_TYPE") != "delete":
        raise errors.bad_request("DATA_TYPE must be 'delete'")
    if not isinstance(doc.get("endpoint"), str):
        raise errors.bad_request("'endpoint' is required")
    paths = []
    for raw in items_of(doc, "delete_item", "delete"):
        path = required_str(raw, "path", "Each delete item needs a 'path' string")
        storage.check_path(path)
        paths.append(path)
    options = bool_options(doc, DELETE_OPTIONS_BOOL)
    target = accessible(request, doc["endpoint"], grant)
    task = Task(
        type="DELETE",
        source=target,
        destination=None,
        items=paths,
        options=options,
        **common_task_fields(request, doc, grant),
    )
    task, duplicate = emulator_of(request).tasks.submit(task)
    return accepted(request, task, duplicate, "delete_result", "delete")
