"""Auth's one error style: raise :class:`OAuthError`; one handler renders Globus's document."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

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
    }

    def __init__(self, status: int, error: str, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.code = code or error.upper()


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
    headers = {"WWW-Authenticate": "Basic"} if exc.error == "invalid_client" else None
    return JSONResponse(body, status_code=exc.status, headers=headers)
