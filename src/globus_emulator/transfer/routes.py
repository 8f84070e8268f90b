"""Every Globus Transfer route, and the handlers that render Transfer's error documents.

Each route is a module-level function that starts with ``access.authorized(request)``. The
catch-all comes last, so an unknown resource gets a Globus error document, not plain text.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ExceptionHandler

from globus_emulator.storage import InvalidPath
from globus_emulator.transfer import (
    bookmarks,
    endpoints,
    operations,
    search,
    submissions,
    tasks,
)
from globus_emulator.transfer.errors import TransferError, render_transfer_error

OPERATION = "/v0.10/operation/endpoint/{endpoint_id}"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def unknown_resource(request: Request) -> Response:
    """The emulator does not serve this Transfer resource (or not with this method)."""
    raise TransferError(
        404, "ClientError.NotFound", f"{request.method} {request.url.path} is not a resource"
    )


ROUTES = [
    Route("/v0.10/endpoint/{endpoint_id}", endpoints.get_endpoint, methods=["GET"]),
    Route("/v0.10/endpoint/{endpoint_id}/autoactivate", endpoints.autoactivate, methods=["POST"]),
    Route("/v0.10/endpoint_search", search.endpoint_search, methods=["GET"]),
    Route(f"{OPERATION}/ls", operations.operation_ls, methods=["GET"]),
    Route(f"{OPERATION}/stat", operations.operation_stat, methods=["GET"]),
    Route(f"{OPERATION}/mkdir", operations.operation_mkdir, methods=["POST"]),
    Route(f"{OPERATION}/rename", operations.operation_rename, methods=["POST"]),
    Route("/v0.10/submission_id", submissions.get_submission_id, methods=["GET"]),
    Route("/v0.10/transfer", submissions.submit_transfer, methods=["POST"]),
    Route("/v0.10/delete", submissions.submit_delete, methods=["POST"]),
    Route("/v0.10/task_list", tasks.task_list, methods=["GET"]),
    Route("/v0.10/task/{task_id}", tasks.get_task, methods=["GET"]),
    Route("/v0.10/task/{task_id}", tasks.update_task, methods=["PUT"]),
    Route("/v0.10/task/{task_id}/pause_info", tasks.pause_info, methods=["GET"]),
    Route("/v0.10/task/{task_id}/cancel", tasks.cancel_task, methods=["POST"]),
    Route("/v0.10/task/{task_id}/event_list", tasks.task_event_list, methods=["GET"]),
    Route(
        "/v0.10/task/{task_id}/successful_transfers",
        tasks.task_successful_transfers,
        methods=["GET"],
    ),
    Route("/v0.10/bookmark_list", bookmarks.bookmark_list, methods=["GET"]),
    Route("/v0.10/bookmark", bookmarks.create_bookmark, methods=["POST"]),
    Route("/v0.10/bookmark/{bookmark_id}", bookmarks.get_bookmark, methods=["GET"]),
    Route("/v0.10/bookmark/{bookmark_id}", bookmarks.update_bookmark, methods=["PUT"]),
    Route("/v0.10/bookmark/{bookmark_id}", bookmarks.delete_bookmark, methods=["DELETE"]),
    Route("/v0.10/{rest:path}", unknown_resource, methods=ALL_METHODS),
]

# Only Transfer touches the filesystem, so a refused path or an OS error that no route
# mapped to a more specific code is a Transfer error document too.
EXCEPTION_HANDLERS: dict[type[Exception], ExceptionHandler] = {
    TransferError: render_transfer_error,
    InvalidPath: render_transfer_error,
    OSError: render_transfer_error,
}
