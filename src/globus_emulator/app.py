"""Assembles the emulator: one root URL serving Globus Auth, Transfer and a control API.

Each API brings its route table and the exception handlers that render its one error
style; the middleware around them counts calls, plays faults and logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.types import ASGIApp

from globus_emulator import control
from globus_emulator.auth import routes as auth
from globus_emulator.middleware import EmulatorMiddleware
from globus_emulator.state import Emulator
from globus_emulator.transfer import routes as transfer

__all__ = ["create_app"]


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Starlette 1.x dropped on_shutdown; stop the task workers when the server stops.
    yield
    emulator: Emulator = app.state.emulator
    emulator.tasks.shutdown()


def create_app(emulator: Emulator) -> ASGIApp:
    app = Starlette(
        routes=[*auth.ROUTES, *transfer.ROUTES, *control.ROUTES],
        exception_handlers={
            **auth.EXCEPTION_HANDLERS,
            **transfer.EXCEPTION_HANDLERS,
            **control.EXCEPTION_HANDLERS,
        },
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return EmulatorMiddleware(app, emulator)
