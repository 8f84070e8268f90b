"""Authorization codes: minted by the login page, redeemed once by the token endpoint (PKCE)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from globus_emulator.auth.consent import ConsentRequest
from globus_emulator.auth.errors import invalid_grant
from globus_emulator.sessions import NO_SESSION, Session

CODE_TTL_SECONDS = 600.0


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
    session: Session = NO_SESSION  # the login that minted the code


@dataclass
class PendingCodes:
    """Authorization codes minted by the login page and not yet (or already) redeemed.

    ``ttl_seconds`` and ``clock`` are attributes so that tests can age codes in-process.
    """

    ttl_seconds: float = CODE_TTL_SECONDS
    clock: Callable[[], float] = time.time
    _codes: dict[str, PendingCode] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def mint(self, consent: ConsentRequest, identity_id: str, session: Session = NO_SESSION) -> str:
        code = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            # Forget codes long past use, so the store stays small.
            stale = [c for c, p in self._codes.items() if p.expires_at + self.ttl_seconds < now]
            for c in stale:
                del self._codes[c]
            self._codes[code] = PendingCode(
                consent, identity_id, now + self.ttl_seconds, session=session
            )
        return code

    def redeem(
        self, code: str, client_id: str, redirect_uri: str, verifier: str | None
    ) -> PendingCode:
        """Use a code once; every failure is Globus's ``invalid_grant``.

        A code minted without PKCE (a confidential client's) needs no verifier: the client's
        own credentials, checked before this, are the proof.
        """
        with self._lock:
            pending = self._codes.get(code)
            if pending is None:
                raise invalid_grant("The authorization code is not valid.")
            if pending.used:
                raise invalid_grant("The authorization code has already been used.")
            if self.clock() >= pending.expires_at:
                raise invalid_grant("The authorization code has expired.")
            if pending.consent.client.id != client_id:
                raise invalid_grant("The authorization code was issued to another client.")
            if pending.consent.redirect_uri != redirect_uri:
                raise invalid_grant(
                    "The redirect_uri does not match the one used to get the authorization code."
                )
            challenge = pending.consent.code_challenge
            if challenge is not None:
                if verifier is None:
                    raise invalid_grant("The code_verifier is required: the login used PKCE.")
                if not hmac.compare_digest(pkce_challenge(verifier), challenge):
                    raise invalid_grant("The code_verifier does not match the code_challenge.")
            pending.used = True
            return pending
