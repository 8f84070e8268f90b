"""Run by test_generated_client.py with the generated package importable: a listing and a
transfer through the client's typed models. Reads its arguments as JSON on stdin and prints
what it saw as JSON, so the test asserts in its own process. Stdlib and the generated client
only: it runs in a virtualenv of its own.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import tapis_globus_proxy as client  # type: ignore[import-not-found]

POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 60.0


def main() -> None:
    args = json.load(sys.stdin)
    pair = {"access_token": args["access_token"], "refresh_token": args["refresh_token"]}
    seen: dict[str, Any] = {}
    with client.ApiClient(client.Configuration(host=args["host"])) as api:
        files = client.FileOperationsApi(api)
        listed = files.list_files(args["client_id"], args["source"], args["source_dir"], **pair)
        seen["listing"] = {
            "answer": type(listed).__name__,
            "result": type(listed.result).__name__,
            "entries": [[type(e).__name__, e.name, e.size, e.type] for e in listed.result.data],
        }
        transfers = client.TransfersApi(api)
        request = client.ReqCreateTransfer(
            source_endpoint=args["source"],
            destination_endpoint=args["destination"],
            transfer_items=[
                client.GlobusTransferItem(
                    source_path=args["source_file"],
                    destination_path=args["destination_file"],
                    recursive=False,
                )
            ],
        )
        created = transfers.create_transfer_task(
            args["client_id"], req_create_transfer=request, **pair
        )
        seen["created"] = {
            "answer": type(created).__name__,
            "result": type(created.result).__name__,
            "code": created.result.code,
        }
        give_up = time.monotonic() + GIVE_UP_SECONDS
        while True:
            task = transfers.get_transfer_task(args["client_id"], created.result.task_id, **pair)
            if task.result.status in ("SUCCEEDED", "FAILED") or time.monotonic() > give_up:
                break
            time.sleep(POLL_SECONDS)
        seen["task"] = {
            "answer": type(task).__name__,
            "result": type(task.result).__name__,
            "status": task.result.status,
            "label": task.result.label,
            "bytes_transferred": task.result.bytes_transferred,
        }
    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
