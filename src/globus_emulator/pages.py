"""The pages a person sees: the login and consent page, and the page that shows the code.

Everything a request carries is escaped with ``html.escape`` before it reaches the page.
The page's form is plain HTML, so a script can log in by submitting it with its defaults.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from globus_emulator.auth import (
    AUTH_CODE_PATH,
    GLOBUS_AUTH_CODE_URL,
    AuthorizeError,
    ConsentRequest,
    OAuthError,
    parse_authorize_request,
    read_form,
)
from globus_emulator.world import World

if TYPE_CHECKING:
    from globus_emulator.state import Emulator

AUTHORIZE_PATH = "/v2/oauth2/authorize"
# The authorize parameters the page carries from the GET to its POST.
CARRIED_PARAMS = (
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "access_type",
)
_NO_STORE = {"Cache-Control": "no-store"}

STYLE = """
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column;
  align-items: center; justify-content: center; background: #eef2f6;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; }
.card { background: #fff; width: min(34rem, 92vw); padding: 2rem 2.25rem; border-radius: 10px;
  box-shadow: 0 2px 14px rgba(20, 40, 70, .12); box-sizing: border-box; }
.brand { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: #5b6b7d; }
h1 { font-size: 1.45rem; margin: .25rem 0 1rem; }
ul.scopes { padding-left: 1.2rem; margin: .5rem 0 1.25rem; }
ul.scopes li { margin: .3rem 0; }
label { display: block; font-weight: 600; margin-bottom: .35rem; }
select { width: 100%; padding: .5rem; font-size: 1rem; border: 1px solid #b9c4d0;
  border-radius: 6px; background: #fff; }
.buttons { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; padding: .65rem 1rem; font-size: 1rem; border-radius: 6px; cursor: pointer;
  border: 1px solid #2a63c4; background: #2a63c4; color: #fff; font-weight: 600; }
button.secondary { background: #fff; color: #2a63c4; }
.note { color: #5b6b7d; font-size: .9rem; }
.code { display: block; margin: 1rem 0; padding: .9rem 1rem; background: #f4f7fb;
  border: 1px dashed #8aa1bb; border-radius: 6px; font: 1.15rem/1.4 ui-monospace, monospace;
  word-break: break-all; user-select: all; }
.error { border-left: 4px solid #c0392b; padding-left: 1rem; }
footer { margin-top: 1rem; color: #7a8896; font-size: .8rem; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole page around ``body`` (already escaped HTML)."""
    doc = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>"
        f'<main class="card"><div class="brand">Globus Auth (emulated)</div>{body}</main>'
        "<footer>A local Globus emulator for development and tests; not Globus.</footer>"
        "</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers=_NO_STORE)


def error_page(message: str, status: int = 400) -> HTMLResponse:
    body = (
        '<h1>This request cannot be completed</h1><div class="error">'
        f'<p id="error-message">{_esc(message)}</p></div>'
        '<p class="note">Go back to the application and start the login again.</p>'
    )
    return page("Login error", body, status)


def describe_scopes(consent: ConsentRequest, world: World) -> list[str]:
    """What the client asks for, in plain words (unescaped)."""
    scopes = consent.scopes
    lines = []
    if "openid" in scopes.identity:
        lines.append("Know who you are: your Globus identity id")
    if "profile" in scopes.identity:
        lines.append("See your name, username and organization")
    if "email" in scopes.identity:
        lines.append("See your email address")
    if scopes.transfer:
        lines.append("Manage your data with Globus Transfer: list, move, rename and delete files")
    for collection_id in sorted(scopes.data_access):
        name = world.collections[collection_id].display_name
        lines.append(f"Access your data on the collection “{name}” ({collection_id})")
    return lines


def login_page(consent: ConsentRequest, world: World) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{_esc(value)}">'
        for name, value in consent_params(consent).items()
    )
    options = "".join(
        f'<option value="{_esc(identity.id)}"{" selected" if i == 0 else ""}>'
        f"{_esc(identity.name or identity.username)} ({_esc(identity.username)})</option>"
        for i, identity in enumerate(world.identities.values())
    )
    wants = "".join(f"<li>{_esc(line)}</li>" for line in describe_scopes(consent, world))
    offline_note = (
        " The application also asks to keep access while you are away." if consent.offline else ""
    )
    body = (
        f"<h1>Log in to {_esc(consent.client.name)}</h1>"
        f"<p><strong>{_esc(consent.client.name)}</strong> would like to:</p>"
        f'<ul class="scopes">{wants}</ul>'
        f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
        f'<label for="identity">Log in as</label>'
        f'<select id="identity" name="identity_id">{options}</select>'
        '<div class="buttons">'
        '<button type="submit" id="allow" name="decision" value="allow">Allow</button>'
        '<button type="submit" id="deny" name="decision" value="deny" class="secondary">'
        "Deny</button></div></form>"
        f'<p class="note">After you allow, you are sent to {_esc(_site(consent.redirect_uri))}.'
        f"{offline_note}</p>"
    )
    return page(f"Log in to {consent.client.name}", body)


def _site(url: str) -> str:
    if url == GLOBUS_AUTH_CODE_URL:
        return "this server's authorization code page"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def consent_params(consent: ConsentRequest) -> dict[str, str]:
    return {
        "client_id": consent.client.id,
        "redirect_uri": consent.redirect_uri,
        "scope": consent.scope,
        "state": consent.state,
        "response_type": "code",
        "code_challenge": consent.code_challenge,
        "code_challenge_method": "S256",
        "access_type": "offline" if consent.offline else "online",
    }


def redirect_with(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    """302 to the client's redirect URI with ``params`` added; Globus's page means ours."""
    if redirect_uri == GLOBUS_AUTH_CODE_URL:
        return RedirectResponse(f"{AUTH_CODE_PATH}?{urlencode(params)}", status_code=302)
    parts = urlsplit(redirect_uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


def routes(emulator: Emulator) -> list[Route]:
    world = emulator.world

    async def authorize(request: Request) -> Response:
        try:
            consent = parse_authorize_request(request.query_params, world, request.url.netloc)
        except AuthorizeError as err:
            return error_page(str(err))
        return login_page(consent, world)

    async def decide(request: Request) -> Response:
        try:
            fields = await read_form(request)
        except OAuthError as err:
            return error_page(f"The login form could not be read: {err.detail}")
        try:
            consent = parse_authorize_request(fields, world, request.url.netloc)
        except AuthorizeError as err:
            return error_page(str(err))
        state = {"state": consent.state} if consent.state else {}
        # No decision (a script posting the defaults) means the first button: Allow.
        decision = fields.get("decision", "allow")
        if decision == "deny":
            return redirect_with(
                consent.redirect_uri,
                {"error": "access_denied", "error_description": "The user denied access"} | state,
            )
        if decision != "allow":
            return error_page("Choose Allow or Deny.")
        identity_id = fields.get("identity_id") or next(iter(world.identities))
        if identity_id not in world.identities:
            return error_page(f"Unknown identity {identity_id!r}.")
        code = emulator.codes.mint(consent, identity_id)
        return redirect_with(consent.redirect_uri, {"code": code} | state)

    async def auth_code(request: Request) -> Response:
        if request.query_params.get("error"):
            body = (
                "<h1>Access was not granted</h1>"
                f'<p id="auth-error">{_esc(request.query_params["error"])}: '
                f"{_esc(request.query_params.get('error_description', ''))}</p>"
                '<p class="note">You can close this page.</p>'
            )
            return page("Access not granted", body)
        code = request.query_params.get("code", "")
        if not code:
            return error_page("There is no authorization code on this page's address.")
        minutes = max(1, round(emulator.codes.ttl_seconds / 60))
        body = (
            "<h1>Native App Authorization Code</h1>"
            "<p>Copy this code into your application:</p>"
            f'<code class="code" id="auth-code">{_esc(code)}</code>'
            f'<p class="note">The code can be used once and expires in {minutes} minutes.</p>'
        )
        return page("Authorization code", body)

    return [
        Route(AUTHORIZE_PATH, authorize, methods=["GET"]),
        Route(AUTHORIZE_PATH, decide, methods=["POST"]),
        Route(AUTH_CODE_PATH, auth_code, methods=["GET"]),
    ]
