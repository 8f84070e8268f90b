"""The login flow a person (or a script) walks: the consent page, its decision, the code page.

The page's form is plain HTML, so a script can log in by submitting it with its defaults
(``globus_emulator.login`` does). Every failure is a :class:`PageError`.
"""

from __future__ import annotations

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
from globus_emulator.state import emulator_of


def checked_consent(request: Request, params: Mapping[str, str]) -> ConsentRequest:
    try:
        return parse_authorize_request(params, emulator_of(request).world, request.url.netloc)
    except AuthorizeError as err:
        raise PageError(str(err)) from None


def redirect_with(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    """302 to the client's redirect URI with ``params`` added; Globus's page means ours."""
    if redirect_uri == GLOBUS_AUTH_CODE_URL:
        return RedirectResponse(f"{AUTH_CODE_PATH}?{urlencode(params)}", status_code=302)
    parts = urlsplit(redirect_uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


async def authorize(request: Request) -> Response:
    """GET /v2/oauth2/authorize: the login and consent page."""
    consent = checked_consent(request, request.query_params)
    return login_page(consent, emulator_of(request).world)


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
    identities = emulator.world.identities
    identity_id = fields.get("identity_id") or next(iter(identities))
    if identity_id not in identities:
        raise PageError(f"Unknown identity {identity_id!r}.")
    code = emulator.codes.mint(consent, identity_id)
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
