"""Who may touch what: the bearer token every Transfer route checks, and the collections a
token may read (data_access consent, then a login session that meets the collection's
policy) or write (not read-only)."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request

from globus_emulator.state import emulator_of
from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, Grant, TokenProblem
from globus_emulator.transfer import errors
from globus_emulator.world import Collection


def uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def authorized(request: Request) -> Grant:
    """The grant behind the request's bearer token; every Transfer route starts here."""
    header = request.headers.get("authorization")
    if not header:
        raise errors.authentication_failed("No Authorization header provided")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.authentication_failed("Authorization header must use the Bearer scheme")
    found = emulator_of(request).tokens.check_access(token.strip())
    if isinstance(found, TokenProblem):
        raise errors.authentication_failed()
    if found.grant.resource_server != TRANSFER_RESOURCE_SERVER:
        raise errors.authentication_failed("Token is not valid for this resource server")
    return found.grant


def collection(request: Request, endpoint_id: str) -> Collection:
    key = uuid_or_none(endpoint_id)
    found = emulator_of(request).world.collections.get(key) if key else None
    if found is None:
        raise errors.endpoint_not_found(endpoint_id)
    return found


def accessible(request: Request, endpoint_id: str, grant: Grant) -> Collection:
    """The collection, if this token may touch its data: consent first, as Transfer checks it
    before it reaches the collection's server, whose login checks the session."""
    found = collection(request, endpoint_id)
    if found.requires_data_access_consent and found.id not in grant.data_access:
        raise errors.consent_required(found)
    if not found.session_policy.satisfied_by(grant.session):
        raise errors.session_required(found, request.url.path.rstrip("/").rpartition("/")[2])
    return found


def writable(c: Collection, path: str, op: str) -> None:
    if c.read_only:
        raise errors.permission_denied(c, path, op, "Collection is read-only.")
