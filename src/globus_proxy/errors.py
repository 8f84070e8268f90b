"""One table from Globus errors to HTTP answers, and the service's exception handlers.

Every error leaves as an envelope whose message says what happened and what to do next.
No message ever carries a token: Globus's own text is scrubbed of the request's secrets
before it is quoted.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

import globus_sdk
import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from globus_sdk.gare import to_gare
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from globus_proxy import envelope
from globus_proxy.access_log import redact_path

log = logging.getLogger("globus_proxy.errors")


class ProxyError(Exception):
    """An answer other than success; `message` is shown to the caller as is."""

    def __init__(self, status: int, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.result = result


@dataclass(frozen=True)
class Rule:
    status: int
    what: str
    next_step: str
    codes: tuple[str, ...] = ()
    code_suffixes: tuple[str, ...] = ()
    http_statuses: tuple[int, ...] = ()


# Matched by Globus `code` first (exact, then suffix), then by Globus's HTTP status.
# ConsentRequired (407) is found before this table, since it needs a consent URL built.
GLOBUS_ERRORS: tuple[Rule, ...] = (
    Rule(
        401,
        "Globus rejected the access token, even after refreshing it",
        "Log in again: GET auth/url/{client_id}/{endpoint_id} and exchange the code at "
        "auth/tokens.",
        codes=("AuthenticationFailed", "Unauthorized", "invalid_token"),
        http_statuses=(401,),
    ),
    Rule(
        409,
        "The path already exists",
        "Pick another name, or delete the existing path first.",
        codes=("Exists", "ClientError.Conflict"),
        code_suffixes=(".Exists",),
        http_statuses=(409,),
    ),
    Rule(
        403,
        "Globus denied permission",
        "Check that the logged-in identity may use this collection and path "
        "(read-only collections refuse writes).",
        codes=(
            "PermissionDenied",
            "ClientError.PermissionDenied",
            "ClientError.Forbidden",
            "Forbidden",
        ),
        code_suffixes=(".PermissionDenied", ".Forbidden"),
        http_statuses=(403,),
    ),
    Rule(
        404,
        "Not found",
        "Check the collection id, the task id and the path (list the parent directory to see "
        "what exists).",
        codes=("ClientError.NotFound", "EndpointNotFound", "TaskNotFound", "NotFound"),
        code_suffixes=(".NotFound",),
        http_statuses=(404,),
    ),
    Rule(
        404,
        "Globus Auth does not know this client id",
        "Check the client id: it must be a Globus native app client.",
        codes=("invalid_client", "unauthorized_client"),
    ),
    Rule(
        400,
        "Globus Auth rejected the authorization code: it is wrong, was already used, has "
        "expired, or belongs to another login session",
        "Start a new login with auth/url, then send its code to auth/tokens once, promptly, "
        "with the session_id from the same auth/url answer.",
        codes=("invalid_grant",),
    ),
    Rule(
        400,
        "Globus rejected the request as invalid",
        "Check the parameters the message names.",
        codes=(
            "BadRequest",
            "ClientError.BadRequest",
            "ClientError.InvalidRequest",
            "invalid_request",
            "invalid_scope",
        ),
        code_suffixes=(".BadRequest", ".InvalidPath", ".NotDirectory", ".IsDirectory"),
        http_statuses=(400, 422),
    ),
)
UPSTREAM_FAILURE = Rule(
    502,
    "Globus failed to carry out the request",
    "Try again shortly; if it persists, check https://status.globus.org.",
)
TIMEOUT_MESSAGE = (
    "Globus did not answer within {seconds:g} s (retries included). "
    "Try again shortly; if it persists, check https://status.globus.org."
)
UNREACHABLE_MESSAGE = (
    "Could not reach Globus ({reason}). Try again shortly; if it persists, check the "
    "service's network and https://status.globus.org."
)


def rule_for(code: str | None, http_status: int) -> Rule:
    """Codes compare without case: Globus Auth says both `invalid_grant` and `INVALID_GRANT`."""
    if code:
        folded = code.lower()
        for rule in GLOBUS_ERRORS:
            if folded in (c.lower() for c in rule.codes):
                return rule
        for rule in GLOBUS_ERRORS:
            if any(folded.endswith(s.lower()) for s in rule.code_suffixes):
                return rule
    for rule in GLOBUS_ERRORS:
        if http_status in rule.http_statuses:
            return rule
    return UPSTREAM_FAILURE


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "REDACTED")
    return text


def from_globus(err: globus_sdk.GlobusAPIError, secrets: tuple[str, ...]) -> ProxyError:
    """The answer for an error document Globus sent."""
    code = err.code if err.code and err.code != "Error" else None
    oauth_error = (err.raw_json or {}).get("error")
    if isinstance(oauth_error, str) and rule_for(code, 0) is UPSTREAM_FAILURE:
        code = oauth_error  # OAuth's own field, e.g. invalid_grant
    rule = rule_for(code, err.http_status)
    said = " ".join(scrub(err.message or err.text or "", secrets).split())[:500]
    detail = f"{said} " if said else ""
    origin = f"Globus {code}, HTTP {err.http_status}" if code else f"Globus HTTP {err.http_status}"
    return ProxyError(rule.status, f"{rule.what}: {detail}({origin}). {rule.next_step}")


def consent_scopes(err: globus_sdk.GlobusAPIError) -> list[str] | None:
    """The scopes Globus asks consent for, when the error is a consent/auth requirement."""
    gare = to_gare(err)
    if gare is None:
        return None
    scopes = gare.authorization_parameters.required_scopes
    return list(scopes) if scopes else None


def invalid_input(*problems: str) -> ProxyError:
    """A 400 that names what was wrong: the one wording of every input error."""
    return ProxyError(400, "Invalid request: " + "; ".join(problems) + ".")


def field_problem(field: str, where: str, problem: str) -> str:
    return f"{field} ({where}): {problem}"


def validation_message(err: RequestValidationError) -> str:
    """Name every bad field, never echoing the values (a token could be among them)."""
    parts = []
    for item in err.errors():
        loc = [str(p) for p in item.get("loc", ())]
        where, field = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("request", "".join(loc))
        if item.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
            continue
        if loc == ["body"]:
            parts.append("the body must be a JSON object, sent with Content-Type: application/json")
            continue
        msg = str(item.get("msg", "invalid"))
        if item.get("type") == "uuid_parsing":
            msg = "must be a UUID"
        parts.append(field_problem(field, where, msg))
    return invalid_input(*parts).message


def install(app: FastAPI, version: str) -> None:
    """Every exception the service can meet becomes an envelope."""

    async def on_proxy_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProxyError)
        return envelope.error(exc.status, exc.message, version, exc.result)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return envelope.error(400, validation_message(exc), version)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = redact_path(request.url.path)
        if exc.status_code == 404:
            message = f"No such route: {request.method} {path}. See /v3/globus-proxy/docs."
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {path}."
        else:
            message = str(exc.detail)
        return envelope.error(exc.status_code, message, version)

    app.add_exception_handler(ProxyError, on_proxy_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


class UnexpectedErrorGuard:
    """Turns any exception that escapes the routes into a 500 envelope, without a traceback.

    Starlette's own 500 handler re-raises into the server, which prints the traceback; this
    stops the exception here and logs its type and place only.
    """

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.body = orjson.dumps(
            {
                "status": "error",
                "message": "Internal error in the proxy; it has been logged. Try again, and "
                "report it if it persists.",
                "result": {},
                "version": version,
                "metadata": {},
            }
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def note_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, note_start)
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
                redact_path(scope["path"]),
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if not started:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": self.body})
