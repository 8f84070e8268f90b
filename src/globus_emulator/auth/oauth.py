"""Auth's API endpoints: token (three grant types), revoke, introspect, userinfo, discovery.

Every failure is raised as :class:`OAuthError` and rendered by its one handler; answers are
shaped as Globus Auth shapes them, so that the unmodified globus-sdk parses them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.auth.clients import authenticate_client, confidential, required
from globus_emulator.auth.consent import AuthorizeError, parse_scopes
from globus_emulator.auth.errors import OAuthError, invalid_grant, invalid_request
from globus_emulator.auth.forms import FormError, read_form
from globus_emulator.auth.openid import (
    IDENTITY_PROVIDER_ID,
    ISSUER,
    identity_claims,
    openid_configuration,
    who,
)
from globus_emulator.state import Emulator, emulator_of
from globus_emulator.tokens import AUTH_RESOURCE_SERVER, AccessToken, Grant, TokenProblem
from globus_emulator.world import Client

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def oauth_form(request: Request) -> dict[str, str]:
    try:
        return await read_form(request)
    except FormError as err:
        raise invalid_request(str(err)) from None


def token_document(
    access: AccessToken, refresh_token: str | None, state: str | None
) -> dict[str, Any]:
    """One token as Globus reports it, top-level or inside ``other_tokens``."""
    doc: dict[str, Any] = {
        "access_token": access.token,
        "expires_in": access.expires_in(),
        "resource_server": access.grant.resource_server,
        "token_type": "Bearer",
        "scope": access.grant.scope,
    }
    if refresh_token is not None:
        doc["refresh_token"] = refresh_token
    if state is not None:
        doc["state"] = state
    return doc


def token_response(
    emulator: Emulator,
    grants: list[Grant],
    *,
    offline: bool,
    state: str | None,
    id_token: str | None = None,
) -> JSONResponse:
    """Issue a token per grant: the first at the top level, the rest in ``other_tokens``.

    An ``id_token`` goes with the auth.globus.org token, as Globus places it.
    """
    docs = []
    for grant in grants:
        access, refresh = emulator.tokens.issue(grant, with_refresh=offline)
        doc = token_document(access, refresh.token if refresh else None, state)
        if id_token is not None and grant.resource_server == AUTH_RESOURCE_SERVER:
            doc["id_token"] = id_token
        docs.append(doc)
    return JSONResponse({**docs[0], "other_tokens": docs[1:]}, headers=NO_STORE)


# -- grant types -------------------------------------------------------------------------------

GrantType = Callable[[Emulator, Client, Mapping[str, str]], JSONResponse]


def exchange_code(emulator: Emulator, client: Client, form: Mapping[str, str]) -> JSONResponse:
    code = required(form, "code")
    redirect_uri = required(form, "redirect_uri")
    verifier = form.get("code_verifier") or None
    pending = emulator.codes.redeem(code, client.id, redirect_uri, verifier)
    consent = pending.consent
    id_token = None
    if "openid" in consent.scopes.identity:
        world = emulator.world
        claims = identity_claims(
            world, pending.identity_id, consent.scopes.identity, auth_time=int(time.time())
        )
        id_token = emulator.signing_key.id_token(
            claims, client.id, world.access_token_lifetime_seconds
        )
    grants = consent.scopes.grants(client.id, pending.identity_id)
    return token_response(
        emulator,
        [replace(grant, session=pending.session) for grant in grants],
        offline=consent.offline,
        state=consent.state,
        id_token=id_token,
    )


def refresh(emulator: Emulator, client: Client, form: Mapping[str, str]) -> JSONResponse:
    refresh_token = required(form, "refresh_token")
    access = emulator.tokens.refresh(refresh_token, client_id=client.id)
    if isinstance(access, TokenProblem):
        raise invalid_grant("The refresh token is not valid.")
    doc = token_document(access, refresh_token, None)
    return JSONResponse({**doc, "other_tokens": []}, headers=NO_STORE)


def client_credentials(emulator: Emulator, client: Client, form: Mapping[str, str]) -> JSONResponse:
    confidential(client, "use client_credentials")
    try:
        scopes = parse_scopes(required(form, "scope"), emulator.world)
    except AuthorizeError as err:
        raise OAuthError(400, "invalid_scope", str(err)) from None
    return token_response(emulator, scopes.grants(client.id, client.id), offline=False, state=None)


GRANT_TYPES: Mapping[str, GrantType] = {
    "authorization_code": exchange_code,
    "refresh_token": refresh,
    "client_credentials": client_credentials,
}


# -- endpoints ---------------------------------------------------------------------------------


async def token(request: Request) -> Response:
    emulator = emulator_of(request)
    form = await oauth_form(request)
    client = authenticate_client(request, form, emulator.world)
    grant_type = required(form, "grant_type")
    handler = GRANT_TYPES.get(grant_type)
    if handler is None:
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}.")
    return handler(emulator, client, form)


async def revoke(request: Request) -> Response:
    """A client revokes its own tokens, and a native app those of the client instances made
    from it (globus-cli's logout revokes its instance's tokens as the template)."""
    emulator = emulator_of(request)
    form = await oauth_form(request)
    client = authenticate_client(request, form, emulator.world)
    token_text = required(form, "token")
    owner = emulator.tokens.issued_to(token_text)
    instance = emulator.world.clients.get(owner) if owner else None
    if owner == client.id or (instance is not None and instance.parent_client == client.id):
        emulator.tokens.revoke(token_text)
    # As RFC 7009 and Globus: the same answer whether or not the token was known.
    return JSONResponse({"active": False})


async def validate(request: Request) -> Response:
    """POST /v2/oauth2/token/validate: whether a token issued to the calling client still
    works. globus-cli asks it about each stored refresh token before every command."""
    emulator = emulator_of(request)
    form = await oauth_form(request)
    client = authenticate_client(request, form, emulator.world)
    active = emulator.tokens.is_live(required(form, "token"), client.id)
    return JSONResponse({"active": active}, headers=NO_STORE)


async def introspect(request: Request) -> Response:
    emulator = emulator_of(request)
    form = await oauth_form(request)
    confidential(authenticate_client(request, form, emulator.world), "introspect tokens")
    found = emulator.tokens.check_access(required(form, "token"))
    if isinstance(found, TokenProblem):
        return JSONResponse({"active": False})
    grant = found.grant
    username, name, email = who(emulator.world, grant.identity_id)
    include = set(form.get("include", "").split(","))
    extra: dict[str, Any] = {}
    if "session_info" in include:
        extra["session_info"] = session_info(emulator, found)
    if "identity_set" in include:
        extra["identity_set"] = [grant.identity_id]
    return JSONResponse(
        {
            **extra,
            "active": True,
            "token_type": "Bearer",
            "scope": grant.scope,
            "client_id": grant.client_id,
            "username": username,
            "name": name,
            "email": email,
            "exp": int(found.expires_at),
            "iat": int(found.issued_at),
            "nbf": int(found.issued_at),
            "sub": grant.identity_id,
            "aud": [grant.resource_server, grant.client_id],
            "iss": ISSUER,
        }
    )


def session_info(emulator: Emulator, access: AccessToken) -> dict[str, Any]:
    """Who authenticated in the login behind a token, when, and whether with MFA.

    A client acting as itself has no person's authentication to report.
    """
    grant = access.grant
    authentications: dict[str, dict[str, Any]] = {
        a.identity_id: {
            "acr": None,
            "amr": ["mfa"] if a.mfa else None,
            "auth_time": int(a.at),
            "custom_claims": {},
            "idp": IDENTITY_PROVIDER_ID,
        }
        for a in grant.session.authentications
        if a.identity_id in emulator.world.identities
    }
    # One emulated browser session per client and identity.
    session_id = uuid.uuid5(uuid.NAMESPACE_URL, f"session:{grant.client_id}:{grant.identity_id}")
    return {"session_id": str(session_id), "authentications": authentications}


def auth_bearer(request: Request) -> AccessToken:
    """The bearer token of a call to Auth's own resource API (userinfo)."""
    scheme, _, token_text = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_text.strip():
        raise OAuthError(401, "unauthorized", "Call must be authenticated")
    found = emulator_of(request).tokens.check_access(token_text.strip())
    if isinstance(found, TokenProblem):
        raise OAuthError(401, "unauthorized", "Call must be authenticated")
    if found.grant.resource_server != AUTH_RESOURCE_SERVER:
        raise OAuthError(403, "unauthorized", "The token is not for auth.globus.org", "FORBIDDEN")
    return found


async def userinfo(request: Request) -> Response:
    access = auth_bearer(request)
    grant = access.grant
    world = emulator_of(request).world
    claims = identity_claims(
        world, grant.identity_id, grant.scope.split(), auth_time=int(access.issued_at)
    )
    return JSONResponse(claims)


async def discovery(request: Request) -> Response:
    return JSONResponse(openid_configuration(str(request.base_url).rstrip("/")))


async def jwks(request: Request) -> Response:
    return JSONResponse(emulator_of(request).signing_key.jwks())
