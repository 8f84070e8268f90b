"""OpenID Connect: who an identity is (claims), the id_token signing key, and discovery."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from globus_emulator.auth.consent import AUTHORIZE_PATH, IDENTITY_SCOPES, VIEW_IDENTITY_SET
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import World

ISSUER = "https://auth.globus.org"
OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwk.json"
IDENTITY_PROVIDER_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, "idp.globus-emulator.example.org"))
IDENTITY_PROVIDER_NAME = "Emulated identity provider"
ORGANIZATION = "Globus emulator"
# Globus Auth vouches for clients acting as themselves, as their identity provider.
CLIENTS_PROVIDER_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, "clients.auth.globus.org"))


def identity_document(world: World, identity_id: str) -> dict[str, Any] | None:
    """An identity as ``GET /v2/api/identities`` lists it: a person, or a client acting as
    itself; None if there is no such identity."""
    identity = world.identities.get(identity_id)
    if identity is not None:
        return {
            "id": identity.id,
            "username": identity.username,
            "name": identity.name,
            "email": identity.email,
            "identity_provider": IDENTITY_PROVIDER_ID,
            "identity_type": "login",
            "organization": ORGANIZATION,
            "status": "used",
        }
    client = world.clients.get(identity_id)
    if client is None:
        return None
    return {
        "id": client.id,
        "username": f"{client.id}@clients.auth.globus.org",
        "name": client.name,
        "email": None,
        "identity_provider": CLIENTS_PROVIDER_ID,
        "identity_type": "client",
        "organization": None,
        "status": "used",
    }


def identity_claims(
    world: World, identity_id: str, scopes: Iterable[str], auth_time: int | None = None
) -> dict[str, Any]:
    """OpenID claims about an identity, limited to what the scopes allow (userinfo, id_token).

    ``view_identity_set`` adds the identities linked to this one (each identity stands
    alone here), with ``auth_time`` as their last authentication.
    """
    scopes = set(scopes)
    claims: dict[str, Any] = {"sub": identity_id}
    doc = identity_document(world, identity_id)
    if doc is None:
        return claims
    provider_name = IDENTITY_PROVIDER_NAME if doc["identity_type"] == "login" else "Globus Auth"
    if "profile" in scopes:
        claims.update(
            preferred_username=doc["username"],
            name=doc["name"],
            organization=doc["organization"],
            identity_provider=doc["identity_provider"],
            identity_provider_display_name=provider_name,
        )
    if "email" in scopes:
        claims["email"] = doc["email"]
    if VIEW_IDENTITY_SET in scopes:
        claims["identity_set"] = [
            {
                "sub": doc["id"],
                "username": doc["username"],
                "name": doc["name"],
                "email": doc["email"],
                "identity_provider": doc["identity_provider"],
                "identity_provider_display_name": provider_name,
                "organization": doc["organization"],
                "status": doc["status"],
                "last_authentication": auth_time,
            }
        ]
    return claims


def who(world: World, identity_id: str) -> tuple[str, str | None, str | None]:
    """Username, name and email of an identity, or of a client acting as itself."""
    doc = identity_document(world, identity_id)
    if doc is None:
        # Globus names a client's own identity <client id>@clients.auth.globus.org.
        return f"{identity_id}@clients.auth.globus.org", None, None
    return doc["username"], doc["name"], doc["email"]


class SigningKey:
    """The emulator's RSA key for id_tokens, made on first use (making one takes a moment)."""

    ALGORITHM = "RS512"
    KEY_ID = "globus-emulator-1"

    def __init__(self) -> None:
        self._key: rsa.RSAPrivateKey | None = None
        self._lock = threading.Lock()

    def private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._key

    def jwks(self) -> dict[str, Any]:
        """The public key as the JWK set Globus publishes."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key().public_key()))
        return {"keys": [{**jwk, "alg": self.ALGORITHM, "use": "sig", "kid": self.KEY_ID}]}

    def id_token(self, claims: dict[str, Any], client_id: str, lifetime: int) -> str:
        now = int(time.time())
        payload = {**claims, "iss": ISSUER, "aud": client_id, "iat": now, "exp": now + lifetime}
        return jwt.encode(
            payload, self.private_key(), algorithm=self.ALGORITHM, headers={"kid": self.KEY_ID}
        )


def openid_configuration(root: str) -> dict[str, Any]:
    """Discovery document; endpoints point at this emulator, the issuer stays Globus's."""
    return {
        "issuer": ISSUER,
        "authorization_endpoint": f"{root}{AUTHORIZE_PATH}",
        "token_endpoint": f"{root}/v2/oauth2/token",
        "revocation_endpoint": f"{root}/v2/oauth2/token/revoke",
        "introspection_endpoint": f"{root}/v2/oauth2/token/introspect",
        "userinfo_endpoint": f"{root}/v2/oauth2/userinfo",
        "jwks_uri": f"{root}{JWKS_PATH}",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SigningKey.ALGORITHM],
        "scopes_supported": [*IDENTITY_SCOPES, VIEW_IDENTITY_SET, TRANSFER_SCOPE],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "name",
            "email",
            "preferred_username",
            "organization",
            "identity_provider",
            "identity_provider_display_name",
        ],
    }
