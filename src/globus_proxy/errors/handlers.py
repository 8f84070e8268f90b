"""Every exception the service meets leaves as an envelope, without a traceback.

FastAPI's handlers cover ProxyError, FastAPI's own validation errors and the router's 404
and 405; `UnexpectedErrorGuard` catches anything else that escapes a route.
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from globus_proxy import envelope
from globus_proxy.asgi import ResponseStatus
from globus_proxy.errors import ProxyError, inputs
from globus_proxy.redaction import nearest_route, redacted_path, templates_of

log = logging.getLogger("globus_proxy.errors")

INTERNAL_ERROR = (
    "Internal error in the proxy; it has been logged. Try again, and report it if it persists."
)


def install(app: FastAPI, version: str) -> None:
    async def on_proxy_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProxyError)
        return envelope.error(exc.status, exc.message, version, exc.result, headers=exc.headers)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return envelope.error(400, inputs.validation_message(exc), version)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = redacted_path(request.scope)
        nearest = None
        if exc.status_code == 404 and "route" not in request.scope:
            nearest = nearest_route(request.scope["path"], templates_of(request.scope))
        message = inputs.route_problem(
            exc.status_code, request.method, path, str(exc.detail), nearest
        )
        return envelope.error(exc.status_code, message, version)

    app.add_exception_handler(ProxyError, on_proxy_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


class UnexpectedErrorGuard:
    """Turns any exception that escapes the routes into a 500 envelope.

    Starlette's own 500 handler re-raises into the server, which prints the traceback; this
    stops the exception here and logs its type and place only.
    """

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = ResponseStatus(send)
        try:
            await self.app(scope, receive, response)
        except Exception as exc:
            frame = exc.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "unknown"
            # The frames' code lines, never the exception's text (it could quote a value).
            log.error(
                "unexpected %s at %s during %s %s\n%s",
                type(exc).__name__,
                where,
                scope["method"],
                redacted_path(scope),
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if not response.started:
                await envelope.error(500, INTERNAL_ERROR, self.version)(scope, receive, send)
