"""What a client asks for: its scope string and its authorize request, checked.

The login page (``auth/pages.py``) shows a checked :class:`ConsentRequest` to a person; the token
endpoint turns its :class:`RequestedScopes` into grants. Scope strings are parsed with
globus-sdk's own parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from globus_sdk.scopes import Scope, ScopeParseError, ScopeParser

from globus_emulator.tokens import (
    AUTH_RESOURCE_SERVER,
    TRANSFER_RESOURCE_SERVER,
    TRANSFER_SCOPE,
    Grant,
)
from globus_emulator.world import Client, World

AUTHORIZE_PATH = "/v2/oauth2/authorize"
AUTH_CODE_PATH = "/v2/web/auth-code"
GLOBUS_AUTH_CODE_URL = "https://auth.globus.org/v2/web/auth-code"
IDENTITY_SCOPES = ("openid", "profile", "email")
VIEW_IDENTITY_SET = "urn:globus:auth:scope:auth.globus.org:view_identity_set"
# Every scope whose token is for auth.globus.org; they make one grant together.
AUTH_SCOPES = (*IDENTITY_SCOPES, VIEW_IDENTITY_SET)
TIMERS_SCOPE = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
# Services the emulator does not run, whose scopes globus-cli's login asks for: they are
# granted (so the CLI finds every token it wants) and no emulated API accepts their tokens.
OTHER_SERVICES = {
    "urn:globus:auth:scope:groups.api.globus.org:all": "groups.api.globus.org",
    "urn:globus:auth:scope:search.api.globus.org:all": "search.api.globus.org",
    TIMERS_SCOPE: "524230d7-ea86-4a52-8312-86065a9e0417",
    "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all": "flows.globus.org",
}
DATA_ACCESS_PREFIX = "https://auth.globus.org/scopes/"
DATA_ACCESS_SUFFIX = "/data_access"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class AuthorizeError(ValueError):
    """An authorize request that cannot be shown to a person; the text says why."""


@dataclass(frozen=True)
class RequestedScopes:
    """What a client asks for, sorted into Globus resource servers."""

    identity: tuple[str, ...]  # AUTH_SCOPES, in the order asked
    transfer: bool
    data_access: frozenset[str]  # collection ids
    others: tuple[str, ...] = ()  # OTHER_SERVICES scopes, in the order asked

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
        for scope in self.others:
            grants.append(Grant(client_id, identity_id, OTHER_SERVICES[scope], scope))
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
    others: list[str] = []
    transfer = False
    data_access: set[str] = set()
    for scope in scopes:
        name = scope.scope_string
        if name == TRANSFER_SCOPE:
            transfer = True
            data_access.update(_collection_of(dep, world) for dep in scope.dependencies)
        elif name in AUTH_SCOPES:
            _no_dependencies(scope)
            if name not in identity:
                identity.append(name)
        elif name in OTHER_SERVICES:
            _check_other_service(scope, world)
            if name not in others:
                others.append(name)
        else:
            raise AuthorizeError(f"unknown scope {name!r}")
    return RequestedScopes(tuple(identity), transfer, frozenset(data_access), tuple(others))


def _no_dependencies(scope: Scope) -> None:
    if scope.dependencies:
        raise AuthorizeError(f"the scope {scope.scope_string!r} cannot have dependent scopes")


def _check_other_service(scope: Scope, world: World) -> None:
    """Timers act on Transfer for the user, so its scope may depend on Transfer's (as
    globus-cli asks); the other services take no dependent scopes."""
    if scope.scope_string != TIMERS_SCOPE:
        _no_dependencies(scope)
        return
    for dependency in scope.dependencies:
        if dependency.scope_string != TRANSFER_SCOPE:
            raise AuthorizeError(
                f"the timers scope accepts only the transfer scope as a dependent scope, "
                f"not {dependency.scope_string!r}"
            )
        for data_access in dependency.dependencies:
            _collection_of(data_access, world)


@dataclass(frozen=True)
class ConsentRequest:
    """A checked authorize request: what the login page asks a person to allow."""

    client: Client
    redirect_uri: str
    scope: str
    scopes: RequestedScopes
    code_challenge: str | None  # None: a confidential client that sent no PKCE
    state: str
    offline: bool

    def params(self) -> dict[str, str]:
        """The authorize parameters of this request, as the login page's form carries them."""
        pkce = {}
        if self.code_challenge is not None:
            pkce = {"code_challenge": self.code_challenge, "code_challenge_method": "S256"}
        return {
            "client_id": self.client.id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "response_type": "code",
            **pkce,
            "access_type": "offline" if self.offline else "online",
        }


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
    challenge = _pkce_challenge(params, client)
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


def _pkce_challenge(params: Mapping[str, str], client: Client) -> str | None:
    """The S256 challenge. Native apps must send one; a confidential client may leave PKCE
    out (its secret, sent with the code, is the proof), but what it sends is checked."""
    method = params.get("code_challenge_method", "")
    challenge = params.get("code_challenge", "")
    if client.secret is not None and not method and not challenge:
        return None
    if not method:
        raise AuthorizeError("code_challenge_method is missing: PKCE with S256 is required")
    if method != "S256":
        raise AuthorizeError(f"code_challenge_method {method!r} is not supported: use S256")
    if not challenge:
        raise AuthorizeError("code_challenge is missing: PKCE with S256 is required")
    return challenge
