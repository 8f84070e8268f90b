"""Globus Transfer, with the caller's token pair: file operations, tasks and checkTokens.

Each operation is one `Call` run by the CallRunner, and answers the Globus document with
the token metadata to send back (a refreshed pair, when the caller's access token failed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import globus_sdk
from globus_sdk import MISSING

from globus_proxy.gateway.call import Answer, Call, TokenPair
from globus_proxy.gateway.documents import checked, checked_data, single_file_listing
from globus_proxy.gateway.runner import CallRunner

MAX_LS_LIMIT = 100_000
NOT_DIRECTORY = "ExternalError.DirListingFailed.NotDirectory"
# (source path, destination path, recursive)
TransferItem = tuple[str, str, bool]


class TransferOperations:
    def __init__(self, client: globus_sdk.TransferClient, runner: CallRunner) -> None:
        self._client = client
        self._runner = runner

    async def _answer(self, client_id: str, pair: TokenPair, work: Callable[[], bytes]) -> Answer:
        call = self._runner.new_call(client_id, pair)
        return call.answer(await self._runner.run(call, work))

    async def list_files(
        self,
        client_id: str,
        pair: TokenPair,
        endpoint_id: str,
        path: str,
        limit: int,
        offset: int,
        filter_: str | None,
    ) -> Answer:
        def work() -> bytes:
            try:
                response = self._client.operation_ls(
                    endpoint_id,
                    path=path,
                    limit=min(limit, MAX_LS_LIMIT),
                    offset=offset,
                    filter=filter_ if filter_ else MISSING,
                )
            except globus_sdk.TransferAPIError as err:
                if err.code != NOT_DIRECTORY:
                    raise
                entry = checked_data(
                    self._client.operation_stat(endpoint_id, path.rstrip("/")), "file"
                )
                return single_file_listing(endpoint_id, path, entry, offset)
            return checked(response, "file_list")

        return await self._answer(client_id, pair, work)

    async def make_dir(
        self, client_id: str, pair: TokenPair, endpoint_id: str, path: str
    ) -> Answer:
        return await self._answer(
            client_id,
            pair,
            lambda: checked(self._client.operation_mkdir(endpoint_id, path), "mkdir_result"),
        )

    async def rename(
        self, client_id: str, pair: TokenPair, endpoint_id: str, old: str, new: str
    ) -> Answer:
        return await self._answer(
            client_id,
            pair,
            lambda: checked(self._client.operation_rename(endpoint_id, old, new), "result"),
        )

    async def delete(
        self, client_id: str, pair: TokenPair, endpoint_id: str, path: str, recursive: bool
    ) -> Answer:
        def work() -> bytes:
            data = globus_sdk.DeleteData(endpoint_id, recursive=recursive)
            data.add_item(path)
            return checked(self._client.submit_delete(data), "delete_result")

        return await self._answer(client_id, pair, work)

    async def submit_transfer(
        self,
        client_id: str,
        pair: TokenPair,
        source: str,
        destination: str,
        items: list[TransferItem],
        options: dict[str, Any],
    ) -> Answer:
        def work() -> bytes:
            data = globus_sdk.TransferData(source, destination, **options)
            for source_path, destination_path, recursive in items:
                # False means "let Globus detect": Tapis Files sends false even for directories.
                data.add_item(
                    source_path, destination_path, recursive=True if recursive else MISSING
                )
            return checked(self._client.submit_transfer(data), "transfer_result")

        return await self._answer(client_id, pair, work)

    async def get_task(self, client_id: str, pair: TokenPair, task_id: str) -> Answer:
        return await self._answer(
            client_id, pair, lambda: checked(self._client.get_task(task_id), "task")
        )

    async def cancel_task(self, client_id: str, pair: TokenPair, task_id: str) -> Answer:
        return await self._answer(
            client_id, pair, lambda: checked(self._client.cancel_task(task_id), "result")
        )

    async def check_tokens(self, client_id: str, pair: TokenPair, endpoint_id: str) -> TokenPair:
        """A pair that works now: one cheap call with the token, one refresh only if it fails."""
        call: Call = self._runner.new_call(client_id, pair)
        call.refresh_only = True

        def work() -> TokenPair:
            try:
                checked(self._client.get_endpoint(endpoint_id), "endpoint")
            except globus_sdk.TransferAPIError as err:
                if not (err.http_status == 401 and call.refreshed):
                    raise
            return TokenPair(call.access_token, call.refresh_token)

        return await self._runner.run(call, work)
