"""Globus Auth: consent requests, authorization codes, the token endpoint and its neighbours.

The browser pages (``pages.py``) turn an authorize request into a pending code; the token
endpoint here redeems it, refreshes and revokes. Answers and errors are shaped as Globus
Auth shapes them, so that the unmodified globus-sdk parses them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from globus_sdk.scopes import Scope, ScopeParseError, ScopeParser
from jwt.algorithms import RSAAlgorithm
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from globus_emulator.tokens import (
    AUTH_RESOURCE_SERVER,
    TRANSFER_RESOURCE_SERVER,
    TRANSFER_SCOPE,
    AccessToken,
    Grant,
    TokenProblem,
)
from globus_emulator.world import Client, World

if TYPE_CHECKING:
    from globus_emulator.state import Emulator

AUTH_CODE_PATH = "/v2/web/auth-code"
GLOBUS_AUTH_CODE_URL = "https://auth.globus.org/v2/web/auth-code"
ISSUER = "https://auth.globus.org"
IDENTITY_SCOPES = ("openid", "profile", "email")
DATA_ACCESS_PREFIX = "https://auth.globus.org/scopes/"
DATA_ACCESS_SUFFIX = "/data_access"
CODE_TTL_SECONDS = 600.0
OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwk.json"
IDENTITY_PROVIDER_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, "idp.globus-emulator.example.org"))
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class AuthorizeError(ValueError):
    """An authorize request that cannot be shown to a person; the text says why."""


@dataclass(frozen=True)
class RequestedScopes:
    """What a client asks for, sorted into Globus resource servers."""

    identity: tuple[str, ...]  # openid/profile/email, in the order asked
    transfer: bool
    data_access: frozenset[str]  # collection ids

    def grants(self, client_id: str, identity_id: str) -> list[Grant]:
        """One grant per resource server, Auth's first, as Globus orders its tokens."""
        grants = []
        if self.identity:
            grants.append(
                Grant(client_id, identity_id, AUTH_RESOURCE_SERVER, " ".join(self.identity))
            )
        if self.transfer:
            grants.append(
                Grant(
                    client_id,
                    identity_id,
                    TRANSFER_RESOURCE_SERVER,
                    TRANSFER_SCOPE,
                    data_access=self.data_access,
                )
            )
        return grants


def _collection_of(dependency: Scope, world: World) -> str:
    name = dependency.scope_string
    if not (name.startswith(DATA_ACCESS_PREFIX) and name.endswith(DATA_ACCESS_SUFFIX)):
        raise AuthorizeError(
            f"the transfer scope accepts only data_access dependent scopes, not {name!r}"
        )
    if dependency.dependencies:
        raise AuthorizeError(f"the scope {name!r} cannot have dependent scopes")
    collection_id = name[len(DATA_ACCESS_PREFIX) : -len(DATA_ACCESS_SUFFIX)]
    if collection_id not in world.collections:
        raise AuthorizeError(f"no collection {collection_id!r} exists for scope {name!r}")
    return collection_id


def parse_scopes(scope_string: str, world: World) -> RequestedScopes:
    """Parse a space-separated scope string with globus-sdk's own parser and check it."""
    try:
        scopes = ScopeParser.parse(scope_string)
    except ScopeParseError as err:
        raise AuthorizeError(f"the scope string could not be parsed: {err}") from None
    if not scopes:
        raise AuthorizeError("no scope was requested")
    identity: list[str] = []
    transfer = False
    data_access: set[str] = set()
    for scope in scopes:
        name = scope.scope_string
        if name == TRANSFER_SCOPE:
            transfer = True
            data_access.update(_collection_of(dep, world) for dep in scope.dependencies)
        elif name in IDENTITY_SCOPES:
            if scope.dependencies:
                raise AuthorizeError(f"the scope {name!r} cannot have dependent scopes")
            if name not in identity:
                identity.append(name)
        else:
            raise AuthorizeError(f"unknown scope {name!r}")
    return RequestedScopes(tuple(identity), transfer, frozenset(data_access))


@dataclass(frozen=True)
class ConsentRequest:
    """A checked authorize request: what the login page asks a person to allow."""

    client: Client
    redirect_uri: str
    scope: str
    scopes: RequestedScopes
    code_challenge: str
    state: str
    offline: bool


def is_own_auth_code_page(redirect_uri: str, own_host: str) -> bool:
    """Globus's auth-code page, or this emulator's copy of it, is shown by this emulator."""
    if redirect_uri == GLOBUS_AUTH_CODE_URL:
        return True
    parts = urlsplit(redirect_uri)
    return (
        parts.scheme in ("http", "https")
        and parts.netloc == own_host
        and parts.path == AUTH_CODE_PATH
    )


def _check_redirect_uri(redirect_uri: str, own_host: str) -> None:
    if not redirect_uri:
        raise AuthorizeError("redirect_uri is missing")
    if is_own_auth_code_page(redirect_uri, own_host):
        return
    parts = urlsplit(redirect_uri)
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment:
        return
    raise AuthorizeError(
        f"redirect_uri {redirect_uri!r} is not allowed: use this server's {AUTH_CODE_PATH}, "
        f"{GLOBUS_AUTH_CODE_URL} or a loopback http://localhost or http://127.0.0.1 URL"
    )


def parse_authorize_request(
    params: Mapping[str, str], world: World, own_host: str
) -> ConsentRequest:
    """Check the parameters of ``/v2/oauth2/authorize`` (query string or the page's form)."""
    client_id = params.get("client_id", "")
    if not client_id:
        raise AuthorizeError("client_id is missing")
    client = world.clients.get(client_id)
    if client is None:
        raise AuthorizeError(f"unknown client_id {client_id!r}")
    if params.get("response_type", "code") != "code":
        raise AuthorizeError("only response_type=code is supported")
    redirect_uri = params.get("redirect_uri", "")
    _check_redirect_uri(redirect_uri, own_host)
    method = params.get("code_challenge_method", "")
    if not method:
        raise AuthorizeError("code_challenge_method is missing: PKCE with S256 is required")
    if method != "S256":
        raise AuthorizeError(f"code_challenge_method {method!r} is not supported: use S256")
    challenge = params.get("code_challenge", "")
    if not challenge:
        raise AuthorizeError("code_challenge is missing: PKCE with S256 is required")
    scope = params.get("scope", "")
    if not scope.strip():
        raise AuthorizeError("scope is missing")
    return ConsentRequest(
        client=client,
        redirect_uri=redirect_uri,
        scope=scope,
        scopes=parse_scopes(scope, world),
        code_challenge=challenge,
        state=params.get("state", ""),
        offline=params.get("access_type", "online") == "offline",
    )


class OAuthError(Exception):
    """A token-endpoint failure, answered in Globus Auth's error document."""

    TITLES: Mapping[str, str] = {
        "invalid_request": "Invalid Request",
        "invalid_client": "Invalid Client",
        "invalid_grant": "Invalid Grant",
        "invalid_scope": "Invalid Scope",
        "unsupported_grant_type": "Unsupported Grant Type",
        "unauthorized": "Unauthorized",
    }

    def __init__(self, status: int, error: str, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.code = code or error.upper()

    def response(self) -> JSONResponse:
        """Globus's shape: OAuth's ``error``/``error_description`` plus an ``errors`` list."""
        error_id = str(uuid.uuid4())
        body = {
            "errors": [
                {
                    "status": str(self.status),
                    "id": error_id,
                    "code": self.code,
                    "title": self.TITLES.get(self.error, self.error),
                    "detail": self.detail,
                }
            ],
            "error": self.error,
            "error_description": self.detail,
        }
        headers = {"WWW-Authenticate": "Basic"} if self.error == "invalid_client" else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def _invalid_grant(detail: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", detail)


def pkce_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class PendingCode:
    consent: ConsentRequest
    identity_id: str
    expires_at: float
    used: bool = False


@dataclass
class PendingCodes:
    """Authorization codes minted by the login page and not yet (or already) redeemed.

    ``ttl_seconds`` and ``clock`` are attributes so that tests can age codes in-process.
    """

    ttl_seconds: float = CODE_TTL_SECONDS
    clock: Callable[[], float] = time.time
    _codes: dict[str, PendingCode] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def mint(self, consent: ConsentRequest, identity_id: str) -> str:
        code = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            # Forget codes long past use, so the store stays small.
            stale = [c for c, p in self._codes.items() if p.expires_at + self.ttl_seconds < now]
            for c in stale:
                del self._codes[c]
            self._codes[code] = PendingCode(consent, identity_id, now + self.ttl_seconds)
        return code

    def redeem(self, code: str, client_id: str, redirect_uri: str, verifier: str) -> PendingCode:
        """Use a code once; every failure is Globus's ``invalid_grant``."""
        with self._lock:
            pending = self._codes.get(code)
            if pending is None:
                raise _invalid_grant("The authorization code is not valid.")
            if pending.used:
                raise _invalid_grant("The authorization code has already been used.")
            if self.clock() >= pending.expires_at:
                raise _invalid_grant("The authorization code has expired.")
            if pending.consent.client.id != client_id:
                raise _invalid_grant("The authorization code was issued to another client.")
            if pending.consent.redirect_uri != redirect_uri:
                raise _invalid_grant(
                    "The redirect_uri does not match the one used to get the authorization code."
                )
            if not hmac.compare_digest(pkce_challenge(verifier), pending.consent.code_challenge):
                raise _invalid_grant("The code_verifier does not match the code_challenge.")
            pending.used = True
            return pending


def token_document(access: AccessToken, refresh_token: str | None, state: str | None) -> dict:
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
    return JSONResponse({**docs[0], "other_tokens": docs[1:]}, headers=_NO_STORE)


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
        "authorization_endpoint": f"{root}/v2/oauth2/authorize",
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


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """A URL-encoded form body, as OAuth clients and HTML forms send it.

    Parsed here with the stdlib rather than Starlette's parser, which needs python-multipart.
    Any other content type, bad encoding or oversized body is the caller's malformed request.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body:
        return {}
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError(
            400, "invalid_request", "The body must be application/x-www-form-urlencoded."
        )
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError(400, "invalid_request", "The request body is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(400, "invalid_request", "The request body is not a valid form.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise OAuthError(400, "invalid_request", f"The field {name!r} is required.")
    return value


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(401, "invalid_client", "The Basic credentials are malformed.") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client", "The Basic credentials are malformed.")
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
            raise OAuthError(401, "invalid_client", "The client credentials are not valid.")
        return client
    client_id = form.get("client_id", "")
    if not client_id:
        raise OAuthError(401, "invalid_client", "The client is not identified.")
    client = world.clients.get(client_id)
    if client is None:
        raise OAuthError(401, "invalid_client", f"Unknown client_id {client_id!r}.")
    if client.secret is not None:
        raise OAuthError(
            401, "invalid_client", "This client is confidential: authenticate with HTTP Basic."
        )
    return client


def _userinfo_token(emulator: Emulator, request: Request) -> AccessToken:
    """The bearer token of a call to Auth's own resource API (userinfo)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError(401, "unauthorized", "Call must be authenticated")
    found = emulator.tokens.check_access(token.strip())
    if isinstance(found, TokenProblem):
        raise OAuthError(401, "unauthorized", "Call must be authenticated")
    if found.grant.resource_server != AUTH_RESOURCE_SERVER:
        raise OAuthError(403, "unauthorized", "The token is not for auth.globus.org", "FORBIDDEN")
    return found


def _who(world: World, identity_id: str) -> tuple[str, str | None, str | None]:
    """Username, name and email of an identity, or of a client acting as itself."""
    identity = world.identities.get(identity_id)
    if identity is not None:
        return identity.username, identity.name, identity.email
    client = world.clients.get(identity_id)
    # Globus names a client's own identity <client id>@clients.auth.globus.org.
    return f"{identity_id}@clients.auth.globus.org", client.name if client else None, None


def routes(emulator: Emulator) -> list[Route]:
    world = emulator.world
    signing_key = SigningKey()

    def exchange_code(client: Client, form: Mapping[str, str]) -> JSONResponse:
        code = _required(form, "code")
        redirect_uri = _required(form, "redirect_uri")
        verifier = _required(form, "code_verifier")
        pending = emulator.codes.redeem(code, client.id, redirect_uri, verifier)
        consent = pending.consent
        id_token = None
        if "openid" in consent.scopes.identity:
            claims = identity_claims(world, pending.identity_id, consent.scopes.identity)
            id_token = signing_key.id_token(claims, client.id, world.access_token_lifetime_seconds)
        return token_response(
            emulator,
            consent.scopes.grants(client.id, pending.identity_id),
            offline=consent.offline,
            state=consent.state,
            id_token=id_token,
        )

    def refresh(client: Client, form: Mapping[str, str]) -> JSONResponse:
        refresh_token = _required(form, "refresh_token")
        access = emulator.tokens.refresh(refresh_token, client_id=client.id)
        if isinstance(access, TokenProblem):
            raise _invalid_grant("The refresh token is not valid.")
        doc = token_document(access, refresh_token, None)
        return JSONResponse({**doc, "other_tokens": []}, headers=_NO_STORE)

    def client_credentials(client: Client, form: Mapping[str, str]) -> JSONResponse:
        if client.secret is None:
            raise OAuthError(
                401, "invalid_client", "Only confidential clients may use client_credentials."
            )
        try:
            scopes = parse_scopes(_required(form, "scope"), world)
        except AuthorizeError as err:
            raise OAuthError(400, "invalid_scope", str(err)) from None
        return token_response(
            emulator, scopes.grants(client.id, client.id), offline=False, state=None
        )

    grant_types: dict[str, Callable[[Client, Mapping[str, str]], JSONResponse]] = {
        "authorization_code": exchange_code,
        "refresh_token": refresh,
        "client_credentials": client_credentials,
    }

    async def token(request: Request) -> JSONResponse:
        try:
            form = await read_form(request)
            client = authenticate_client(request, form, world)
            grant_type = _required(form, "grant_type")
            handler = grant_types.get(grant_type)
            if handler is None:
                raise OAuthError(
                    400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}."
                )
            return handler(client, form)
        except OAuthError as err:
            return err.response()

    async def revoke(request: Request) -> JSONResponse:
        try:
            form = await read_form(request)
            client = authenticate_client(request, form, world)
            emulator.tokens.revoke(_required(form, "token"), client_id=client.id)
        except OAuthError as err:
            return err.response()
        # As RFC 7009 and Globus: the same answer whether or not the token was known.
        return JSONResponse({"active": False})

    async def introspect(request: Request) -> JSONResponse:
        try:
            form = await read_form(request)
            client = authenticate_client(request, form, world)
            if client.secret is None:
                raise OAuthError(
                    401, "invalid_client", "Only confidential clients may introspect tokens."
                )
            found = emulator.tokens.check_access(_required(form, "token"))
        except OAuthError as err:
            return err.response()
        if isinstance(found, TokenProblem):
            return JSONResponse({"active": False})
        grant = found.grant
        username, name, email = _who(world, grant.identity_id)
        doc: dict[str, Any] = {
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
        return JSONResponse(doc)

    async def userinfo(request: Request) -> JSONResponse:
        try:
            found = _userinfo_token(emulator, request)
        except OAuthError as err:
            return err.response()
        grant = found.grant
        doc = identity_claims(world, grant.identity_id, grant.scope.split())
        return JSONResponse(doc)

    async def discovery(request: Request) -> JSONResponse:
        return JSONResponse(openid_configuration(str(request.base_url).rstrip("/")))

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(signing_key.jwks())

    return [
        Route(OPENID_CONFIGURATION_PATH, discovery, methods=["GET"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
        Route("/v2/oauth2/token", token, methods=["POST"]),
        Route("/v2/oauth2/token/revoke", revoke, methods=["POST"]),
        Route("/v2/oauth2/token/introspect", introspect, methods=["POST"]),
        Route("/v2/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
    ]
