"""Sealed login sessions: bound to a client, tamper-evident, expiring, replica-portable."""

from __future__ import annotations

import base64
import os
import time

import pytest

from globus_proxy.sessions import SessionError, SessionProblem, SessionSealer

CLIENT = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
OTHER = "1c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
KEY = os.urandom(32)


def test_round_trip_on_another_replica_with_the_same_key() -> None:
    session_id = SessionSealer(KEY, 60).seal(CLIENT, "v" * 43, "openid scope")
    opened = SessionSealer(KEY, 60).open(CLIENT, session_id)
    assert (opened.verifier, opened.scopes) == ("v" * 43, "openid scope")
    assert "v" * 43 not in session_id


def test_other_client_is_named() -> None:
    session_id = SessionSealer(KEY, 60).seal(CLIENT, "v" * 43, "s")
    with pytest.raises(SessionError) as refused:
        SessionSealer(KEY, 60).open(OTHER, session_id)
    assert refused.value.problem is SessionProblem.OTHER_CLIENT


def test_tampered_session_is_refused() -> None:
    session_id = SessionSealer(KEY, 60).seal(CLIENT, "v" * 43, "s")
    raw = bytearray(base64.urlsafe_b64decode(session_id + "=" * (-len(session_id) % 4)))
    raw[-1] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(SessionError) as refused:
        SessionSealer(KEY, 60).open(CLIENT, tampered)
    assert refused.value.problem is SessionProblem.ALTERED


def test_other_key_is_refused() -> None:
    session_id = SessionSealer(KEY, 60).seal(CLIENT, "v" * 43, "s")
    with pytest.raises(SessionError) as refused:
        SessionSealer(os.urandom(32), 60).open(CLIENT, session_id)
    assert refused.value.problem is SessionProblem.ALTERED


def test_session_expires_after_its_ttl() -> None:
    now = time.time()
    session_id = SessionSealer(KEY, 30, clock=lambda: now).seal(CLIENT, "v" * 43, "s")
    assert SessionSealer(KEY, 30, clock=lambda: now + 29).open(CLIENT, session_id).scopes == "s"
    later = now + 31
    with pytest.raises(SessionError) as refused:
        SessionSealer(KEY, 30, clock=lambda: later).open(CLIENT, session_id)
    assert refused.value.problem is SessionProblem.EXPIRED


@pytest.mark.parametrize("garbage", ["", "abc", "!!!!", "A" * 10])
def test_garbage_is_malformed(garbage: str) -> None:
    with pytest.raises(SessionError) as refused:
        SessionSealer(KEY, 60).open(CLIENT, garbage)
    assert refused.value.problem is SessionProblem.MALFORMED
