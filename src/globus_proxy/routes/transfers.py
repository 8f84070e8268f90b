"""Transfer tasks: create, get, cancel."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response

from globus_proxy import compat, envelope
from globus_proxy.errors import inputs
from globus_proxy.routes import PREFIX, hot_params
from globus_proxy.routes.common import WithTokens, normalised
from globus_proxy.routes.parameters import ClientId, TaskId

router = APIRouter(prefix=f"{PREFIX}/transfers", tags=["Transfers"])


def loose_bool(value: Any) -> Any:
    """`"True"`/`"False"` as the seed README sends them; anything else is left to pydantic."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


class TransferItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_path: str = Field(min_length=1)
    destination_path: str = Field(min_length=1)
    recursive: bool = Field(
        default=False,
        description="true for a directory; false lets Globus detect (files and directories).",
    )

    _loose = field_validator("recursive", mode="before")(loose_bool)


class TransferRequest(BaseModel):
    """The Tapis body, plus Globus TransferData options."""

    model_config = ConfigDict(extra="forbid")

    source_endpoint: UUID
    destination_endpoint: UUID
    transfer_items: list[TransferItem] = Field(min_length=1)
    label: str | None = Field(default=None, max_length=128)
    sync_level: Literal[0, 1, 2, 3, "exists", "size", "mtime", "checksum"] | None = None
    verify_checksum: bool | None = None
    preserve_timestamp: bool | None = None
    encrypt_data: bool | None = None
    deadline: datetime.datetime | None = None
    skip_source_errors: bool | None = None
    fail_on_quota_errors: bool | None = None
    delete_destination_extra: bool | None = None
    notify_on_succeeded: bool | None = None
    notify_on_failed: bool | None = None
    notify_on_inactive: bool | None = None

    _loose = field_validator(
        "verify_checksum",
        "preserve_timestamp",
        "encrypt_data",
        "skip_source_errors",
        "fail_on_quota_errors",
        "delete_destination_extra",
        "notify_on_succeeded",
        "notify_on_failed",
        "notify_on_inactive",
        mode="before",
    )(loose_bool)

    def options(self) -> dict[str, Any]:
        chosen = self.model_dump(
            exclude={"source_endpoint", "destination_endpoint", "transfer_items"},
            exclude_none=True,
        )
        if self.deadline is not None:
            chosen["deadline"] = self.deadline.isoformat()
        return chosen


@router.post("/{client_id}", operation_id="createTransferTask", summary="Create a transfer task")
async def create_transfer_task(
    client_id: ClientId,
    ctx: WithTokens,
    body: Annotated[TransferRequest | None, Body()] = None,
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
        body.options(),
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
