"""Where a Globus error becomes an HTTP answer: the one table, and every message about Globus.

Globus answered with an error document: an authorization requirement (a missing consent, or a
session the collection requires: MFA, an identity, a domain, a policy), read with globus-sdk's
GARE support, is a 407 carrying a new login that asks for exactly that (`LoginRequired`, which
the gateway turns into `login.login_required`); anything else is matched by Globus `code`
first (exact, then suffix), then by Globus's HTTP status, and Globus's Retry-After is passed
on. Globus Auth refused the refresh token: 401. Globus did not answer in time: 504. Globus
could not be reached: 502, even when the retries took until the deadline. Globus answered
success with a body that is not a well-formed JSON document of the kind asked for (truncated,
an HTML page, another document): 502. No message ever carries a token: Globus's own text is
scrubbed of the call's secrets before it is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import globus_sdk
from globus_sdk.gare import to_gare

from globus_proxy.errors import ProxyError, scrub
from globus_proxy.errors.login import LOGIN_STEPS, LoginRequired, refresh_rejected
from globus_proxy.token_cache import RefreshRejected, RefreshUnavailable


class BrokenAnswer(Exception):
    """Globus answered success, but its body is not a JSON document of the kind asked for."""

    def __init__(self, http_status: int, problem: str) -> None:
        super().__init__(problem)
        self.http_status = http_status
        self.problem = problem


# What a call toward Globus can raise that is Globus's doing, not the service's.
CallFailure = (
    globus_sdk.GlobusAPIError
    | globus_sdk.NetworkError
    | RefreshRejected
    | RefreshUnavailable
    | BrokenAnswer
)
CALL_FAILURES = (
    globus_sdk.GlobusAPIError,
    globus_sdk.NetworkError,
    RefreshRejected,
    RefreshUnavailable,
    BrokenAnswer,
)

# Answers that pass Globus's Retry-After on; as globus-sdk reads it, in whole seconds.
RETRY_AFTER_STATUSES = (429, 503)
SECONDS = re.compile(r"\d{1,9}")


@dataclass(frozen=True)
class Rule:
    status: int
    what: str
    next_step: str
    codes: tuple[str, ...] = ()
    code_suffixes: tuple[str, ...] = ()
    http_statuses: tuple[int, ...] = ()


GLOBUS_ERRORS: tuple[Rule, ...] = (
    Rule(
        401,
        "Globus rejected the access token, even after refreshing it",
        f"Log in again: {LOGIN_STEPS}.",
        codes=(
            "AuthenticationFailed",
            "ClientError.AuthenticationFailed",
            "Unauthorized",
            "invalid_token",
        ),
        http_statuses=(401,),
    ),
    Rule(
        409,
        "The path already exists",
        "Pick another name, or delete the existing path first.",
        codes=("Exists",),
        code_suffixes=(".Exists",),
    ),
    Rule(
        409,
        "Globus refused the request as conflicting with the state of the collection or task",
        "Check the task's status or the path, then retry (a retried request is safe).",
        codes=("Conflict", "ClientError.Conflict"),
        http_statuses=(409,),
    ),
    Rule(
        409,
        "The collection's administrator has paused operations on it",
        "Retry later; the operation can go ahead once the administrator resumes the collection.",
        codes=("OperationPaused", "ClientError.OperationPaused"),
        code_suffixes=(".OperationPaused",),
    ),
    Rule(
        403,
        "The collection refused this identity's login",
        "Log in with an identity the collection allows, or ask the collection's administrator "
        f"for access. To log in: {LOGIN_STEPS}.",
        codes=("LoginFailed",),
        code_suffixes=(".LoginFailed",),
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
        "The collection has been deleted",
        "Use another collection.",
        codes=("EndpointDeleted", "ClientError.EndpointDeleted"),
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
        "The collection is of a kind Globus no longer supports (or needs a legacy activation)",
        "Use a Globus Connect Server v5 collection, or ask its administrator to upgrade it.",
        codes=(
            "NotSupported",
            "ClientError.NotSupported",
            "ActivationRequired",
            "ClientError.ActivationRequired",
        ),
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
    Rule(
        429,
        "Globus is limiting the rate of this service's requests",
        "Retry after the time the Retry-After header gives, and send fewer requests at once.",
        codes=("RateLimited", "RateLimitExceeded", "TooManyRequests", "ClientError.RateLimited"),
        http_statuses=(429,),
    ),
    Rule(
        503,
        "The collection is a Globus Connect Personal endpoint that is not connected to Globus",
        "Start Globus Connect Personal on that computer and keep it online, then retry.",
        codes=("GCDisconnected", "ClientError.GCDisconnected"),
        code_suffixes=(".GCDisconnected",),
    ),
    Rule(
        503,
        "Globus is unavailable (maintenance or overload)",
        "Retry later (after the Retry-After header's time, when given); see "
        "https://status.globus.org.",
        codes=("ServiceUnavailable",),
        http_statuses=(503,),
    ),
    Rule(
        507,
        "The collection is out of space, or over the user's quota",
        "Free space on the collection (or ask its administrator for more), then retry.",
        codes=("QuotaExceeded", "NoSpaceLeft"),
        code_suffixes=(".QuotaExceeded", ".NoSpaceLeft", ".DiskFull"),
    ),
    Rule(
        502,
        "Globus could not connect to the collection's server",
        "Retry later; if it persists, contact the collection's administrator.",
        code_suffixes=(".ConnectFailed",),
    ),
    Rule(
        502,
        "The collection reported an error",
        "Retry later; if it persists, contact the collection's administrator.",
        codes=("EndpointError", "ExternalError"),
        code_suffixes=(".EndpointError",),
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
BROKEN_MESSAGE = (
    "Globus answered HTTP {status} with {problem}; nothing of it was passed on. Try again "
    "shortly; if it persists, check https://status.globus.org."
)


def translate(
    err: CallFailure,
    *,
    secrets: tuple[str, ...],
    out_of_time: bool,
    deadline_seconds: float,
) -> ProxyError | LoginRequired:
    """The answer for whatever a call toward Globus raised.

    When Globus answered, the answer is never a 504, even if retries ran out of time.
    """
    if isinstance(err, globus_sdk.GlobusAPIError):
        requirement = to_gare(err)
        if requirement is not None:
            return LoginRequired(requirement)
        return from_globus(err, secrets)
    if isinstance(err, RefreshRejected):
        return refresh_rejected()
    if isinstance(err, BrokenAnswer):
        return ProxyError(502, BROKEN_MESSAGE.format(status=err.http_status, problem=err.problem))
    if isinstance(err, RefreshUnavailable) and not err.timed_out:
        return refresh_failed()
    if isinstance(err, RefreshUnavailable):
        return timed_out(deadline_seconds)
    if isinstance(err, globus_sdk.GlobusTimeoutError) or (
        out_of_time and not isinstance(err, globus_sdk.GlobusConnectionError)
    ):
        return timed_out(deadline_seconds)
    # The last attempt could not connect: say so, however long the retries took.
    return unreachable(network_reason(err.underlying_exception))


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
    message = f"{rule.what}: {detail}({origin}). {rule.next_step}"
    wait = retry_after(err) if rule.status in RETRY_AFTER_STATUSES else None
    if wait is None:
        return ProxyError(rule.status, message)
    return ProxyError(
        rule.status, f"{message} Globus asks to wait {wait} s.", headers={"Retry-After": wait}
    )


def retry_after(err: globus_sdk.GlobusAPIError) -> str | None:
    """Globus's Retry-After, when it is whole seconds (as globus-sdk reads it)."""
    value = err.headers.get("Retry-After", "").strip()
    return value if SECONDS.fullmatch(value) else None


def refresh_failed() -> ProxyError:
    """The refresh this request waited on, made for the same pair by another replica, failed."""
    return ProxyError(
        502,
        "Globus Auth could not refresh the access token. Try again shortly; if it persists, "
        "check https://status.globus.org.",
    )


def timed_out(deadline_seconds: float) -> ProxyError:
    return ProxyError(504, TIMEOUT_MESSAGE.format(seconds=deadline_seconds))


def network_reason(exc: BaseException) -> str:
    """What the operating system said (`Connection refused`), else the exception's kind."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        nested = [a for a in seen.args if isinstance(a, BaseException)]
        seen = seen.__cause__ or seen.__context__ or (nested[0] if nested else None)
    return type(exc).__name__


def unreachable(reason: str) -> ProxyError:
    return ProxyError(502, UNREACHABLE_MESSAGE.format(reason=reason))


def no_refresh_token() -> ProxyError:
    """Globus Auth issued no refresh token for Transfer, so the caller could not keep going."""
    return ProxyError(
        502,
        "Globus Auth answered without a refresh token for the transfer service. "
        "Start a new login with auth/url.",
    )
