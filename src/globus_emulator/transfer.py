"""Globus Transfer v0.10: collections, file operations, task submission and task inspection.

Every route checks the bearer token against what Auth issued, then answers with Globus's
documents and error documents (``transfer_errors``). Listing runs in a worker thread so that
a 100,000-entry directory does not hold up the event loop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from globus_emulator import listing, storage
from globus_emulator import transfer_errors as errors
from globus_emulator.tasks import DEFAULT_DEADLINE, TERMINAL, Task, TransferItem, new_task_id
from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, Grant, TokenProblem
from globus_emulator.transfer_errors import TransferError, new_request_id
from globus_emulator.world import Collection

if TYPE_CHECKING:
    from globus_emulator.state import Emulator

Handler = Callable[[Request, Grant], Awaitable[Response]]

TASK_LIST_MAX = 1000
EVENT_LIST_MAX = 1000
SUCCESSFUL_PAGE = 1000
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


# ---------------------------------------------------------------------------------------------
# Request helpers
# ---------------------------------------------------------------------------------------------


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise errors.authentication_failed("No Authorization header provided")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.authentication_failed("Authorization header must use the Bearer scheme")
    return token.strip()


def _int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise errors.bad_request(f"Invalid {name} '{raw}': must be an integer") from err
    if value < 0 or value > maximum:
        raise errors.bad_request(f"Invalid {name} {value}: must be between 0 and {maximum}")
    return value


def _bool_param(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "t", "yes"):
        return True
    if lowered in ("0", "false", "f", "no"):
        return False
    raise errors.bad_request(f"Invalid {name} '{raw}': must be a boolean")


async def _json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        raise errors.bad_request("A JSON request body is required")
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise errors.bad_request("Request body is not valid JSON") from err
    if not isinstance(doc, dict):
        raise errors.bad_request("Request body must be a JSON object")
    return doc


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _owner_name(emulator: Emulator, identity_id: str) -> str:
    identity = emulator.world.identities.get(identity_id)
    # A client_credentials token acts as the client's own identity.
    return identity.username if identity else f"{identity_id}@clients.auth.globus.org"


def _parse_deadline(value: Any, now: datetime) -> datetime:
    if value is None:
        return now + DEFAULT_DEADLINE
    try:
        deadline = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise errors.bad_request(f"Invalid deadline '{value}'") from err
    return deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC)


def _page(data_type: str, items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """One limit/offset page of a Transfer list document."""
    page = items[offset : offset + limit]
    return {
        "DATA_TYPE": data_type,
        "DATA": page,
        "length": len(page),
        "limit": limit,
        "offset": offset,
        "total": len(items),
    }


def _bool_options(doc: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Boolean submission options: absent or null is false, anything else but a bool is a 400."""
    options: dict[str, Any] = {}
    for key in keys:
        value = doc.get(key)
        if value is not None and not isinstance(value, bool):
            raise errors.bad_request(f"'{key}' must be a boolean")
        options[key] = bool(value)
    return options


def _optional_str(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise errors.bad_request(f"'{key}' must be a string")
    return value


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


def routes(emulator: Emulator) -> list[Route]:
    world = emulator.world
    engine = emulator.tasks

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Bearer-token check plus Globus error documents for one route."""

        async def endpoint(request: Request) -> Response:
            try:
                found = emulator.tokens.check_access(_bearer(request))
                if isinstance(found, TokenProblem):
                    raise errors.authentication_failed()
                if found.grant.resource_server != TRANSFER_RESOURCE_SERVER:
                    raise errors.authentication_failed(
                        "Token is not valid for this resource server"
                    )
                return await handler(request, found.grant)
            except TransferError as err:
                return err.response(request.url.path)
            except storage.InvalidPath:
                return errors.bad_request("Invalid path").response(request.url.path)
            except OSError as err:  # the filesystem said no in a way not mapped above
                failure = errors.external_error(err.strerror or type(err).__name__)
                return failure.response(request.url.path)

        return endpoint

    def collection(endpoint_id: str) -> Collection:
        key = _uuid_or_none(endpoint_id)
        found = world.collections.get(key) if key else None
        if found is None:
            raise errors.endpoint_not_found(endpoint_id)
        return found

    def accessible(endpoint_id: str, grant: Grant) -> Collection:
        """The collection, if this token may touch its data (data_access consent)."""
        found = collection(endpoint_id)
        if found.requires_data_access_consent and found.id not in grant.data_access:
            raise errors.consent_required(found)
        return found

    def result(data_type: str, code: str, message: str, resource: str, **extra: Any) -> dict:
        return {
            "DATA_TYPE": data_type,
            "code": code,
            "message": message,
            "request_id": new_request_id(),
            "resource": resource,
            **extra,
        }

    # -- collections ----------------------------------------------------------------------

    async def get_endpoint(request: Request, _: Grant) -> Response:
        c = collection(request.path_params["endpoint_id"])
        return JSONResponse(_endpoint_document(c))

    # -- file operations ------------------------------------------------------------------

    async def operation_ls(request: Request, grant: Grant) -> Response:
        c = accessible(request.path_params["endpoint_id"], grant)
        params = request.query_params
        raw_path = params.get("path") or "/~/"
        limit = _int_param(request, "limit", listing.LS_MAX_LIMIT, listing.LS_MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 2**31 - 1)
        show_hidden = _bool_param(request, "show_hidden", True)
        try:
            predicates = listing.parse_filter(params.getlist("filter"))
            orderby = listing.parse_orderby(params.get("orderby"))
        except listing.BadFilter as err:
            raise errors.bad_request(str(err)) from err
        cpath = storage.collection_path(c, raw_path)

        def listing_body(local: Path) -> bytes:
            # Big directories are listed and rendered off the event loop: 100,000 entries
            # take seconds.
            found = listing.list_directory(
                c,
                cpath,
                local,
                predicates=predicates,
                orderby=orderby,
                show_hidden=show_hidden,
                limit=limit,
                offset=offset,
            )
            doc = {
                "DATA_TYPE": "file_list",
                "DATA": found.entries,
                "absolute_path": found.absolute_path,
                "endpoint": c.id,
                "length": len(found.entries),
                "path": raw_path if raw_path.endswith("/") else raw_path + "/",
                "rename_supported": True,
                "symlink_supported": False,
                "total": found.total,
            }
            return orjson.dumps(doc)

        try:
            local = storage.resolve(c, cpath)  # once: it is a realpath walk
            if listing.is_small_directory(local):
                body = listing_body(local)
            else:
                body = await anyio.to_thread.run_sync(listing_body, local)
        except storage.PathNotFound as err:
            raise errors.path_not_found(c, raw_path, "list", "ClientError.NotFound") from err
        except storage.NotADirectory as err:
            raise errors.not_a_directory(c, raw_path) from err
        except storage.PathNotAllowed as err:
            raise errors.permission_denied(c, raw_path, "list", "Path not allowed.") from err
        except PermissionError as err:
            raise errors.permission_denied(c, raw_path, "list", "Permission denied.") from err
        return Response(body, media_type="application/json")

    async def operation_stat(request: Request, grant: Grant) -> Response:
        c = accessible(request.path_params["endpoint_id"], grant)
        raw_path = request.query_params.get("path")
        if not raw_path:
            raise errors.bad_request("'path' is required")
        try:
            doc = listing.stat_path(c, storage.collection_path(c, raw_path))
        except storage.PathNotFound as err:
            raise errors.path_not_found(c, raw_path, "list", "NotFound") from err
        except storage.PathNotAllowed as err:
            raise errors.permission_denied(c, raw_path, "list", "Path not allowed.") from err
        return JSONResponse(doc)

    def writable(c: Collection, path: str, op: str) -> None:
        if c.read_only:
            raise errors.permission_denied(c, path, op, "Collection is read-only.")

    async def operation_mkdir(request: Request, grant: Grant) -> Response:
        c = accessible(request.path_params["endpoint_id"], grant)
        doc = await _json_body(request)
        if doc.get("DATA_TYPE", "mkdir") != "mkdir":
            raise errors.bad_request("DATA_TYPE must be 'mkdir'")
        raw_path = doc.get("path")
        if not isinstance(raw_path, str) or not raw_path:
            raise errors.bad_request("'path' is required and must be a string")
        writable(c, raw_path, "mkdir")
        try:
            storage.make_directory(c, storage.collection_path(c, raw_path))
        except storage.PathExists as err:
            raise errors.already_exists(c, raw_path, "mkdir") from err
        except storage.PathNotFound as err:
            raise errors.path_not_found(c, err.path, "mkdir", "ClientError.NotFound") from err
        except storage.PathNotAllowed as err:
            raise errors.permission_denied(c, raw_path, "mkdir", "Path not allowed.") from err
        return JSONResponse(
            result(
                "mkdir_result",
                "DirectoryCreated",
                "The directory was created successfully",
                request.url.path,
            )
        )

    async def operation_rename(request: Request, grant: Grant) -> Response:
        c = accessible(request.path_params["endpoint_id"], grant)
        doc = await _json_body(request)
        if doc.get("DATA_TYPE", "rename") != "rename":
            raise errors.bad_request("DATA_TYPE must be 'rename'")
        old, new = doc.get("old_path"), doc.get("new_path")
        if not isinstance(old, str) or not old or not isinstance(new, str) or not new:
            raise errors.bad_request("'old_path' and 'new_path' are required strings")
        writable(c, old, "rename")
        try:
            storage.rename_path(c, storage.collection_path(c, old), storage.collection_path(c, new))
        except storage.PathExists as err:
            raise errors.already_exists(c, new, "rename") from err
        except storage.PathNotFound as err:
            raise errors.path_not_found(c, err.path, "rename", "ClientError.NotFound") from err
        except storage.PathNotAllowed as err:
            raise errors.permission_denied(c, err.path, "rename", err.detail) from err
        return JSONResponse(
            result(
                "result", "FileRenamed", "File or directory renamed successfully", request.url.path
            )
        )

    # -- submission ------------------------------------------------------------------------

    async def get_submission_id(_: Request, __: Grant) -> Response:
        return JSONResponse({"DATA_TYPE": "submission_id", "value": str(uuid.uuid4())})

    def submission_id_of(doc: dict[str, Any]) -> str:
        value = doc.get("submission_id")
        if value is None:
            return str(uuid.uuid4())
        if not isinstance(value, str) or not value.strip():
            raise errors.bad_request("'submission_id' must be a non-empty string")
        return value

    def accepted(task: Task, duplicate: bool, data_type: str, what: str, resource: str) -> Response:
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
            resource,
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

    def common_task_fields(doc: dict[str, Any], grant: Grant) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "task_id": new_task_id(),
            "owner_id": grant.identity_id,
            "username": _owner_name(emulator, grant.identity_id),
            "submission_id": submission_id_of(doc),
            "label": _optional_str(doc, "label"),
            "request_time": now,
            "deadline": _parse_deadline(doc.get("deadline"), now),
        }

    async def submit_transfer(request: Request, grant: Grant) -> Response:
        doc = await _json_body(request)
        if doc.get("DATA_TYPE") != "transfer":
            raise errors.bad_request("DATA_TYPE must be 'transfer'")
        for key in ("source_endpoint", "destination_endpoint"):
            if not isinstance(doc.get(key), str):
                raise errors.bad_request(f"'{key}' is required")
        raw_items = items_of(doc, "transfer_item", "transfer")
        items = []
        for raw in raw_items:
            source_path, dest_path = raw.get("source_path"), raw.get("destination_path")
            if not isinstance(source_path, str) or not source_path:
                raise errors.bad_request("Each transfer item needs a 'source_path' string")
            if not isinstance(dest_path, str) or not dest_path:
                raise errors.bad_request("Each transfer item needs a 'destination_path' string")
            recursive = raw.get("recursive")
            if recursive is not None and not isinstance(recursive, bool):
                raise errors.bad_request("'recursive' must be true, false or null")
            for path in (source_path, dest_path):
                storage.check_path(path)
            items.append(TransferItem(source_path, dest_path, recursive))
        options: dict[str, Any] = _bool_options(doc, TRANSFER_OPTIONS_BOOL)
        sync_level = doc.get("sync_level")
        if sync_level is not None and (
            not isinstance(sync_level, int)
            or isinstance(sync_level, bool)
            or not 0 <= sync_level <= 3
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
        source = accessible(doc["source_endpoint"], grant)
        destination = accessible(doc["destination_endpoint"], grant)
        task = Task(
            type="TRANSFER",
            source=source,
            destination=destination,
            items=items,
            options=options,
            **common_task_fields(doc, grant),
        )
        task, duplicate = engine.submit(task)
        return accepted(task, duplicate, "transfer_result", "transfer", request.url.path)

    async def submit_delete(request: Request, grant: Grant) -> Response:
        doc = await _json_body(request)
        if doc.get("DATA_TYPE") != "delete":
            raise errors.bad_request("DATA_TYPE must be 'delete'")
        if not isinstance(doc.get("endpoint"), str):
            raise errors.bad_request("'endpoint' is required")
        paths = []
        for raw in items_of(doc, "delete_item", "delete"):
            path = raw.get("path")
            if not isinstance(path, str) or not path:
                raise errors.bad_request("Each delete item needs a 'path' string")
            storage.check_path(path)
            paths.append(path)
        options = _bool_options(doc, ("recursive", "ignore_missing", "interpret_globs"))
        target = accessible(doc["endpoint"], grant)
        task = Task(
            type="DELETE",
            source=target,
            destination=None,
            items=paths,
            options=options,
            **common_task_fields(doc, grant),
        )
        task, duplicate = engine.submit(task)
        return accepted(task, duplicate, "delete_result", "delete", request.url.path)

    # -- tasks ----------------------------------------------------------------------------

    def own_task(request: Request, grant: Grant) -> Task:
        task_id = request.path_params["task_id"]
        key = _uuid_or_none(task_id)
        task = engine.get(key, grant.identity_id) if key else None
        if task is None:
            raise errors.task_not_found(task_id)
        return task

    async def get_task(request: Request, grant: Grant) -> Response:
        return JSONResponse(own_task(request, grant).document())

    async def cancel_task(request: Request, grant: Grant) -> Response:
        task = own_task(request, grant)
        resource = request.url.path
        if task.status in TERMINAL:
            body = result(
                "result",
                "TaskComplete",
                "The task completed before the cancel request was processed.",
                resource,
            )
            return JSONResponse(body)
        stopped = await anyio.to_thread.run_sync(engine.cancel, task)
        if stopped:
            body = result(
                "result", "Canceled", "The task has been cancelled successfully.", resource
            )
        else:
            body = result(
                "result",
                "CancelAccepted",
                "The cancel request has been accepted and the task will be cancelled soon.",
                resource,
            )
        return JSONResponse(body)

    async def task_list(request: Request, grant: Grant) -> Response:
        limit = _int_param(request, "limit", 10, TASK_LIST_MAX)
        offset = _int_param(request, "offset", 0, 2**31 - 1)
        checks = _task_filter(request.query_params.get("filter") or "")
        docs = [t.document() for t in engine.owned_by(grant.identity_id)]
        docs = [d for d in docs if all(check(d) for check in checks)]
        return JSONResponse(_page("task_list", docs, limit, offset))

    async def task_event_list(request: Request, grant: Grant) -> Response:
        task = own_task(request, grant)
        limit = _int_param(request, "limit", 10, EVENT_LIST_MAX)
        offset = _int_param(request, "offset", 0, 2**31 - 1)
        with task.lock:
            events = list(reversed(task.events))  # newest first
        return JSONResponse(_page("event_list", events, limit, offset))

    async def task_successful_transfers(request: Request, grant: Grant) -> Response:
        task = own_task(request, grant)
        if task.type != "TRANSFER":
            raise errors.bad_request(
                "Successful transfers are only available for transfer tasks",
                "ClientError.BadRequest",
            )
        marker = _int_param(request, "marker", 0, 2**31 - 1)
        with task.lock:
            done = list(task.successful)
        page = done[marker : marker + SUCCESSFUL_PAGE]
        after = marker + len(page)
        return JSONResponse(
            {
                "DATA_TYPE": "successful_transfers",
                "DATA": page,
                "marker": marker,
                "next_marker": after if after < len(done) else None,
            }
        )

    return [
        Route("/v0.10/endpoint/{endpoint_id}", api(get_endpoint), methods=["GET"]),
        Route("/v0.10/operation/endpoint/{endpoint_id}/ls", api(operation_ls), methods=["GET"]),
        Route("/v0.10/operation/endpoint/{endpoint_id}/stat", api(operation_stat), methods=["GET"]),
        Route(
            "/v0.10/operation/endpoint/{endpoint_id}/mkdir", api(operation_mkdir), methods=["POST"]
        ),
        Route(
            "/v0.10/operation/endpoint/{endpoint_id}/rename",
            api(operation_rename),
            methods=["POST"],
        ),
        Route("/v0.10/submission_id", api(get_submission_id), methods=["GET"]),
        Route("/v0.10/transfer", api(submit_transfer), methods=["POST"]),
        Route("/v0.10/delete", api(submit_delete), methods=["POST"]),
        Route("/v0.10/task_list", api(task_list), methods=["GET"]),
        Route("/v0.10/task/{task_id}", api(get_task), methods=["GET"]),
        Route("/v0.10/task/{task_id}/cancel", api(cancel_task), methods=["POST"]),
        Route("/v0.10/task/{task_id}/event_list", api(task_event_list), methods=["GET"]),
        Route(
            "/v0.10/task/{task_id}/successful_transfers",
            api(task_successful_transfers),
            methods=["GET"],
        ),
        # Last: anything else under /v0.10 gets a Globus error document, not Starlette's text.
        Route("/v0.10/{rest:path}", unknown_resource, methods=_ALL_METHODS),
    ]


_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def unknown_resource(request: Request) -> Response:
    """The emulator does not serve this Transfer resource (or not with this method)."""
    error = TransferError(
        404, "ClientError.NotFound", f"{request.method} {request.url.path} is not a resource"
    )
    return error.response(request.url.path)


def _task_filter(text: str) -> list[Callable[[dict[str, Any]], bool]]:
    """task_list filters: ``status:ACTIVE,INACTIVE/type:TRANSFER/task_id:a,b/label:x``."""
    checks: list[Callable[[dict[str, Any]], bool]] = []
    for clause in text.split("/"):
        if not clause.strip():
            continue
        field, sep, value = clause.partition(":")
        field = field.strip()
        values = [v.strip() for v in value.split(",")]
        if not sep:
            raise errors.bad_request(f"Invalid filter clause '{clause}'")
        if field in ("status", "type", "task_id", "label"):
            checks.append(lambda d, f=field, vs=values: d[f] in vs)
        elif field == "request_time":
            start, end = ([*values, ""])[:2]
            checks.append(
                lambda d, s=start, e=end: (
                    (not s or d["request_time"] >= s) and (not e or d["request_time"] < e)
                )
            )
        else:
            raise errors.bad_request(f"Invalid filter field '{field}'")
    return checks


def _endpoint_document(c: Collection) -> dict[str, Any]:
    """A GCSv5 collection as ``GET /endpoint/{id}`` returns it."""
    return {
        "DATA_TYPE": "endpoint",
        "id": c.id,
        "display_name": c.display_name,
        "canonical_name": f"u_emulator#{c.id}",
        "name": c.id,
        "organization": "Globus Emulator",
        "department": None,
        "username": "u_emulator",
        "owner_id": "00000000-0000-0000-0000-000000000000",
        "owner_string": "emulator@globus.org",
        "description": f"Emulated {c.entity_type}",
        "contact_email": None,
        "contact_info": None,
        "info_link": None,
        "keywords": None,
        "entity_type": c.entity_type,
        "gcs_version": "5.4.70" if c.entity_type.startswith("GCSv5") else None,
        "public": True,
        "french_english_bilingual": False,
        "is_globus_connect": c.entity_type.startswith("GCP"),
        "globus_connect_setup_key": None,
        "gcp_connected": True if c.entity_type.startswith("GCP") else None,
        "gcp_paused": False if c.entity_type.startswith("GCP") else None,
        "s3_url": None,
        "s3_owner_activated": False,
        "host_endpoint_id": None,
        "host_endpoint": None,
        "host_endpoint_display_name": None,
        "host_path": None,
        "disable_verify": False,
        "disable_anonymous_writes": False,
        "force_verify": False,
        "force_encryption": False,
        "mfa_required": False,
        "high_assurance": False,
        "authentication_assurance_timeout": None,
        "myproxy_server": None,
        "myproxy_dn": None,
        "non_functional": False,
        "non_functional_endpoint_display_name": None,
        "non_functional_endpoint_id": None,
        "oauth_server": None,
        "default_directory": c.home if c.home != "/" else None,
        "activated": False,
        "expires_in": -1,
        "expire_time": None,
        "shareable": False,
        "acl_available": False,
        "acl_editable": False,
        "in_use": False,
        "subscription_id": None,
        "location": None,
        "network_use": None,
        "DATA": [],
    }
