"""What Globus Auth has issued: opaque access and refresh tokens, and the grants behind them.

Auth (``auth/oauth.py``) issues, refreshes and revokes; Transfer (``transfer/``) only asks
:meth:`TokenStore.check_access`. Tokens are random strings, never derived from anything.
"""

from __future__ import annotations

import enum
import secrets
import threading
import time
from dataclasses import dataclass, field

from globus_emulator.sessions import NO_SESSION, Session

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
AUTH_RESOURCE_SERVER = "auth.globus.org"
TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


@dataclass(frozen=True)
class Grant:
    """One consent: a client acting for an identity on one resource server."""

    client_id: str
    identity_id: str
    resource_server: str
    scope: str  # the scope string as Globus reports it, space-separated
    # Collection ids whose data_access dependent scope was consented to.
    data_access: frozenset[str] = frozenset()
    # The login the tokens came from (refreshed tokens keep it).
    session: Session = NO_SESSION


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: float
    revoked: bool = False
    issued_at: float = field(default_factory=time.time)

    def expires_in(self, now: float | None = None) -> int:
        """Whole seconds left, as Auth reports ``expires_in``."""
        return max(0, int(self.expires_at - (time.time() if now is None else now)))


@dataclass
class RefreshToken:
    token: str
    grant: Grant
    revoked: bool = False
    access_tokens: list[str] = field(default_factory=list)


class TokenProblem(enum.Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenStore:
    """Thread-safe store of issued tokens."""

    def __init__(self, access_token_lifetime_seconds: int = 7200) -> None:
        self.lifetime = access_token_lifetime_seconds
        self._lock = threading.Lock()
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}

    @staticmethod
    def _new_token() -> str:
        return secrets.token_urlsafe(48)

    def issue(self, grant: Grant, *, with_refresh: bool) -> tuple[AccessToken, RefreshToken | None]:
        with self._lock:
            access = AccessToken(self._new_token(), grant, time.time() + self.lifetime)
            self._access[access.token] = access
            refresh = None
            if with_refresh:
                refresh = RefreshToken(self._new_token(), grant, access_tokens=[access.token])
                self._refresh[refresh.token] = refresh
            return access, refresh

    def refresh(
        self, refresh_token: str, client_id: str | None = None
    ) -> AccessToken | TokenProblem:
        """A new access token for a live refresh token; the refresh token stays the same.

        With ``client_id``, a refresh token issued to another client counts as unknown.
        """
        with self._lock:
            rt = self._refresh.get(refresh_token)
            if rt is None or (client_id is not None and rt.grant.client_id != client_id):
                return TokenProblem.UNKNOWN
            if rt.revoked:
                return TokenProblem.REVOKED
            access = AccessToken(self._new_token(), rt.grant, time.time() + self.lifetime)
            self._access[access.token] = access
            rt.access_tokens.append(access.token)
            return access

    def refresh_token(self, refresh_token: str) -> RefreshToken | None:
        with self._lock:
            return self._refresh.get(refresh_token)

    def check_access(self, token: str) -> AccessToken | TokenProblem:
        """What a resource server asks: is this bearer token live, and whose is it?"""
        with self._lock:
            at = self._access.get(token)
        if at is None:
            return TokenProblem.UNKNOWN
        if at.revoked:
            return TokenProblem.REVOKED
        if time.time() >= at.expires_at:
            return TokenProblem.EXPIRED
        return at

    def issued_to(self, token: str) -> str | None:
        """The client an access or refresh token was issued to; None if unknown."""
        with self._lock:
            found = self._access.get(token) or self._refresh.get(token)
            return found.grant.client_id if found is not None else None

    def is_live(self, token: str, client_id: str) -> bool:
        """Whether a refresh or access token issued to this client still works."""
        with self._lock:
            rt = self._refresh.get(token)
            if rt is not None:
                return not rt.revoked and rt.grant.client_id == client_id
        at = self.check_access(token)
        return isinstance(at, AccessToken) and at.grant.client_id == client_id

    def revoke(self, token: str, client_id: str | None = None) -> bool:
        """Revoke an access or refresh token; revoking a refresh token revokes its access tokens.

        With ``client_id``, only that client's tokens are revoked (others are left alone).
        """
        with self._lock:
            at = self._access.get(token)
            if at is not None:
                if client_id is not None and at.grant.client_id != client_id:
                    return False
                at.revoked = True
                return True
            rt = self._refresh.get(token)
            if rt is None or (client_id is not None and rt.grant.client_id != client_id):
                return False
            rt.revoked = True
            for issued in rt.access_tokens:
                if issued in self._access:
                    self._access[issued].revoked = True
            return True

    def expire_access_tokens(self, token: str | None = None) -> int:
        """Control API: make one access token (or all of them) expired now. Returns the count."""
        now = time.time()
        with self._lock:
            if token is None:
                targets = list(self._access.values())
            else:
                found = self._access.get(token)
                targets = [found] if found is not None else []
            for at in targets:
                at.expires_at = min(at.expires_at, now - 1)
            return len(targets)
