"""Transfer's endpoint (collection) resources."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.transfer.access import authorized, collection
from globus_emulator.transfer.documents import endpoint_document


async def get_endpoint(request: Request) -> Response:
    """GET /endpoint/{id}: reads no data, so it needs no data_access consent."""
    authorized(request)
    return JSONResponse(endpoint_document(collection(request, request.path_params["endpoint_id"])))
