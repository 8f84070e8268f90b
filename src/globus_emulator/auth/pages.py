"""The login flow a person (or a script) walks: the consent page, its decision, the code page.

The page's form is plain HTML, so a script can log in by submitting it with its defaults
(``globus_emulator.login`` does). An authorize URL's ``session_required_*`` parameters decide
which identities the page offers and whether it asks for MFA; the code then carries the
session that login made. Every failure is a :class:`PageError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from globus_emulator.auth.consent import (
    AUTH_CODE_PATH,
    GLOBUS_AUTH_CODE_URL,
    AuthorizeError,
    ConsentRequest,
    parse_authorize_request,
)
from globus_emulator.auth.forms import FormError, read_form
from globus_emulator.auth.html import PageError, code_page, denied_page, login_page
from globus_emulator.sessions import (
    Authentication,
    Session,
    SessionPolicy,
    SessionPolicyError,
)
from globus_emulator.state import emulator_of
from globus_emulator.world import Identity, World


def checked_consent(request: Request, params: Mapping[str, str]) -> ConsentRequest:
    try:
        return parse_authorize_request(params, emulator_of(request).world, request.url.netloc)
    except AuthorizeError as err:
        raise PageError(str(err)) from None


def requested_session(params: Mapping[str, str]) -> SessionPolicy:
    try:
        return SessionPolicy.read(params)
    except SessionPolicyError as err:
        raise PageError(f"The login asks for a session that cannot be read: {err}.") from None


def offered(world: World, policy: SessionPolicy) -> list[Identity]:
    """The identities the page offers: those that can satisfy the requested session."""
    found = [i for i in world.identities.values() if policy.admits(i.id, i.username)]
    if not found:
        raise PageError(
            "No identity here can log in as this login requires: "
            + " and ".join(policy.describe())
            + "."
        )
    return found


def redirect_with(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    """302 to the client's redirect URI with ``params`` added; Globus's page means ours."""
    if redirect_uri == GLOBUS_AUTH_CODE_URL:
        return RedirectResponse(f"{AUTH_CODE_PATH}?{urlencode(params)}", status_code=302)
    parts = urlsplit(redirect_uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


async def authorize(request: Request) -> Response:
    """GET /v2/oauth2/authorize: the login and consent page."""
    params = request.query_params
    consent = checked_consent(request, params)
    policy = requested_session(params)
    world = emulator_of(request).world
    identities = offered(world, policy)
    return login_page(consent, world, identities, policy, params.get("session_message", ""))


async def decide(request: Request) -> Response:
    """POST /v2/oauth2/authorize: the person's Allow or Deny, sent back to the client."""
    try:
        fields = await read_form(request)
    except FormError as err:
        raise PageError(f"The login form could not be read: {err}") from None
    consent = checked_consent(request, fields)
    state = {"state": consent.state} if consent.state else {}
    # No decision (a script posting the defaults) means the first button: Allow.
    decision = fields.get("decision", "allow")
    if decision == "deny":
        return redirect_with(
            consent.redirect_uri,
            {"error": "access_denied", "error_description": "The user denied access"} | state,
        )
    if decision != "allow":
        raise PageError("Choose Allow or Deny.")
    emulator = emulator_of(request)
    policy = requested_session(fields)
    identities = {i.id: i for i in offered(emulator.world, policy)}
    identity_id = fields.get("identity_id") or next(iter(identities))
    if identity_id not in emulator.world.identities:
        raise PageError(f"Unknown identity {identity_id!r}.")
    identity = identities.get(identity_id)
    if identity is None:
        raise PageError(
            f"Identity {identity_id!r} cannot log in here: this login requires "
            + " and ".join(policy.describe())
            + "."
        )
    mfa = fields.get("mfa", "") == "true"
    if policy.mfa and not mfa:
        raise PageError("This login requires multi-factor authentication: check the MFA box.")
    session = Session((Authentication(identity.id, identity.username, time.time(), mfa),))
    code = emulator.codes.mint(consent, identity.id, session)
    return redirect_with(consent.redirect_uri, {"code": code} | state)


async def auth_code(request: Request) -> Response:
    """GET /v2/web/auth-code: this emulator's copy of Globus's page that shows the code."""
    params = request.query_params
    if params.get("error"):
        return denied_page(params["error"], params.get("error_description", ""))
    code = params.get("code", "")
    if not code:
        raise PageError("There is no authorization code on this page's address.")
    return code_page(code, emulator_of(request).codes.ttl_seconds)
