"""Transfer's file operations on a collection: ls, stat, mkdir and rename.

Big directories are listed in a worker thread, so a 100,000-entry listing does not hold up
the event loop; small ones are listed on it, where a thread would cost more than the work.
"""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator import listing, storage
from globus_emulator.transfer import errors
from globus_emulator.transfer.access import accessible, authorized, writable
from globus_emulator.transfer.documents import result
from globus_emulator.transfer.params import (
    MAX_OFFSET,
    bool_param,
    int_param,
    json_body,
    required_str,
)


async def operation_ls(request: Request) -> Response:
    grant = authorized(request)
    c = accessible(request, request.path_params["endpoint_id"], grant)
    params = request.query_params
    raw_path = params.get("path") or "/~/"
    limit = int_param(request, "limit", listing.LS_MAX_LIMIT, listing.LS_MAX_LIMIT)
    offset = int_param(request, "offset", 0, MAX_OFFSET)
    show_hidden = bool_param(request, "show_hidden", True)
    try:
        keep = listing.parse_filter(params.getlist("filter"))
        orderby = listing.parse_orderby(params.get("orderby"))
    except listing.BadFilter as err:
        raise errors.bad_request(str(err)) from err
    cpath = storage.collection_path(c, raw_path)

    def listing_body(local: Path) -> bytes:
        found = listing.list_directory(
            c,
            cpath,
            local,
            keep=keep,
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


async def operation_stat(request: Request) -> Response:
    grant = authorized(request)
    c = accessible(request, request.path_params["endpoint_id"], grant)
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


async def operation_mkdir(request: Request) -> Response:
    grant = authorized(request)
    c = accessible(request, request.path_params["endpoint_id"], grant)
    doc = await json_body(request)
    if doc.get("DATA_TYPE", "mkdir") != "mkdir":
        raise errors.bad_request("DATA_TYPE must be 'mkdir'")
    raw_path = required_str(doc, "path", "'path' is required and must be a string")
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


async def operation_rename(request: Request) -> Response:
    grant = authorized(request)
    c = accessible(request, request.path_params["endpoint_id"], grant)
    doc = await json_body(request)
    if doc.get("DATA_TYPE", "rename") != "rename":
        raise errors.bad_request("DATA_TYPE must be 'rename'")
    both = "'old_path' and 'new_path' are required strings"
    old, new = required_str(doc, "old_path", both), required_str(doc, "new_path", both)
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
        result("result", "FileRenamed", "File or directory renamed successfully", request.url.path)
    )
