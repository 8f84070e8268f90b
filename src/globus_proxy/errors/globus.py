"""Where a Globus error becomes an HTTP answer: the one table, and every message about Globus.

Globus answered with an error document: matched by Globus `code` first (exact, then suffix),
then by Globus's HTTP status; a consent requirement (read with globus-sdk's GARE support) is
a 407 carrying a ready login. Globus Auth refused the refresh token: 401. Globus did not
answer in time: 504. Globus could not be reached: 502, even when the retries took until the
deadline. Globus answered success with a body that is not a well-formed JSON document of the
kind asked for (truncated, an HTML page, another document): 502. No message ever carries a token:
Globus's own text is scrubbed of the call's secrets before it is quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import globus_sdk
from globus_sdk.gare import to_gare

from globus_proxy.errors import ProxyError
from globus_proxy.token_cache import RefreshRejected


class BrokenAnswer(Exception):
    """Globus answered success, but its body is not a JSON document of the kind asked for."""

    def __init__(self, http_status: int, problem: str) -> None:
        super().__init__(problem)
        self.http_status = http_status
        self.problem = problem


# What a call toward Globus can raise that is Globus's doing, not the service's.
CallFailure = globus_sdk.GlobusAPIError | globus_sdk.NetworkError | RefreshRejected | BrokenAnswer
CALL_FAILURES = (globus_sdk.GlobusAPIError, globus_sdk.NetworkError, RefreshRejected, BrokenAnswer)
# client scopes -> {url, session_id} of a new login that asks for them
StartConsent = Callable[[list[str]], dict[str, str]]


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
    start_consent: StartConsent,
) -> ProxyError:
    """The answer for whatever a call toward Globus raised.

    When Globus answered, the answer is never a 504, even if retries ran out of time.
    """
    if isinstance(err, globus_sdk.GlobusAPIError):
        scopes = consent_scopes(err)
        if scopes:
            return consent_required(scopes, start_consent(scopes))
        return from_globus(err, secrets)
    if isinstance(err, RefreshRejected):
        return refresh_rejected()
    if isinstance(err, BrokenAnswer):
        return ProxyError(502, BROKEN_MESSAGE.format(status=err.http_status, problem=err.problem))
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


def consent_required(scopes: list[str], login: dict[str, str]) -> ProxyError:
    """407 with a login (`url`, `session_id`) that asks for the missing consent."""
    return ProxyError(
        407,
        "Globus needs the user's consent before this collection can be used. Send the user "
        f"to this URL and login: {login['url']} then exchange the code at "
        "auth/tokens/{client_id}/{session_id}/{auth_code} with result.session_id, and use "
        "the new token pair.",
        result={"scopes": " ".join(scopes), "required_scopes": scopes, **login},
    )


def refresh_rejected() -> ProxyError:
    return ProxyError(
        401,
        "Globus Auth rejected the refresh token (revoked, unused for too long, or "
        "issued to another client). Log in again: GET auth/url/{client_id}/"
        "{endpoint_id}, then exchange the code at auth/tokens.",
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
