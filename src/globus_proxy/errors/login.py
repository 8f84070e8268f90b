"""What a caller is told when the user must log in (again), on this service's routes and on
Tapis Systems' (a Tapis deployment's end users log in through Systems, which calls this
service with the same client id): the 407 for what Globus says the login lacks, and the 401
for a refresh token Globus Auth refused.
"""

from __future__ import annotations

import re

from globus_sdk.gare import GARE

from globus_proxy.errors import ProxyError, scrub
from globus_proxy.schemas import ResultEndpointArray

LOGIN_STEPS = (
    "GET auth/url/{client_id}/{endpoint_id}, send the user to its url, then exchange the "
    "code at auth/tokens/{client_id}/{session_id}/{auth_code}; through Tapis Systems: GET "
    "/v3/systems/credential/{systemId}/globus/authUrl, then POST /v3/systems/credential/"
    "{systemId}/user/{userName}/globus/tokens/{authCode}/{sessionId}"
)
FINISH_LOGIN = (
    "then exchange the code at auth/tokens/{client_id}/{session_id}/{auth_code} with "
    "result.session_id (through Tapis Systems: POST /v3/systems/credential/{systemId}/user/"
    "{userName}/globus/tokens/{authCode}/{sessionId} with the same session id), and use the "
    "new token pair."
)
DATA_ACCESS_SCOPE = re.compile(r"https://auth\.globus\.org/scopes/([0-9a-fA-F-]{36})/data_access")


class LoginRequired(Exception):
    """Globus answered that the login lacks something (a consent, a session requirement).

    The answer is a 407 with a new login, which only the gateway can start (it needs the
    call's client and collections): see `login_required`.
    """

    def __init__(self, requirement: GARE) -> None:
        super().__init__(requirement.code)
        self.requirement = requirement


def login_required(
    requirement: GARE,
    login: dict[str, str],
    scopes: str,
    collections: tuple[str, ...],
    secrets: tuple[str, ...] = (),
) -> ProxyError:
    """407 with a new login (`url`, `session_id`) that asks for what Globus said is missing.

    `scopes` are those the login asks for; `collections`, the ones the call used.
    """
    params = requirement.authorization_parameters
    session_message = scrub(params.session_message or "", secrets)
    required_scopes = list(params.required_scopes or [])
    named = [m for s in required_scopes for m in DATA_ACCESS_SCOPE.findall(s)]
    names = list(dict.fromkeys(named or collections))
    result = ResultEndpointArray(
        scopes=scopes,
        required_scopes=required_scopes,
        url=login["url"],
        session_id=login["session_id"],
        names=names,
        globus_code=requirement.code,
        session_message=session_message or None,
        session_required_identities=list(params.session_required_identities or []),
        session_required_single_domain=list(params.session_required_single_domain or []),
        session_required_policies=list(params.session_required_policies or []),
        session_required_mfa=params.session_required_mfa or None,
    )
    which = f"collection {', '.join(names)}" if names else "this collection"
    lacking = session_lacks(result)
    said = f" ({result.session_message})" if result.session_message else ""
    if lacking:
        what = f"Globus needs the user to log in again to use {which}: {lacking}{said}."
    else:
        what = f"Globus needs the user's consent before {which} can be used{said}."
    return ProxyError(
        407,
        f"{what} Send the user to this URL and login: {login['url']} {FINISH_LOGIN}",
        result=result.model_dump(),
    )


def session_lacks(result: ResultEndpointArray) -> str:
    """What the user's Globus session must have, in words; empty if only consent is missing."""
    needs = []
    if result.session_required_single_domain:
        domains = " or ".join(result.session_required_single_domain)
        needs.append(f"an identity from {domains}")
    if result.session_required_identities:
        needs.append(f"identity {' or '.join(result.session_required_identities)}")
    if result.session_required_mfa:
        needs.append("multi-factor authentication")
    if result.session_required_policies:
        needs.append(f"policy {', '.join(result.session_required_policies)}")
    return "log in with " + " and ".join(needs) if needs else ""


def refresh_rejected() -> ProxyError:
    return ProxyError(
        401,
        "Globus Auth rejected the refresh token (revoked, unused for too long, or "
        f"issued to another client). Log in again: {LOGIN_STEPS}.",
    )
