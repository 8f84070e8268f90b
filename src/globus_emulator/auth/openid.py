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

from globus_emulator.auth.consent import AUTHORIZE_PATH, IDENTITY_SCOPES
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import World

ISSUER = "https://auth.globus.org"
OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwk.json"
IDENTITY_PROVIDER_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, "idp.globus-emulator.example.org"))


def identity_claims(world: World, identity_id: str, scopes: Iterable[str]) -> dict[str, Any]:
    """OpenID claims about an identity, limited to what the scopes allow (userinfo, id_token)."""
    scopes = set(scopes)
    claims: dict[str, Any] = {"sub": identity_id}
    identity = world.identities.get(identity_id)
    if identity is None:
        return claims
    if "profile" in scopes:
        claims.update(
            preferred_username=identity.username,
            name=identity.name,
            organization="Globus emulator",
            identity_provider=IDENTITY_PROVIDER_ID,
            identity_provider_display_name="Emulated identity provider",
        )
    if "email" in scopes:
        claims["email"] = identity.email
    return claims


def who(world: World, identity_id: str) -> tuple[str, str | None, str | None]:
    """Username, name and email of an identity, or of a client acting as itself."""
    identity = world.identities.get(identity_id)
    if identity is not None:
        return identity.username, identity.name, identity.email
    client = world.clients.get(identity_id)
    # Globus names a client's own identity <client id>@clients.auth.globus.org.
    return f"{identity_id}@clients.auth.globus.org", client.name if client else None, None


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
        "scopes_supported": [*IDENTITY_SCOPES, TRANSFER_SCOPE],
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
