"""Globus Transfer, with the caller's token pair: file operations, tasks and checkTokens.

Each operation is one `Call` run by the CallRunner, and answers the Globus document with
the token metadata to send back (a refreshed pair, when the caller's access token failed).
Submissions (transfer, delete) fetch their submission id first and, when their answer is
lost, leave it in `LostSubmissions` for the caller's retry (see submissions).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import globus_sdk
from globus_sdk import MISSING

from globus_proxy.errors import ProxyError
from globus_proxy.gateway.call import Answer, Call, TokenPair
from globus_proxy.gateway.documents import checked, checked_data, single_file_listing
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.submissions import ANSWER_LOST_STATUSES, LostSubmissions, request_key

MAX_LS_LIMIT = 100_000
NOT_DIRECTORY = "ExternalError.DirListingFailed.NotDirectory"
# (source path, destination path, recursive)
TransferItem = tuple[str, str, bool]


SubmitData = globus_sdk.TransferData | globus_sdk.DeleteData


@dataclass
class Submission:
    """What one submission request got as far as: its id, and whether it was sent."""

    key: str
    submission_id: str = ""
    sent: bool = False


class TransferOperations:
    def __init__(
        self, client: globus_sdk.TransferClient, runner: CallRunner, lost: LostSubmissions
    ) -> None:
        self._client = client
        self._runner = runner
        self._lost = lost

    async def _answer(
        self,
        client_id: str,
        pair: TokenPair,
        work: Callable[[], bytes],
        collections: tuple[str, ...] = (),
    ) -> Answer:
        call = self._runner.new_call(client_id, pair)
        call.collections = collections
        return call.answer(await self._runner.run(call, work))

    async def _submit(
        self,
        client_id: str,
        pair: TokenPair,
        request: dict[str, Any],
        data: SubmitData,
        submit: Callable[[SubmitData], globus_sdk.GlobusHTTPResponse],
        kind: str,
        collections: tuple[str, ...],
    ) -> Answer:
        """Submits `data` under the id of this exact request's lost submission, if there is
        one (Globus then answers with that task), else under a new id."""
        attempt = Submission(request_key(client_id, pair.refresh_token, "submit", request))

        def work() -> bytes:
            reused = self._lost.recall(attempt.key)
            attempt.submission_id = reused or str(self._client.get_submission_id()["value"])
            data["submission_id"] = attempt.submission_id
            attempt.sent = True
            document = checked(submit(data), kind)
            if reused:
                self._lost.forget(attempt.key)
            return document

        try:
            return await self._answer(client_id, pair, work, collections)
        except ProxyError as err:
            if attempt.sent and err.status in ANSWER_LOST_STATUSES:
                await asyncio.to_thread(self._lost.remember, attempt.key, attempt.submission_id)
            raise

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

        return await self._answer(client_id, pair, work, (endpoint_id,))

    async def make_dir(
        self, client_id: str, pair: TokenPair, endpoint_id: str, path: str
    ) -> Answer:
        return await self._answer(
            client_id,
            pair,
            lambda: checked(self._client.operation_mkdir(endpoint_id, path), "mkdir_result"),
            (endpoint_id,),
        )

    async def rename(
        self, client_id: str, pair: TokenPair, endpoint_id: str, old: str, new: str
    ) -> Answer:
        return await self._answer(
            client_id,
            pair,
            lambda: checked(self._client.operation_rename(endpoint_id, old, new), "result"),
            (endpoint_id,),
        )

    async def delete(
        self, client_id: str, pair: TokenPair, endpoint_id: str, path: str, recursive: bool
    ) -> Answer:
        data = globus_sdk.DeleteData(endpoint_id, recursive=recursive)
        data.add_item(path)
        request = {"delete": endpoint_id, "path": path, "recursive": recursive}
        return await self._submit(
            client_id,
            pair,
            request,
            data,
            self._client.submit_delete,
            "delete_result",
            (endpoint_id,),
        )

    async def submit_transfer(
        self,
        client_id: str,
        pair: TokenPair,
        source: str,
        destination: str,
        items: list[TransferItem],
        options: dict[str, Any],
    ) -> Answer:
        data = globus_sdk.TransferData(source, destination, **options)
        for source_path, destination_path, recursive in items:
            # False means "let Globus detect": Tapis Files sends false even for directories.
            data.add_item(source_path, destination_path, recursive=True if recursive else MISSING)
        request = {
            "transfer": [source, destination],
            "items": [list(item) for item in items],
            "options": options,
        }
        return await self._submit(
            client_id,
            pair,
            request,
            data,
            self._client.submit_transfer,
            "transfer_result",
            (source, destination),
        )

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
        call.collections = (endpoint_id,)

        def work() -> TokenPair:
            try:
                checked(self._client.get_endpoint(endpoint_id), "endpoint")
            except globus_sdk.TransferAPIError as err:
                if not (err.http_status == 401 and call.refreshed):
                    raise
            return TokenPair(call.access_token, call.refresh_token)

        return await self._runner.run(call, work)
