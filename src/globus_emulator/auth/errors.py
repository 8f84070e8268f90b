"""Auth's one error style: raise :class:`OAuthError`; one handler renders Globus's document."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class OAuthError(Exception):
    """A failed Auth API call, answered in Globus Auth's error document."""

    TITLES: Mapping[str, str] = {
        "invalid_request": "Invalid Request",
        "invalid_client": "Invalid Client",
        "invalid_grant": "Invalid Grant",
        "invalid_scope": "Invalid Scope",
        "unsupported_grant_type": "Unsupported Grant Type",
        "unauthorized": "Unauthorized",
        "bad_request": "Bad Request",
        "not_found": "Not Found",
        "method_not_allowed": "Method Not Allowed",
        "internal_error": "Internal Server Error",
    }

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.code = code or error.upper()
        self.headers = dict(headers or {})


def invalid_request(detail: str) -> OAuthError:
    return OAuthError(400, "invalid_request", detail)


def invalid_client(detail: str) -> OAuthError:
    return OAuthError(401, "invalid_client", detail)


def invalid_grant(detail: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", detail)


async def render_oauth_error(_: Request, exc: Exception) -> Response:
    """Globus's shape: OAuth's ``error``/``error_description`` plus an ``errors`` list."""
    assert isinstance(exc, OAuthError)
    body = {
        "errors": [
            {
                "status": str(exc.status),
                "id": str(uuid.uuid4()),
                "code": exc.code,
                "title": exc.TITLES.get(exc.error, exc.error),
                "detail": exc.detail,
            }
        ],
        "error": exc.error,
        "error_description": exc.detail,
    }
    headers = dict(exc.headers)
    if exc.error == "invalid_client":
        headers["WWW-Authenticate"] = "Basic"
    return JSONResponse(body, status_code=exc.status, headers=headers)


async def render_no_route(request: Request, exc: Exception) -> Response:
    """A path or method no route serves (Starlette's 404 and 405), in Auth's document: Auth
    owns the root, so anything outside Transfer's ``/v0.10/`` is answered as Auth would."""
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        error = OAuthError(
            405, "method_not_allowed", f"{where} is not allowed", headers=exc.headers
        )
    else:
        error = OAuthError(404, "not_found", f"{where} is not a resource")
    return await render_oauth_error(request, error)
