"""`GET /metrics`: Prometheus's scrape, at the root, outside the API's prefix, so that an
ingress routing `/v3/globus-proxy/` does not expose it."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

router = APIRouter()


@router.get("/metrics", operation_id="metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.exposition(request.headers.get("accept"))
    return Response(body, media_type=content_type)
