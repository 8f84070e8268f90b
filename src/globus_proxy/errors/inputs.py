"""The wording of every error in what the caller sent.

Each message says what was wrong and how to fix it, and none echoes a value the caller sent
(a token could be among them). Bad input is a 400 ("Invalid request: ..."); missing or
impossible tokens are a 401; a route that does not exist is a 404 or 405.
"""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

from globus_proxy.errors import ProxyError
from globus_proxy.errors.login import LOGIN_STEPS
from globus_proxy.paths import PathProblem
from globus_proxy.routes import PREFIX
from globus_proxy.sessions import SessionProblem
from guarded_http import Refusal

MUST_BE_UUID = "must be a UUID"
PATH_PROBLEMS = {
    PathProblem.NUL: "must not contain NUL characters",
    PathProblem.DOT_DOT: "'..' segments are not allowed",
    PathProblem.NAME_TOO_LONG: (
        "a file or directory name is longer than 255 bytes (UTF-8), which no file system takes"
    ),
}
SESSION_PROBLEMS = {
    SessionProblem.MALFORMED: (
        "The session id is malformed: use the session_id that auth/url returned."
    ),
    SessionProblem.OTHER_CLIENT: (
        "The session id was made for another client id: finish the login with the "
        "client id that was given to auth/url."
    ),
    SessionProblem.ALTERED: (
        "The session id was altered or was not issued by this service (or the service's "
        "session key changed): start a new login with auth/url."
    ),
    SessionProblem.EXPIRED: (
        "The login session has expired: start a new login with auth/url and finish it "
        "within the time allowed."
    ),
}
TOKEN_NAMES = ("access_token", "refresh_token")


def invalid_input(*problems: str) -> ProxyError:
    """A 400 that names what was wrong: the one wording of every input error."""
    return ProxyError(400, "Invalid request: " + "; ".join(problems) + ".")


def field_problem(field: str, where: str, problem: str) -> str:
    return f"{field} ({where}): {problem}"


def validation_message(err: RequestValidationError) -> str:
    """Name every bad field FastAPI found, never echoing the values."""
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
            msg = MUST_BE_UUID
        parts.append(field_problem(field, where, msg))
    return invalid_input(*parts).message


def not_a_uuid(name: str) -> ProxyError:
    return invalid_input(field_problem(name, "path", MUST_BE_UUID))


def not_an_integer(name: str) -> ProxyError:
    return invalid_input(field_problem(name, "query", "must be an integer"))


def below_minimum(name: str, minimum: int) -> ProxyError:
    return invalid_input(field_problem(name, "query", f"must be at least {minimum}"))


def bad_path(field: str, problem: PathProblem) -> ProxyError:
    return invalid_input(f"{field}: {PATH_PROBLEMS[problem]}")


def bad_recurse() -> ProxyError:
    return invalid_input(
        field_problem("recurse", "query", "must be true, false, True, False, 1 or 0")
    )


def rename_without_destination() -> ProxyError:
    return invalid_input(
        field_problem("destination", "body", "Field required")
        + '; send {"destination": "<new path>"}'
    )


def transfer_without_body() -> ProxyError:
    return invalid_input(
        "the JSON body is required, with source_endpoint, destination_endpoint and "
        "transfer_items (each with source_path and destination_path)"
    )


def missing_tokens(access_token: str | None, refresh_token: str | None) -> ProxyError:
    missing = [
        name
        for name, value in zip(TOKEN_NAMES, (access_token, refresh_token), strict=True)
        if not value
    ]
    return ProxyError(
        401,
        f"Missing {' and '.join(missing)} query parameter{'s' if len(missing) > 1 else ''}: "
        "send the Globus token pair from auth/tokens as ?access_token=...&refresh_token=... "
        f"(no pair yet? Log in: {LOGIN_STEPS}).",
    )


def not_a_token(name: str) -> ProxyError:
    return ProxyError(
        401,
        f"The {name} query parameter is not a Globus token (tokens are printable ASCII "
        "without spaces): send the pair exactly as auth/tokens returned it (no pair yet? "
        f"Log in: {LOGIN_STEPS}).",
    )


def bad_session(problem: SessionProblem) -> ProxyError:
    return ProxyError(400, SESSION_PROBLEMS[problem])


def route_problem(
    status: int, method: str, path: str, detail: str, nearest: str | None = None
) -> str:
    """For an answer the router gave (`path` already redacted)."""
    if status == 404:
        hint = f" Did you mean {nearest}?" if nearest else ""
        return (
            f"No such route: {method} {path} (segments other than the API's own words are "
            f"shown as *).{hint} See {PREFIX}/docs."
        )
    if status == 405:
        return f"Method {method} is not allowed on {path}."
    return detail


# What the HTTP layer refuses before a route sees the request, and the setting behind each.
REFUSALS = {
    "body": (
        "The request body is larger than {limit} bytes (GLOBUS_PROXY_MAX_BODY_BYTES): send "
        "fewer transfer items per request."
    ),
    "url": (
        "The URL is longer than {limit} bytes (GLOBUS_PROXY_MAX_URL_BYTES): shorten the path "
        "or the filter."
    ),
    "header": (
        "The request's header fields are larger than {limit} bytes in all "
        "(GLOBUS_PROXY_MAX_HEADER_BYTES): send fewer or smaller headers."
    ),
    "head_timeout": (
        "The request line and headers did not arrive within {limit} s "
        "(GLOBUS_PROXY_HEADER_TIMEOUT_SECONDS): the connection is closed; send the request "
        "again on a new one."
    ),
    "malformed": "Invalid HTTP request received: it is not HTTP/1.1 this service can read.",
}


def refused(refusal: Refusal) -> str:
    """For a request the HTTP layer refused (see guarded_http)."""
    return REFUSALS[refusal.reason].format(limit=refusal.limit_text)
