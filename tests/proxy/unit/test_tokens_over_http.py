"""Stale tokens cost one refresh, once; rejected refresh tokens get 401 (over real HTTP)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.proxy.unit.conftest import CLIENT, DATA, Globus, Proxy

LS = f"/ops/{CLIENT}/{DATA}/~"


def refreshes(globus: Globus) -> int:
    return int(globus.emulator.stats.snapshot()["calls"].get("POST /v2/oauth2/token", 0))


def test_stale_pair_costs_one_refresh_then_one_call(globus: Globus, proxy: Proxy) -> None:
    pair = proxy.login()
    globus.expire_all_access_tokens()
    before, refreshed_before = globus.calls(), refreshes(globus)
    first = proxy.http.get(LS, params=pair)
    assert first.status_code == 200, first.text
    # 401 + refresh + retry
    assert globus.calls() - before == 3
    assert refreshes(globus) - refreshed_before == 1
    new_token = first.json()["metadata"]["access_token"]
    assert new_token != pair["access_token"]
    assert first.json()["metadata"]["refresh_token"] == pair["refresh_token"]
    for _ in range(3):
        before = globus.calls()
        again = proxy.http.get(LS, params=pair)
        assert again.status_code == 200
        assert globus.calls() - before == 1
        assert again.json()["metadata"]["access_token"] == new_token


def test_sixteen_concurrent_stale_requests_refresh_once(globus: Globus, proxy: Proxy) -> None:
    pair = proxy.login()
    globus.expire_all_access_tokens()
    before = refreshes(globus)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: proxy.http.get(LS, params=pair), range(16)))
    assert [a.status_code for a in answers] == [200] * 16
    assert refreshes(globus) - before == 1


def test_fresh_pair_has_no_token_metadata(globus: Globus, proxy: Proxy) -> None:
    pair = proxy.login()
    answer = proxy.http.get(LS, params=pair)
    assert answer.status_code == 200
    assert answer.json()["metadata"] == {}


def test_rejected_refresh_token_is_401_and_forgotten(globus: Globus, proxy: Proxy) -> None:
    pair = proxy.login()
    globus.emulator.tokens.revoke(pair["refresh_token"])
    answer = proxy.http.get(LS, params=pair)
    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == "error" and "log in again" in body["message"].lower()
    assert pair["access_token"] not in answer.text and pair["refresh_token"] not in answer.text
    # Asking again costs a 401 and one refused refresh, not a cached success.
    before = refreshes(globus)
    assert proxy.http.get(LS, params=pair).status_code == 401
    assert refreshes(globus) - before == 1


def test_check_tokens_refreshes_only_when_needed(globus: Globus, proxy: Proxy) -> None:
    pair = proxy.login()
    path = f"/auth/check_tokens/{CLIENT}/{DATA}"
    before = globus.calls()
    same = proxy.http.get(path, params=pair)
    assert same.status_code == 200
    assert same.json()["result"] == pair
    assert globus.calls() - before == 1
    globus.expire_all_access_tokens()
    before = globus.calls()
    renewed = proxy.http.get(path, params=pair)
    assert renewed.status_code == 200
    assert globus.calls() - before == 2
    assert renewed.json()["result"]["access_token"] != pair["access_token"]
    assert renewed.json()["result"]["refresh_token"] == pair["refresh_token"]
    listing = proxy.http.get(
        LS, params={**pair, "access_token": renewed.json()["result"]["access_token"]}
    )
    assert listing.status_code == 200


def test_missing_tokens_are_401(proxy: Proxy) -> None:
    answer = proxy.http.get(LS, params={"access_token": "x"})
    assert answer.status_code == 401
    assert "refresh_token" in answer.json()["message"]
