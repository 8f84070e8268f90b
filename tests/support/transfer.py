"""Calling the emulator's Transfer API directly: tokens, clients, errors, finished tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import globus_sdk
import httpx
import pytest

from globus_emulator.state import Emulator
from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE, Grant
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, DEFAULT_SOURCE_ID

TASK_WAIT_SECONDS = 30.0


def issue_token(
    emulator: Emulator,
    *,
    identity: str = DEFAULT_IDENTITY_ID,
    resource_server: str = TRANSFER_RESOURCE_SERVER,
    data_access: frozenset[str] = frozenset(),
) -> str:
    """An access token as if the identity had logged in (no login page involved)."""
    grant = Grant(DEFAULT_CLIENT_ID, identity, resource_server, TRANSFER_SCOPE, data_access)
    access, _ = emulator.tokens.issue(grant, with_refresh=True)
    return access.token


def transfer_client(token: str, base_url: str | None = None) -> globus_sdk.TransferClient:
    """``base_url`` None: the URL globus-sdk reads from the environment (``globus_env``)."""
    return globus_sdk.TransferClient(
        base_url=base_url, authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )


def api_error(call: Callable[[], object]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        call()
    return info.value


def wait_done(emulator: Emulator, tc: globus_sdk.TransferClient, task_id: str) -> dict[str, Any]:
    """The task document once the task has ended, read over HTTP.

    Waits on the engine's own "finished" event rather than polling the API on a clock.
    """
    owner = tc.get_task(task_id)["owner_id"]
    task = emulator.tasks.get(task_id, owner)
    assert task is not None, f"task {task_id} is not in the engine"
    assert task.finished.wait(TASK_WAIT_SECONDS), f"task {task_id} did not end"
    doc: dict[str, Any] = tc.get_task(task_id).data
    assert doc["status"] in ("SUCCEEDED", "FAILED"), doc
    return doc


def ls_data1(http: httpx.Client, token: str) -> httpx.Response:
    """The default world's source `/data1` listed over raw HTTP, as globus-sdk would ask."""
    return http.get(
        f"/v0.10/operation/endpoint/{DEFAULT_SOURCE_ID}/ls",
        params={"path": "/data1"},
        headers={"Authorization": f"Bearer {token}"},
    )
