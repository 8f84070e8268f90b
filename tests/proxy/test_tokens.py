"""Login exchange errors, check_tokens, and what a stale pair costs (issue 4 item 2)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from globus_emulator.login import headless_login
from globus_emulator.server import ServerThread
from globus_emulator.tokens import AccessToken
from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from globus_proxy.app import create_app as create_proxy_app
from globus_proxy.settings import Settings
from tests.proxy.conftest import (
    SESSION_KEY,
    CallCounter,
    ProxyClient,
    Tokens,
    make_proxy_app,
)

TOKEN_CALL = r"^POST /v2/oauth2/token$"
OTHER_CLIENT_ID = "0b7d5c8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def lower_message(answer: object) -> str:
    return str(answer.json()["message"]).lower()  # type: ignore[attr-defined]


def works(proxy: ProxyClient, access_token: str) -> bool:
    return isinstance(proxy.emulator.emulator.tokens.check_access(access_token), AccessToken)


# --- getTokens -----------------------------------------------------------------------------


def start_flow(proxy: ProxyClient) -> tuple[str, str]:
    result = proxy.auth_url().json()["result"]
    proxy.known_secrets.add(result["session_id"])
    return result["url"], result["session_id"]


def test_exchanged_pair_works_for_transfer(proxy: ProxyClient, calls: CallCounter) -> None:
    url, session_id = start_flow(proxy)
    code = headless_login(url)
    proxy.known_secrets.add(code)
    calls.start()
    answer = proxy.exchange(session_id, code)
    assert answer.status_code == 200, answer.text
    assert calls.total() == 1, calls.by_route()
    pair = answer.json()["result"]
    proxy.known_secrets.update(pair.values())
    assert works(proxy, pair["access_token"])
    grant = proxy.emulator.emulator.tokens.check_access(pair["access_token"])
    assert grant.grant.resource_server == "transfer.api.globus.org"  # type: ignore[union-attr]


def test_bad_code_is_4xx_saying_so(proxy: ProxyClient) -> None:
    _, session_id = start_flow(proxy)
    answer = proxy.exchange(session_id, "not-a-real-code")
    assert 400 <= answer.status_code < 500, answer.text
    assert "code" in lower_message(answer)


def test_reused_code_is_4xx(proxy: ProxyClient) -> None:
    url, session_id = start_flow(proxy)
    code = headless_login(url)
    proxy.known_secrets.add(code)
    first = proxy.exchange(session_id, code)
    assert first.status_code == 200, first.text
    proxy.known_secrets.update(first.json()["result"].values())
    again = proxy.exchange(session_id, code)
    assert 400 <= again.status_code < 500, again.text
    assert "code" in lower_message(again)


def test_session_made_for_another_client_is_4xx(proxy: ProxyClient) -> None:
    url, session_id = start_flow(proxy)
    code = headless_login(url)
    proxy.known_secrets.add(code)
    answer = proxy.exchange(session_id, code, client_id=OTHER_CLIENT_ID)
    assert 400 <= answer.status_code < 500, answer.text
    text = lower_message(answer)
    assert "session" in text and "client" in text, text


def test_tampered_session_is_4xx(proxy: ProxyClient) -> None:
    _, session_id = start_flow(proxy)
    flipped = "A" if session_id[5] != "A" else "B"
    tampered = session_id[:5] + flipped + session_id[6:]
    for bad in (tampered, "garbage", session_id[:-4]):
        answer = proxy.exchange(bad, "some-code")
        assert 400 <= answer.status_code < 500, answer.text
        assert "session" in lower_message(answer)


def test_another_replica_with_the_same_key_finishes_the_flow(proxy: ProxyClient) -> None:
    url, session_id = start_flow(proxy)
    code = headless_login(url)
    proxy.known_secrets.add(code)
    with ServerThread(make_proxy_app()) as replica:
        other = ProxyClient(
            root=replica.url, emulator=proxy.emulator, known_secrets=proxy.known_secrets
        )
        answer = other.exchange(session_id, code)
        other.http.close()
    assert answer.status_code == 200, answer.text
    proxy.known_secrets.update(answer.json()["result"].values())


def test_expired_session_is_4xx_saying_so(proxy: ProxyClient) -> None:
    # The setting's floor is 30 s; model_construct skips it so the test need not wait that long.
    settings = Settings.model_construct(session_key=SESSION_KEY, session_ttl_seconds=1)
    app = create_proxy_app(settings)
    with ServerThread(app) as short_lived:
        other = ProxyClient(
            root=short_lived.url, emulator=proxy.emulator, known_secrets=proxy.known_secrets
        )
        url, session_id = start_flow(other)
        code = headless_login(url)
        proxy.known_secrets.add(code)
        time.sleep(2.2)
        answer = other.exchange(session_id, code)
        other.http.close()
    assert 400 <= answer.status_code < 500, answer.text
    assert "expire" in lower_message(answer)


# --- checkTokens ---------------------------------------------------------------------------


def test_check_tokens_keeps_a_working_pair(
    proxy: ProxyClient, fresh_tokens: Tokens, calls: CallCounter
) -> None:
    calls.start()
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 200, answer.text
    result = answer.json()["result"]
    assert result["access_token"] == fresh_tokens.access_token
    assert result["refresh_token"] == fresh_tokens.refresh_token
    assert calls.total() <= 2, calls.by_route()
    assert calls.matching(TOKEN_CALL) == 0, "a working access token needs no refresh"


def test_check_tokens_refreshes_an_expired_access_token(
    proxy: ProxyClient, fresh_tokens: Tokens, calls: CallCounter
) -> None:
    proxy.emulator.emulator.tokens.expire_access_tokens(fresh_tokens.access_token)
    calls.start()
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 200, answer.text
    result = answer.json()["result"]
    assert result["access_token"] != fresh_tokens.access_token
    assert result["refresh_token"] == fresh_tokens.refresh_token
    assert works(proxy, result["access_token"])
    assert calls.total() <= 2, calls.by_route()
    assert calls.matching(TOKEN_CALL) == 1


def test_check_tokens_with_revoked_pair_is_401(proxy: ProxyClient, fresh_tokens: Tokens) -> None:
    proxy.emulator.emulator.tokens.revoke(fresh_tokens.refresh_token)
    answer = proxy.check_tokens(DEFAULT_SOURCE_ID, fresh_tokens)
    assert answer.status_code == 401, answer.text


# --- stale pairs ---------------------------------------------------------------------------


@pytest.fixture
def stale(proxy: ProxyClient, fresh_tokens: Tokens) -> Iterator[Tokens]:
    """A pair whose access token Globus no longer accepts, as Files sends for months."""
    assert proxy.emulator.emulator.tokens.expire_access_tokens(fresh_tokens.access_token) == 1
    yield fresh_tokens


def test_working_pair_gets_no_replacement_token(proxy: ProxyClient, fresh_tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"].get("access_token") in (None, fresh_tokens.access_token)


def test_stale_pair_refreshes_once_then_costs_one_call(
    proxy: ProxyClient, stale: Tokens, calls: CallCounter
) -> None:
    calls.start()
    first = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
    assert first.status_code == 200, first.text
    assert calls.matching(TOKEN_CALL) == 1, calls.by_route()
    assert calls.total() <= 3, ("rejected call, refresh, retry at most", calls.by_route())
    metadata = first.json()["metadata"]
    working = metadata["access_token"]
    assert working != stale.access_token
    assert metadata["refresh_token"] == stale.refresh_token
    assert works(proxy, working)
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


def test_revoked_refresh_token_is_401_even_after_caching(
    proxy: ProxyClient, stale: Tokens, calls: CallCounter
) -> None:
    first = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
    assert first.status_code == 200, first.text
    proxy.known_secrets.add(first.json()["metadata"]["access_token"])
    proxy.emulator.emulator.tokens.revoke(stale.refresh_token)
    for _ in range(2):
        answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", stale)
        assert answer.status_code == 401, answer.text
        assert "access_token" not in answer.json()["metadata"]


def test_stale_pair_works_for_writes_and_transfers(
    proxy: ProxyClient, stale: Tokens, scratch: tuple[str, object]
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
