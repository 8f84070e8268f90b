"""File operations on ops/{client_id}/{endpoint_id}/{path}: list, mkdir, rename, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from globus_proxy import envelope
from globus_proxy.errors import field_problem, invalid_input
from globus_proxy.routes import PREFIX, hot_params
from globus_proxy.routes.common import ClientId, EndpointId, WithTokens, normalised

router = APIRouter(prefix=f"{PREFIX}/ops", tags=["File Operations"])
OPS_PATH = "/{client_id}/{endpoint_id}/{path:path}"

CollectionPath = Annotated[
    str,
    Path(
        description=(
            "Path on the collection: one %2F-encoded segment or plain segments. Relative paths "
            "and `~`/`/~/...` are relative to the collection's home directory."
        )
    ),
]
TRUE_WORDS = frozenset({"true", "1"})
FALSE_WORDS = frozenset({"false", "0"})


class RenameRequest(BaseModel):
    destination: str = Field(min_length=1, description="New path of the file or directory.")


def parse_recurse(raw: str | None) -> bool:
    """Only clear booleans: "false" must never delete recursively."""
    if raw is None:
        return False
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise invalid_input(
        field_problem("recurse", "query", "must be true, false, True, False, 1 or 0")
    )


@router.get(
    OPS_PATH,
    operation_id="listFiles",
    summary="List files at path",
    openapi_extra={"parameters": hot_params.LIST_FILES_PARAMETERS},
)
async def list_files(request: Request) -> Response:
    """The hottest route: parameters read by hand (see hot_params)."""
    client_id = hot_params.uuid_in_path(request, "client_id")
    endpoint_id = hot_params.uuid_in_path(request, "endpoint_id")
    ctx, query = hot_params.context_of(request)
    limit = hot_params.int_in_query(query, "limit", 1000, 1)
    offset = hot_params.int_in_query(query, "offset", 0, 0)
    target = normalised(request.path_params["path"])
    call = ctx.gateway.new_call(client_id, ctx.tokens)
    raw = await ctx.gateway.list_files(
        call, endpoint_id, target, limit, offset, query.get("filter")
    )
    return envelope.success_spliced(
        "Successfully listed files", raw, ctx.version, call.token_metadata()
    )


@router.post(
    OPS_PATH,
    operation_id="makeDir",
    summary="Create a directory",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def make_dir(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
) -> Response:
    target = normalised(path)
    call = ctx.gateway.new_call(str(client_id), ctx.tokens)
    raw = await ctx.gateway.make_dir(call, str(endpoint_id), target)
    return envelope.success_spliced(
        "Successfully created directory", raw, ctx.version, call.token_metadata()
    )


@router.put(OPS_PATH, operation_id="renamePath", summary="Rename a path")
async def rename_path(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
    body: Annotated[RenameRequest | None, Body()] = None,
) -> Response:
    if body is None:
        raise invalid_input(
            field_problem("destination", "body", "Field required")
            + '; send {"destination": "<new path>"}'
        )
    source = normalised(path)
    destination = normalised(body.destination, "destination")
    call = ctx.gateway.new_call(str(client_id), ctx.tokens)
    raw = await ctx.gateway.rename(call, str(endpoint_id), source, destination)
    return envelope.success_spliced(
        "Successfully renamed path", raw, ctx.version, call.token_metadata()
    )


@router.delete(OPS_PATH, operation_id="deletePath", summary="Delete a path")
async def delete_path(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
    recurse: Annotated[
        str | None,
        Query(description="Delete directories recursively: true/false/True/False/1/0."),
    ] = None,
) -> Response:
    recursive = parse_recurse(recurse)
    target = normalised(path)
    call = ctx.gateway.new_call(str(client_id), ctx.tokens)
    raw = await ctx.gateway.delete(call, str(endpoint_id), target, recursive)
    return envelope.success_spliced(
        "Successfully submitted delete task", raw, ctx.version, call.token_metadata()
    )
