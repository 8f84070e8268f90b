"""The record of lost submissions in memory: exact keys, expiry, bound, no token."""

from __future__ import annotations

from globus_proxy.submissions import LOST_SUBMISSION_SECONDS, LostSubmissions, request_key


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


REQUEST = {"transfer": ["a", "b"], "items": [["/x", "/y", False]], "options": {"label": "l"}}


def test_the_key_is_the_caller_and_the_exact_request_and_holds_no_token() -> None:
    key = request_key("client", "refresh-secret", "submit", REQUEST)
    same = request_key("client", "refresh-secret", "submit", dict(reversed(REQUEST.items())))
    assert key == same  # canonical JSON: key order does not matter
    assert key != request_key("client", "other-refresh", "submit", REQUEST)
    assert key != request_key("other-client", "refresh-secret", "submit", REQUEST)
    assert key != request_key("client", "refresh-secret", "submit", {**REQUEST, "options": {}})
    assert "refresh-secret" not in key and len(key) == 64


def test_an_id_is_reused_for_ten_minutes_then_forgotten() -> None:
    clock = Clock()
    lost = LostSubmissions(clock=clock)
    lost.remember("k", "submission-1")
    clock.now += LOST_SUBMISSION_SECONDS - 1
    assert lost.recall("k") == "submission-1"
    clock.now += 2
    assert lost.recall("k") is None


def test_forget_after_success() -> None:
    lost = LostSubmissions()
    lost.remember("k", "submission-1")
    lost.forget("k")
    assert lost.recall("k") is None
    assert (lost.remembered, lost.recalled) == (1, 0)


def test_memory_is_bounded() -> None:
    lost = LostSubmissions(size=2)
    for n in range(3):
        lost.remember(f"k{n}", f"s{n}")
    assert len(lost) == 2
    assert lost.recall("k0") is None
    assert lost.recall("k2") == "s2"
