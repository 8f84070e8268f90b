"""Stateless login sessions: the session id is the login's own state, sealed with AES-GCM.

The id carries {PKCE verifier, requested scopes, expiry} encrypted under the shared session
key, with the client id as associated data. Any replica holding the key can finish a login
that another began, and no store is needed. The client id also travels in clear in the
header, only so that a session used with another client can be told apart from a tampered one.
"""

from __future__ import annotations

import base64
import binascii
import enum
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
HEADER_BYTES = 1 + 16  # version + client uuid


class SessionProblem(enum.Enum):
    MALFORMED = "malformed"
    OTHER_CLIENT = "other client"
    ALTERED = "altered"
    EXPIRED = "expired"


class SessionError(Exception):
    """A session id that cannot finish a login (worded by errors.inputs.bad_session)."""

    def __init__(self, problem: SessionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class LoginSession:
    client_id: str
    verifier: str
    scopes: str
    expires_at: float


class SessionSealer:
    def __init__(
        self, key: bytes, ttl_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._aead = AESGCM(key)
        self._ttl = ttl_seconds
        self._clock = clock  # epoch seconds

    def seal(self, client_id: str, verifier: str, scopes: str) -> str:
        header = FORMAT_VERSION + uuid.UUID(client_id).bytes
        nonce = os.urandom(NONCE_BYTES)
        payload = orjson.dumps({"v": verifier, "s": scopes, "e": int(self._clock()) + self._ttl})
        sealed = self._aead.encrypt(nonce, payload, header + client_id.encode())
        return base64.urlsafe_b64encode(header + nonce + sealed).rstrip(b"=").decode()

    def open(self, client_id: str, session_id: str) -> LoginSession:
        try:
            raw = base64.urlsafe_b64decode(session_id + "=" * (-len(session_id) % 4))
        except (binascii.Error, ValueError) as err:
            raise SessionError(SessionProblem.MALFORMED) from err
        if len(raw) < HEADER_BYTES + NONCE_BYTES + 16 or raw[:1] != FORMAT_VERSION:
            raise SessionError(SessionProblem.MALFORMED)
        header, nonce, sealed = (
            raw[:HEADER_BYTES],
            raw[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES],
            raw[HEADER_BYTES + NONCE_BYTES :],
        )
        if header[1:] != uuid.UUID(client_id).bytes:
            raise SessionError(SessionProblem.OTHER_CLIENT)
        try:
            payload = orjson.loads(self._aead.decrypt(nonce, sealed, header + client_id.encode()))
        except (InvalidTag, orjson.JSONDecodeError) as err:
            raise SessionError(SessionProblem.ALTERED) from err
        if payload["e"] < self._clock():
            raise SessionError(SessionProblem.EXPIRED)
        return LoginSession(client_id, payload["v"], payload["s"], float(payload["e"]))
