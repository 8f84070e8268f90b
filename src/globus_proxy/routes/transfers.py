"""Transfer tasks: create, get, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import Response

from globus_proxy import compat, envelope
from globus_proxy.errors import inputs
from globus_proxy.routes import PREFIX, hot_params
from globus_proxy.routes.common import WithTokens, normalised
from globus_proxy.routes.parameters import ClientId, TaskId
from globus_proxy.schemas import ReqCreateTransfer

router = APIRouter(prefix=f"{PREFIX}/transfers", tags=["Transfers"])


@router.post(
    "/{client_id}",
    operation_id="createTransferTask",
    summary="Create task to transfer paths from one endpoint to another",
)
async def create_transfer_task(
    client_id: ClientId,
    ctx: WithTokens,
    body: Annotated[ReqCreateTransfer | None, Body()] = None,
) -> Response:
    if body is None:
        raise inputs.transfer_without_body()
    items = [
        (
            normalised(item.source_path, f"transfer_items.{n}.source_path"),
            normalised(item.destination_path, f"transfer_items.{n}.destination_path"),
            item.recursive,
        )
        for n, item in enumerate(body.transfer_items)
    ]
    answer = await ctx.gateway.transfer.submit_transfer(
        str(client_id),
        ctx.tokens,
        str(body.source_endpoint),
        str(body.destination_endpoint),
        items,
        body.options(ctx.task_label),
    )
    return envelope.success_spliced("Success", answer.document, ctx.version, answer.token_metadata)


@router.get(
    "/{client_id}/{task_id}",
    operation_id="getTransferTask",
    summary="Retrieve transfer task",
    openapi_extra={"parameters": hot_params.GET_TASK_PARAMETERS},
)
async def get_transfer_task(request: Request) -> Response:
    """Polled by Tapis Files: parameters read by hand (see hot_params)."""
    client_id = hot_params.uuid_in_path(request, "client_id")
    task_id = hot_params.uuid_in_path(request, "task_id")
    ctx, _ = hot_params.context_of(request)
    answer = await ctx.gateway.transfer.get_task(client_id, ctx.tokens, task_id)
    task, capped = compat.task_for_tapis(answer.document)
    return envelope.success_spliced(
        "successfully retrieved transfer task",
        task,
        ctx.version,
        {**answer.token_metadata, **capped},
    )


@router.delete(
    "/{client_id}/{task_id}", operation_id="cancelTransferTask", summary="Cancel a transfer task"
)
async def cancel_transfer_task(
    client_id: ClientId,
    task_id: TaskId,
    ctx: WithTokens,
) -> Response:
    answer = await ctx.gateway.transfer.cancel_task(str(client_id), ctx.tokens, str(task_id))
    return envelope.success_spliced(
        "successfully requested cancellation of transfer task",
        compat.cancel_for_tapis(answer.document),
        ctx.version,
        answer.token_metadata,
    )
