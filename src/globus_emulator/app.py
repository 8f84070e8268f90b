"""Assembles the emulator: one root URL serving Globus Auth, Transfer and a control API.

Each API brings its route table and the exception handlers that render its one error
style; the middleware around them counts calls, plays faults and logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from globus_emulator import control
from globus_emulator.auth import routes as auth
from globus_emulator.auth.errors import OAuthError, render_oauth_error
from globus_emulator.middleware import EmulatorMiddleware
from globus_emulator.state import Emulator
from globus_emulator.transfer import routes as transfer
from globus_emulator.transfer.errors import TransferError, render_transfer_error

__all__ = ["create_app"]


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Starlette 1.x dropped on_shutdown; stop the task workers when the server stops.
    yield
    emulator: Emulator = app.state.emulator
    emulator.tasks.shutdown()


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """A failure no handler expected, still answered in the document of the API it hit
    (the server logs the traceback)."""
    message = "An unexpected error occurred in the emulator"
    if request.url.path.startswith("/v0.10/"):
        return await render_transfer_error(request, TransferError(500, "InternalError", message))
    return await render_oauth_error(request, OAuthError(500, "internal_error", message))


def create_app(emulator: Emulator) -> ASGIApp:
    app = Starlette(
        routes=[*auth.ROUTES, *transfer.ROUTES, *control.ROUTES],
        exception_handlers={
            **auth.EXCEPTION_HANDLERS,
            **transfer.EXCEPTION_HANDLERS,
            **control.EXCEPTION_HANDLERS,
            Exception: unexpected_error,
        },
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return EmulatorMiddleware(app, emulator)
