"""Transfer's collection bookmarks: each identity's own, listed, made, read, renamed,
pinned and deleted. Another identity's bookmark is as good as missing (``BookmarkNotFound``,
which globus-cli reads to look a bookmark up by name instead)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.bookmarks import Bookmark, BookmarkClash
from globus_emulator.state import emulator_of
from globus_emulator.transfer import errors
from globus_emulator.transfer.access import authorized, collection
from globus_emulator.transfer.documents import result
from globus_emulator.transfer.params import json_body

MAX_NAME_LENGTH = 128
CREATE_FIELDS = ("DATA_TYPE", "name", "endpoint_id", "path", "pinned")
UPDATE_FIELDS = ("DATA_TYPE", "name", "pinned")


def checked_fields(doc: dict[str, Any], allowed: tuple[str, ...]) -> None:
    if doc.get("DATA_TYPE", "bookmark") != "bookmark":
        raise errors.bad_request("DATA_TYPE must be 'bookmark'")
    unknown = sorted(set(doc) - set(allowed))
    if unknown:
        raise errors.bad_request(f"Unknown bookmark fields: {', '.join(unknown)}")


def checked_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request("'name' must be a non-empty string")
    if len(value) > MAX_NAME_LENGTH or "\n" in value or "\r" in value:
        raise errors.bad_request(f"'name' must be one line of at most {MAX_NAME_LENGTH} characters")
    return value


def checked_pinned(value: Any) -> bool:
    if not isinstance(value, bool):
        raise errors.bad_request("'pinned' must be true or false")
    return value


def own_bookmark(request: Request, owner_id: str) -> Bookmark:
    bookmark_id = request.path_params["bookmark_id"]
    found = emulator_of(request).bookmarks.get(owner_id, bookmark_id)
    if found is None:
        raise errors.bookmark_not_found(bookmark_id)
    return found


async def bookmark_list(request: Request) -> Response:
    grant = authorized(request)
    mine = emulator_of(request).bookmarks.owned_by(grant.identity_id)
    return JSONResponse({"DATA_TYPE": "bookmark_list", "DATA": [b.document() for b in mine]})


async def create_bookmark(request: Request) -> Response:
    grant = authorized(request)
    doc = await json_body(request)
    checked_fields(doc, CREATE_FIELDS)
    name = checked_name(doc.get("name"))
    path = doc.get("path")
    if not isinstance(path, str) or not path.endswith("/"):
        raise errors.bad_request("'path' must be a directory path ending in '/'")
    endpoint_id = doc.get("endpoint_id")
    if not isinstance(endpoint_id, str):
        raise errors.bad_request("'endpoint_id' (the bookmarked collection) is required")
    target = collection(request, endpoint_id)
    pinned = checked_pinned(doc.get("pinned", False))
    try:
        made = emulator_of(request).bookmarks.create(
            grant.identity_id, name, target.id, path, pinned
        )
    except BookmarkClash as err:
        raise errors.conflict(str(err)) from None
    return JSONResponse(made.document())


async def get_bookmark(request: Request) -> Response:
    grant = authorized(request)
    return JSONResponse(own_bookmark(request, grant.identity_id).document())


async def update_bookmark(request: Request) -> Response:
    """PUT /bookmark/{id}: a new name, or pinned; where it points never changes."""
    grant = authorized(request)
    current = own_bookmark(request, grant.identity_id)
    doc = await json_body(request)
    checked_fields(doc, UPDATE_FIELDS)
    changes: dict[str, Any] = {}
    if "name" in doc:
        changes["name"] = checked_name(doc["name"])
    if "pinned" in doc:
        changes["pinned"] = checked_pinned(doc["pinned"])
    try:
        updated = emulator_of(request).bookmarks.update(grant.identity_id, current.id, **changes)
    except BookmarkClash as err:
        raise errors.conflict(str(err)) from None
    if updated is None:  # deleted meanwhile
        raise errors.bookmark_not_found(current.id)
    return JSONResponse(updated.document())


async def delete_bookmark(request: Request) -> Response:
    grant = authorized(request)
    current = own_bookmark(request, grant.identity_id)
    if not emulator_of(request).bookmarks.delete(grant.identity_id, current.id):
        raise errors.bookmark_not_found(current.id)
    message = f"Bookmark '{current.id}' deleted successfully"
    return JSONResponse(result("result", "Deleted", message, request.url.path))
