"""Auth's resource API under ``/v2/api/``: identities, and client instances of native apps.

Failures are :class:`OAuthError`, rendered in Auth's one error document.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.auth.clients import authenticate_client
from globus_emulator.auth.errors import OAuthError
from globus_emulator.auth.oauth import auth_bearer
from globus_emulator.auth.openid import identity_document
from globus_emulator.state import emulator_of
from globus_emulator.world import Client

CLIENT_SUFFIX = "@clients.auth.globus.org"


def bad_request(detail: str) -> OAuthError:
    return OAuthError(400, "bad_request", detail)


async def json_object(request: Request) -> dict[str, Any]:
    try:
        doc = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The request body must be a JSON object.") from None
    if not isinstance(doc, dict):
        raise bad_request("The request body must be a JSON object.")
    return doc


def client_document(client: Client) -> dict[str, Any]:
    """A confidential client instance, as Globus Auth describes it."""
    return {
        "id": client.id,
        "name": client.name,
        "public_client": False,
        "client_type": "confidential_client",
        "parent_client": client.parent_client,
        "grant_types": ["authorization_code", "client_credentials", "refresh_token"],
        "redirect_uris": [],
        "scopes": [],
        "fqdns": [],
        "visibility": "private",
        "project": None,
        "required_idp": None,
        "preselect_idp": None,
        "userinfo_from_effective_identity": True,
        "prompt_for_named_grant": False,
        "links": {"privacy_policy": None, "terms_and_conditions": None},
    }


async def create_client(request: Request) -> Response:
    """POST /v2/api/clients with a ``template_id``: a confidential instance of a native app,
    with a secret of its own. Needs no credentials, as in Globus (globus-cli's first login
    makes its client this way and keeps the secret)."""
    spec = (await json_object(request)).get("client")
    if not isinstance(spec, dict):
        raise bad_request("The body must be {'client': {'template_id': ..., 'name': ...}}.")
    template_id = spec.get("template_id")
    world = emulator_of(request).world
    template = world.clients.get(template_id) if isinstance(template_id, str) else None
    if template is None or template.secret is not None:
        raise bad_request(
            f"template_id {template_id!r} is not a native app client: only instances of a "
            "native app can be made here."
        )
    name = spec.get("name", template.name)
    if not isinstance(name, str) or not name.strip():
        raise bad_request("name must be a non-empty string.")
    instance = Client(
        id=str(uuid.uuid4()),
        name=name,
        secret=secrets.token_urlsafe(32),
        parent_client=template.id,
    )
    # Routes run on the event loop, one at a time, so this write needs no lock.
    world.clients[instance.id] = instance
    credential = {
        "name": "Auto-created at client creation",
        "id": str(uuid.uuid4()),
        "client": instance.id,
        "secret": instance.secret,
    }
    return JSONResponse(
        {"client": client_document(instance), "included": {"client_credential": credential}}
    )


def _listed(request: Request, name: str) -> list[str]:
    return [v.strip() for v in request.query_params.get(name, "").split(",") if v.strip()]


async def identities(request: Request) -> Response:
    """GET /v2/api/identities by ``ids`` or by ``usernames`` (case-insensitive); unknown
    ones are left out. A bearer token for Auth or a client's own credentials may ask."""
    emulator = emulator_of(request)
    world = emulator.world
    if request.headers.get("authorization", "").lower().startswith("basic "):
        authenticate_client(request, {}, world)
    else:
        auth_bearer(request)
    ids, usernames = _listed(request, "ids"), _listed(request, "usernames")
    if ids and usernames:
        raise bad_request("Give either ids or usernames, not both.")
    if not ids and not usernames:
        raise bad_request("Give ids or usernames (comma-separated).")
    if ids:
        for value in ids:
            try:
                uuid.UUID(value)
            except ValueError:
                raise bad_request(f"ids: {value!r} is not an identity id (a UUID).") from None
    else:
        wanted = {u.lower() for u in usernames}
        ids = [i.id for i in world.identities.values() if i.username.lower() in wanted]
        ids += [u[: -len(CLIENT_SUFFIX)] for u in wanted if u.endswith(CLIENT_SUFFIX)]
    docs = (identity_document(world, i) for i in dict.fromkeys(ids))
    found = [doc for doc in docs if doc is not None]
    return JSONResponse({"identities": found})
