"""The HTML of the pages a person sees, and their one error page.

Everything a request carries is escaped with ``html.escape`` before it reaches a page. Pages
raise :class:`PageError`; its handler renders the error page. The element ids that scripts
read (``login.py``) are named here once.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from globus_emulator.auth.consent import (
    AUTHORIZE_PATH,
    GLOBUS_AUTH_CODE_URL,
    OTHER_SERVICES,
    VIEW_IDENTITY_SET,
    ConsentRequest,
)
from globus_emulator.sessions import SessionPolicy
from globus_emulator.world import Identity, World

# Ids of the elements a script reads: the code, and the reasons a login stops.
CODE_ID = "auth-code"
ERROR_ID = "error-message"
DENIED_ID = "auth-error"
SESSION_ID = "session-requirement"
NO_STORE = {"Cache-Control": "no-store"}

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
label.check { font-weight: normal; margin-top: .9rem; }
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
    return HTMLResponse(doc, status_code=status, headers=NO_STORE)


def error_page(message: str, status: int = 400) -> HTMLResponse:
    body = (
        '<h1>This request cannot be completed</h1><div class="error">'
        f'<p id="{ERROR_ID}">{_esc(message)}</p></div>'
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
    if VIEW_IDENTITY_SET in scopes.identity:
        lines.append("See the identities linked to your Globus account")
    if scopes.transfer:
        lines.append("Manage your data with Globus Transfer: list, move, rename and delete files")
    for collection_id in sorted(scopes.data_access):
        name = world.collections[collection_id].display_name
        lines.append(f"Access your data on the collection “{name}” ({collection_id})")
    for scope in scopes.others:
        lines.append(f"Use {OTHER_SERVICES[scope]} for you (not emulated here)")
    return lines


def login_page(
    consent: ConsentRequest,
    world: World,
    identities: list[Identity],
    session: SessionPolicy,
    session_message: str,
) -> HTMLResponse:
    """The page: what the client asks for, the identities that can log in as the login
    requires, and MFA (checked when required)."""
    fields = {**consent.params(), **session.form_fields()}
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{_esc(value)}">'
        for name, value in fields.items()
    )
    options = "".join(
        f'<option value="{_esc(identity.id)}"{" selected" if i == 0 else ""}>'
        f"{_esc(identity.name or identity.username)} ({_esc(identity.username)})</option>"
        for i, identity in enumerate(identities)
    )
    wants = "".join(f"<li>{_esc(line)}</li>" for line in describe_scopes(consent, world))
    requires = " and ".join(session.describe())
    lead = f"{_esc(session_message)}: this login" if session_message else "This login"
    session_note = (
        f'<p class="note" id="{SESSION_ID}">{lead} requires {_esc(requires)}.</p>'
        if requires
        else ""
    )
    mfa = (
        f'<label class="check"><input type="checkbox" id="mfa" name="mfa" value="true"'
        f"{' checked' if session.mfa else ''}> Use multi-factor authentication</label>"
    )
    offline_note = (
        " The application also asks to keep access while you are away." if consent.offline else ""
    )
    body = (
        f"<h1>Log in to {_esc(consent.client.name)}</h1>"
        f"<p><strong>{_esc(consent.client.name)}</strong> would like to:</p>"
        f'<ul class="scopes">{wants}</ul>{session_note}'
        f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
        f'<label for="identity">Log in as</label>'
        f'<select id="identity" name="identity_id">{options}</select>{mfa}'
        '<div class="buttons">'
        '<button type="submit" id="allow" name="decision" value="allow">Allow</button>'
        '<button type="submit" id="deny" name="decision" value="deny" class="secondary">'
        "Deny</button></div></form>"
        f'<p class="note">After you allow, you are sent to {_esc(_site(consent.redirect_uri))}.'
        f"{offline_note}</p>"
    )
    return page(f"Log in to {consent.client.name}", body)


def code_page(code: str, ttl_seconds: float) -> HTMLResponse:
    """Globus's "Native App Authorization Code" page: the code to copy into the application."""
    minutes = max(1, round(ttl_seconds / 60))
    body = (
        "<h1>Native App Authorization Code</h1>"
        "<p>Copy this code into your application:</p>"
        f'<code class="code" id="{CODE_ID}">{_esc(code)}</code>'
        f'<p class="note">The code can be used once and expires in {minutes} minutes.</p>'
    )
    return page("Authorization code", body)


def denied_page(error: str, description: str) -> HTMLResponse:
    """Where a denied login lands when the application uses the auth-code page."""
    body = (
        "<h1>Access was not granted</h1>"
        f'<p id="{DENIED_ID}">{_esc(error)}: {_esc(description)}</p>'
        '<p class="note">You can close this page.</p>'
    )
    return page("Access not granted", body)


def _site(url: str) -> str:
    if url == GLOBUS_AUTH_CODE_URL:
        return "this server's authorization code page"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PageError(Exception):
    """A request a page cannot serve; the message tells the person what went wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


async def render_page_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return error_page(exc.message, exc.status)
