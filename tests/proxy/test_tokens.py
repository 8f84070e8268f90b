"""Login exchange errors, check_tokens, and what a stale pair costs."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from globus_proxy.sessions import SessionSealer
from tests.proxy.support import (
    SESSION_KEY,
    TOKEN_CALL,
    CallCounter,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
    token_metadata,
)

OTHER_CLIENT_ID = "0b7d5c8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
BAD_CODE = "Globus Auth rejected the authorization code: "
# The deadline of a proxy that waits on a stalled Globus Auth: short, to wait little.
QUICK_DEADLINE_SECONDS = 1.0


def message(answer: object) -> str:
    return str(answer.json()["message"])  # type: ignore[attr-defined]


# --- getTokens -----------------------------------------------------------------------------


def test_exchanged_pair_works_for_transfer(
    proxy: ProxyClient, globus: EmulatedGlobus, calls: CallCounter
) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    calls.start()
    answer = proxy.exchange(session_id, code)
    assert answer.status_code == 200, answer.text
    assert calls.total() == 1, calls.by_route()
    assert globus.accepts(answer.json()["result"]["access_token"])


def test_bad_code_is_400_saying_so(proxy: ProxyClient) -> None:
    _, session_id = proxy.start_login()
    answer = proxy.exchange(session_id, "not-a-real-code")
    assert answer.status_code == 400, answer.text
    assert message(answer).startswith(BAD_CODE), message(answer)


def test_reused_code_is_400_saying_so(proxy: ProxyClient) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    first = proxy.exchange(session_id, code)
    assert first.status_code == 200, first.text
    again = proxy.exchange(session_id, code)
    assert again.status_code == 400, again.text
    assert message(again).startswith(BAD_CODE), message(again)
    assert "already used" in message(again)


def test_session_made_for_another_client_is_400(proxy: ProxyClient) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    answer = proxy.exchange(session_id, code, client_id=OTHER_CLIENT_ID)
    assert answer.status_code == 400, answer.text
    assert message(answer).startswith("The session id was made for another client id")


def flipped(session_id: str, at: int) -> str:
    return session_id[:at] + ("A" if session_id[at] != "A" else "B") + session_id[at + 1 :]


@pytest.mark.parametrize(
    ("spoil", "opening"),
    [
        (lambda s: flipped(s, 30), "The session id was altered"),
        (lambda s: flipped(s, 5), "The session id was made for another client id"),
        (lambda s: s[:-4], "The session id was altered"),
        (lambda s: "garbage", "The session id is malformed"),
    ],
    ids=["payload flipped", "client header flipped", "truncated", "garbage"],
)
def test_spoiled_session_is_400_saying_so(proxy: ProxyClient, spoil: object, opening: str) -> None:
    _, session_id = proxy.start_login()
    answer = proxy.exchange(spoil(session_id), "some-code")  # type: ignore[operator]
    assert answer.status_code == 400, answer.text
    assert message(answer).startswith(opening), message(answer)


def test_another_replica_with_the_same_key_finishes_the_flow(
    proxy: ProxyClient, proxy_factory: ProxyFactory
) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    replica = proxy_factory.start()
    replica.known_secrets = proxy.known_secrets
    answer = replica.exchange(session_id, code)
    assert answer.status_code == 200, answer.text


def test_expired_session_is_400_saying_so(proxy: ProxyClient) -> None:
    """A session sealed with the service's key an hour ago, whose 15 minutes are long over."""
    an_hour_ago = time.time() - 3600
    sealer = SessionSealer(base64.b64decode(SESSION_KEY), 900, clock=lambda: an_hour_ago)
    session_id = sealer.seal(DEFAULT_CLIENT_ID, secrets.token_urlsafe(48), "openid")
    answer = proxy.exchange(session_id, "some-code")
    assert answer.status_code == 400, answer.text
    assert message(answer).startswith("The login session has expired"), message(answer)


# --- checkTokens ---------------------------------------------------------------------------


def test_check_tokens_keeps_a_working_pair_in_one_call(
    proxy: ProxyClient, fresh_tokens: Tokens, calls: CallCounter
) -> None:
    calls.start()
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == fresh_tokens.query()
    assert calls.total() == 1, calls.by_route()
    assert calls.matching(TOKEN_CALL) == 0, "a working access token needs no refresh"


def test_check_tokens_refreshes_an_expired_access_token(
    proxy: ProxyClient, globus: EmulatedGlobus, fresh_tokens: Tokens, calls: CallCounter
) -> None:
    globus.expire(fresh_tokens.access_token)
    calls.start()
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 200, answer.text
    assert calls.total() == 2, ("the rejected call and the refresh", calls.by_route())
    assert calls.matching(TOKEN_CALL) == 1
    result = answer.json()["result"]
    assert result["access_token"] != fresh_tokens.access_token
    assert result["refresh_token"] == fresh_tokens.refresh_token
    assert globus.accepts(result["access_token"])
    listing = proxy.ls(DEFAULT_SOURCE_ID, "/data1", Tokens(**result))
    assert listing.status_code == 200, listing.text
    assert token_metadata(listing) == {}, "the renewed pair is the working pair"


def test_check_tokens_with_revoked_pair_is_401(
    proxy: ProxyClient, globus: EmulatedGlobus, fresh_tokens: Tokens
) -> None:
    globus.revoke(fresh_tokens.refresh_token)
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 401, answer.text


# --- stale pairs ---------------------------------------------------------------------------


@pytest.fixture
def stale(globus: EmulatedGlobus, fresh_tokens: Tokens) -> Iterator[Tokens]:
    """A pair whose access token Globus no longer accepts, as Files sends for months."""
    assert globus.expire(fresh_tokens.access_token) == 1
    yield fresh_tokens


def test_working_pair_gets_no_token_metadata(proxy: ProxyClient, fresh_tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 200, answer.text
    assert token_metadata(answer) == {}


def test_stale_pair_refreshes_once_then_costs_one_call(
    proxy: ProxyClient, globus: EmulatedGlobus, stale: Tokens, calls: CallCounter
) -> None:
    calls.start()
    first = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
    assert first.status_code == 200, first.text
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()
    assert calls.total() == 3, ("rejected call, refresh, retry", calls.by_route())
    metadata = token_metadata(first)
    working = metadata["access_token"]
    assert working != stale.access_token
    assert metadata == {"access_token": working, "refresh_token": stale.refresh_token}
    assert globus.accepts(working)
    proxy.known_secrets.add(working)

    for _ in range(3):
        calls.start()
        again = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
        assert again.status_code == 200, again.text
        assert calls.total() == 1, calls.by_route()
        assert again.json()["metadata"]["access_token"] == working

    calls.start()
    task = proxy.task("GET", "00000000-0000-4000-8000-000000000000", stale)
    assert task.status_code == 404, task.text
    assert calls.total() == 1, calls.by_route()


def test_sixteen_concurrent_stale_requests_refresh_once(
    proxy: ProxyClient, stale: Tokens, calls: CallCounter
) -> None:
    calls.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale), range(16)))
    assert [a.status_code for a in answers] == [200] * 16, [a.text for a in answers]
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()
    working = {a.json()["metadata"]["access_token"] for a in answers}
    assert len(working) == 1
    proxy.known_secrets.update(working)


def test_stalled_auth_costs_one_refresh_shared_by_every_waiting_request(
    proxy_factory: ProxyFactory, faults: EmulatedGlobus, stale: Tokens, calls: CallCounter
) -> None:
    """Globus Auth stalls past the deadline: the 8 requests with the same stale pair wait on
    one refresh and all get its failure (504), instead of each refreshing in turn."""
    quick = proxy_factory.start(globus_timeout_seconds=QUICK_DEADLINE_SECONDS)
    faults.fault(match="/v2/oauth2/token", delay_seconds=QUICK_DEADLINE_SECONDS + 2, status=503)
    calls.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: quick.ls(DEFAULT_SOURCE_ID, "/data1", stale), range(8)))
    assert [a.status_code for a in answers] == [504] * 8, [a.text for a in answers]
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()
    # A failure is not kept: once Auth answers again, the next request refreshes.
    calls.start()
    answer = quick.ls(DEFAULT_SOURCE_ID, "/data1", stale)
    assert answer.status_code == 200, answer.text
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()


def test_revoked_refresh_token_is_401_even_after_caching(
    proxy: ProxyClient, globus: EmulatedGlobus, stale: Tokens, calls: CallCounter
) -> None:
    """Revoking the refresh token revokes its access tokens; the cached one must not keep
    answering, and each later request asks Auth again (one refused refresh), not the cache."""
    first = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
    assert first.status_code == 200, first.text
    proxy.known_secrets.add(first.json()["metadata"]["access_token"])
    globus.revoke(stale.refresh_token)
    for _ in range(2):
        calls.start()
        answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
        assert answer.status_code == 401, answer.text
        assert token_metadata(answer) == {}
        assert calls.matching(TOKEN_CALL) == 1, calls.by_route()


def test_stale_pair_works_for_writes_and_transfers(
    proxy: ProxyClient, stale: Tokens, scratch: Scratch
) -> None:
    path, _ = scratch
    made = proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{path}/by-stale", stale)
    assert made.status_code == 200, made.text
    proxy.known_secrets.add(made.json()["metadata"]["access_token"])
    submitted = proxy.transfer(
        stale,
        {
            "source_endpoint": DEFAULT_SOURCE_ID,
            "destination_endpoint": DEFAULT_DESTINATION_ID,
            "transfer_items": [
                {
                    "source_path": "/data1/tree/README.txt",
                    "destination_path": f"{path}/by-stale/R.txt",
                    "recursive": False,
                }
            ],
        },
    )
    assert submitted.status_code == 200, submitted.text
