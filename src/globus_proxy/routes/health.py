"""Liveness and readiness: answered locally, never calling Globus (see lifecycle).

The healthcheck says, for people, what the last call to Globus found ("ok 3 s ago",
"unreachable 2 s ago"): read from the metrics, never asked of Globus per probe.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from globus_proxy import envelope
from globus_proxy.routes import PREFIX
from globus_proxy.routes.common import Plain

router = APIRouter(prefix=PREFIX, tags=["General"])


@router.get("/healthcheck", operation_id="healthCheck", summary="Health check")
async def health_check(ctx: Plain) -> Response:
    globus = ctx.gateway.metrics.globus.describe()
    return envelope.success("I promise I'm healthy.", {"globus": globus}, ctx.version)


@router.get("/hello", operation_id="hello", summary="Say hello")
async def hello(ctx: Plain) -> Response:
    return envelope.success("Hello from the Globus proxy.", {}, ctx.version)


NOT_READY = "Not ready: the service is {state}. Send requests to another replica."


@router.get("/ready", operation_id="ready", summary="Ready to serve")
async def ready(request: Request, ctx: Plain) -> Response:
    """503 while starting and while draining after SIGTERM; never asks Globus."""
    lifecycle = request.app.state.lifecycle
    if not lifecycle.ready:
        state = "shutting down" if lifecycle.draining else "starting"
        return envelope.error(503, NOT_READY.format(state=state), ctx.version)
    return envelope.success("Ready.", {}, ctx.version)
