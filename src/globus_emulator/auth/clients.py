"""Who is calling the token endpoint: HTTP Basic for confidential clients, ``client_id`` for
native apps, and the form fields they must send."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from starlette.requests import Request

from globus_emulator.auth.errors import invalid_client, invalid_request
from globus_emulator.world import Client, World


def required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise invalid_request(f"The field {name!r} is required.")
    return value


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client("The Basic credentials are malformed.") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise invalid_client("The Basic credentials are malformed.")
    return client_id, secret


def authenticate_client(request: Request, form: Mapping[str, str], world: World) -> Client:
    """Confidential clients use HTTP Basic; native apps name themselves with ``client_id``."""
    basic = _basic_credentials(request)
    if basic is not None:
        client_id, secret = basic
        client = world.clients.get(client_id)
        if (
            client is None
            or client.secret is None
            or not hmac.compare_digest(client.secret.encode(), secret.encode())
        ):
            raise invalid_client("The client credentials are not valid.")
        return client
    client_id = form.get("client_id", "")
    if not client_id:
        raise invalid_client("The client is not identified.")
    client = world.clients.get(client_id)
    if client is None:
        raise invalid_client(f"Unknown client_id {client_id!r}.")
    if client.secret is not None:
        raise invalid_client("This client is confidential: authenticate with HTTP Basic.")
    return client


def confidential(client: Client, what: str) -> Client:
    """Refuse a native app where Globus wants a confidential client."""
    if client.secret is None:
        raise invalid_client(f"Only confidential clients may {what}.")
    return client
