"""File operations on ops/{client_id}/{endpoint_id}/{path}: list, mkdir, rename, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import Response

from globus_proxy import envelope
from globus_proxy.errors import inputs
from globus_proxy.routes import PREFIX, hot_params
from globus_proxy.routes import parameters as p
from globus_proxy.routes.common import WithTokens, normalised
from globus_proxy.routes.parameters import ClientId, CollectionPath, EndpointId
from globus_proxy.schemas import ReqRename

router = APIRouter(prefix=f"{PREFIX}/ops", tags=["File Operations"])
OPS_PATH = "/{client_id}/{endpoint_id}/{path:path}"

TRUE_WORDS = frozenset({"true", "1"})
FALSE_WORDS = frozenset({"false", "0"})


def parse_recurse(raw: str | None) -> bool:
    """Only clear booleans: "false" must never delete recursively."""
    if raw is None:
        return False
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise inputs.bad_recurse()


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
    limit = hot_params.int_in_query(query, "limit", p.LIMIT_DEFAULT, p.LIMIT_MINIMUM)
    offset = hot_params.int_in_query(query, "offset", p.OFFSET_DEFAULT, p.OFFSET_MINIMUM)
    target = normalised(request.path_params["path"])
    answer = await ctx.gateway.transfer.list_files(
        client_id, ctx.tokens, endpoint_id, target, limit, offset, query.get("filter")
    )
    return envelope.success_spliced(
        "Successfully listed files", answer.document, ctx.version, answer.token_metadata
    )


@router.post(
    OPS_PATH,
    operation_id="makeDir",
    summary="Create a directory",
)
async def make_dir(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
) -> Response:
    target = normalised(path)
    answer = await ctx.gateway.transfer.make_dir(
        str(client_id), ctx.tokens, str(endpoint_id), target
    )
    return envelope.success_spliced(
        "Successfully created directory", answer.document, ctx.version, answer.token_metadata
    )


@router.put(OPS_PATH, operation_id="renamePath", summary="Rename a path")
async def rename_path(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
    body: Annotated[ReqRename | None, Body()] = None,
) -> Response:
    if body is None:
        raise inputs.rename_without_destination()
    source = normalised(path)
    destination = normalised(body.destination, "destination")
    answer = await ctx.gateway.transfer.rename(
        str(client_id), ctx.tokens, str(endpoint_id), source, destination
    )
    return envelope.success_spliced(
        "Successfully renamed path", answer.document, ctx.version, answer.token_metadata
    )


@router.delete(OPS_PATH, operation_id="deletePath", summary="Delete a path")
async def delete_path(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    ctx: WithTokens,
    recurse: p.Recurse = None,
) -> Response:
    recursive = parse_recurse(recurse)
    target = normalised(path)
    answer = await ctx.gateway.transfer.delete(
        str(client_id), ctx.tokens, str(endpoint_id), target, recursive
    )
    return envelope.success_spliced(
        "Successfully submitted delete task", answer.document, ctx.version, answer.token_metadata
    )
