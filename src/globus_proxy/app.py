"""Assembles the service: routers, error handlers, the request observer (ids, metrics,
access log), and the shared gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from globus_proxy import docs
from globus_proxy.errors import handlers
from globus_proxy.gateway import Gateway
from globus_proxy.lifecycle import Lifecycle
from globus_proxy.logs import configure_logging, route_uvicorn_through_root
from globus_proxy.metrics import Metrics
from globus_proxy.observe import RequestObserver
from globus_proxy.openapi import tapis_openapi
from globus_proxy.redaction import route_templates
from globus_proxy.routes import PREFIX, auth, health, metrics, ops, transfers
from globus_proxy.settings import Settings

DESCRIPTION = (
    "The Tapis GlobusProxy API (v3) on globus-sdk 4: login, file operations and transfers on "
    "Globus collections, each answered in the Tapis envelope."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    observed = Metrics()
    gateway = Gateway(settings, observed)
    lifecycle = Lifecycle()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.log_format == "json":
            route_uvicorn_through_root()
        lifecycle.started = True
        yield
        lifecycle.draining = True
        gateway.close()

    app = FastAPI(
        title="Tapis Globus Proxy API",
        description=DESCRIPTION,
        version=settings.version,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # see docs.py: served without a CDN
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.gateway = gateway
    app.state.lifecycle = lifecycle
    app.state.metrics = observed
    routers = (health.router, auth.router, ops.router, transfers.router, metrics.router)
    for router in routers:
        app.include_router(router)
    docs.install(app)
    # What redaction shows of a path that matched no route: these templates' own words.
    app.state.route_templates = route_templates(
        [*app.routes, *(route for router in routers for route in router.routes)]
    )
    app.openapi = lambda: tapis_openapi(app)  # type: ignore[method-assign]
    handlers.install(app, settings.version)
    app.add_middleware(handlers.UnexpectedErrorGuard, version=settings.version)
    app.add_middleware(RequestObserver, metrics=observed)
    return app
