"""Every Globus Auth route, and the handlers that render Auth's two error styles.

The API answers JSON (:class:`OAuthError`); the pages answer HTML (:class:`PageError`).
"""

from __future__ import annotations

from starlette.routing import Route
from starlette.types import ExceptionHandler

from globus_emulator.auth import api, oauth, pages
from globus_emulator.auth.consent import AUTH_CODE_PATH, AUTHORIZE_PATH
from globus_emulator.auth.errors import OAuthError, render_no_route, render_oauth_error
from globus_emulator.auth.html import PageError, render_page_error
from globus_emulator.auth.openid import JWKS_PATH, OPENID_CONFIGURATION_PATH

ROUTES = [
    Route(OPENID_CONFIGURATION_PATH, oauth.discovery, methods=["GET"]),
    Route(JWKS_PATH, oauth.jwks, methods=["GET"]),
    Route("/v2/oauth2/token", oauth.token, methods=["POST"]),
    Route("/v2/oauth2/token/revoke", oauth.revoke, methods=["POST"]),
    Route("/v2/oauth2/token/introspect", oauth.introspect, methods=["POST"]),
    Route("/v2/oauth2/token/validate", oauth.validate, methods=["POST"]),
    Route("/v2/oauth2/userinfo", oauth.userinfo, methods=["GET", "POST"]),
    Route("/v2/api/clients", api.create_client, methods=["POST"]),
    Route("/v2/api/identities", api.identities, methods=["GET"]),
    Route(AUTHORIZE_PATH, pages.authorize, methods=["GET"]),
    Route(AUTHORIZE_PATH, pages.decide, methods=["POST"]),
    Route(AUTH_CODE_PATH, pages.auth_code, methods=["GET"]),
]

EXCEPTION_HANDLERS: dict[type[Exception] | int, ExceptionHandler] = {
    OAuthError: render_oauth_error,
    PageError: render_page_error,
    404: render_no_route,
    405: render_no_route,
}
