"""Operations against the emulator: call budgets, client habits, errors (over real HTTP)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from globus_emulator.login import headless_login
from tests.proxy.unit.conftest import (
    CLIENT,
    CONSENT,
    DATA,
    OTHER_CLIENT,
    Globus,
    Proxy,
    start_proxy,
)

JSON = {"Content-Type": "application/json"}


def ops(path: str, endpoint: str = DATA) -> str:
    return f"/ops/{CLIENT}/{endpoint}/{path}"


def counted(globus: Globus, send: object) -> tuple[object, int]:
    before = globus.calls()
    answer = send()  # type: ignore[operator]
    return answer, globus.calls() - before


@pytest.mark.parametrize("path", ["%2F%7E%2Fsub", "sub", "~/sub", "%2F%2F~%2Fsub", "/~/sub/"])
def test_path_spellings_reach_the_same_directory(
    globus: Globus, proxy: Proxy, tokens: dict, path: str
) -> None:
    (globus.root / "data" / "sub" / "marker.txt").write_text("x")
    answer, calls = counted(globus, lambda: proxy.http.get(ops(path), params=tokens, headers=JSON))
    assert answer.status_code == 200, answer.text
    assert [e["name"] for e in answer.json()["result"]["DATA"]] == ["marker.txt"]
    assert calls == 1


def test_listing_a_file_gives_its_one_entry(globus: Globus, proxy: Proxy, tokens: dict) -> None:
    answer, calls = counted(globus, lambda: proxy.http.get(ops("a.txt"), params=tokens))
    assert answer.status_code == 200, answer.text
    (entry,) = answer.json()["result"]["DATA"]
    assert (entry["name"], entry["type"], entry["size"]) == ("a.txt", "file", 5)
    assert calls == 2


def test_stat_by_filter_of_a_missing_name_is_empty(proxy: Proxy, tokens: dict) -> None:
    params = {**tokens, "limit": 1, "offset": 0, "filter": "name:=nothing-here"}
    answer = proxy.http.get(ops("%2F%7E"), params=params, headers=JSON)
    assert answer.status_code == 200
    assert answer.json()["result"]["DATA"] == []


def test_huge_limit_is_clamped(proxy: Proxy, tokens: dict) -> None:
    answer = proxy.http.get(ops("~"), params={**tokens, "limit": 2147483647})
    assert answer.status_code == 200, answer.text


def test_missing_path_is_404(proxy: Proxy, tokens: dict) -> None:
    answer = proxy.http.get(ops("no/such/dir"), params=tokens)
    assert answer.status_code == 404
    assert answer.json()["status"] == "error"


def test_mkdir_rename_delete(globus: Globus, proxy: Proxy, tokens: dict) -> None:
    made, calls = counted(
        globus, lambda: proxy.http.post(ops("%2F~%2Fnew"), params=tokens, headers=JSON)
    )
    assert made.status_code == 200 and calls == 1
    assert proxy.http.post(ops("new"), params=tokens, headers=JSON).status_code == 409
    moved, calls = counted(
        globus,
        lambda: proxy.http.put(ops("new"), params=tokens, json={"destination": "/~/renamed"}),
    )
    assert moved.status_code == 200 and calls == 1
    assert (globus.root / "data" / "renamed").is_dir()
    missing = proxy.http.put(ops("new"), params=tokens, json={"destination": "/~/x"})
    assert missing.status_code == 404
    climbing = proxy.http.put(ops("renamed"), params=tokens, json={"destination": "/~/../x"})
    assert climbing.status_code == 400 and "destination" in climbing.json()["message"]
    deleted, calls = counted(
        globus,
        lambda: proxy.http.delete(
            ops("renamed"), params={**tokens, "recurse": "true"}, headers=JSON
        ),
    )
    assert deleted.status_code == 200 and calls == 2
    assert deleted.json()["result"]["task_id"]


@pytest.mark.parametrize("word", ["yes", "", "2", "falsey"])
def test_recurse_must_be_a_clear_boolean(proxy: Proxy, tokens: dict, word: str) -> None:
    answer = proxy.http.delete(ops("sub"), params={**tokens, "recurse": word})
    assert answer.status_code == 400
    assert "recurse" in answer.json()["message"]


def test_transfer_then_status_then_cancel(globus: Globus, proxy: Proxy, tokens: dict) -> None:
    body = {
        "source_endpoint": DATA,
        "destination_endpoint": DATA,
        "transfer_items": [
            {"source_path": "a.txt", "destination_path": "copies/deep/a.txt", "recursive": "False"}
        ],
        "label": "unit test",
        "verify_checksum": True,
    }
    created, calls = counted(
        globus, lambda: proxy.http.post(f"/transfers/{CLIENT}", params=tokens, json=body)
    )
    assert created.status_code == 200, created.text
    assert calls == 2
    task_id = created.json()["result"]["task_id"]
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        got, calls = counted(
            globus, lambda: proxy.http.get(f"/transfers/{CLIENT}/{task_id}", params=tokens)
        )
        assert got.status_code == 200 and calls == 1
        status = got.json()["result"]["status"]
        if status in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.05)
    assert status == "SUCCEEDED"
    assert (globus.root / "data" / "copies" / "deep" / "a.txt").read_text() == "hello"
    cancelled, calls = counted(
        globus, lambda: proxy.http.delete(f"/transfers/{CLIENT}/{task_id}", params=tokens)
    )
    assert cancelled.status_code == 200 and calls == 1
    assert cancelled.json()["result"]["code"] == "COMPLETE"
    assert cancelled.json()["result"]["globus_code"] == "TaskComplete"


def test_transfer_body_errors_name_the_fields(proxy: Proxy, tokens: dict) -> None:
    bad = {"source_endpoint": "nope", "transfer_items": [{"source_path": "a"}]}
    answer = proxy.http.post(f"/transfers/{CLIENT}", params=tokens, json=bad)
    assert answer.status_code == 400
    message = answer.json()["message"]
    for field in ("source_endpoint", "destination_endpoint", "destination_path"):
        assert field in message


def test_malformed_json_is_400(proxy: Proxy, tokens: dict) -> None:
    answer = proxy.http.post(
        f"/transfers/{CLIENT}", params=tokens, content=b'{"source_endpoint": ', headers=JSON
    )
    assert answer.status_code == 400
    assert "JSON" in answer.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        f"/ops/not-a-uuid/{DATA}/x",
        f"/ops/{CLIENT}/..%2F..%2Fendpoint/x",
        f"/transfers/{CLIENT}/not-a-task",
    ],
)
def test_ids_must_be_uuids(globus: Globus, proxy: Proxy, tokens: dict, path: str) -> None:
    answer, calls = counted(globus, lambda: proxy.http.get(path, params=tokens))
    assert answer.status_code == 400 and calls == 0


def test_never_redirects(proxy: Proxy, tokens: dict) -> None:
    answer = proxy.http.get("/healthcheck/", follow_redirects=False)
    assert answer.status_code == 404
    assert answer.json()["status"] == "error"
    assert proxy.http.post("/healthcheck").status_code == 405


def test_consent_required_is_407_with_a_ready_url(
    globus: Globus, proxy: Proxy, tokens: dict
) -> None:
    answer = proxy.http.get(ops("~", CONSENT), params=tokens)
    assert answer.status_code == 407, answer.text
    result = answer.json()["result"]
    assert CONSENT in result["scopes"]
    assert result["url"] and result["session_id"]
    code = headless_login(result["url"])
    consented = proxy.http.get(f"/auth/tokens/{CLIENT}/{result['session_id']}/{code}")
    assert consented.status_code == 200
    listing = proxy.http.get(ops("~", CONSENT), params=consented.json()["result"])
    assert listing.status_code == 200, listing.text


def test_auth_url_with_data_access(proxy: Proxy) -> None:
    asked = proxy.http.get(f"/auth/url/{CLIENT}/{CONSENT}", params={"data_access": "true"})
    assert asked.status_code == 200
    assert f"{CONSENT}%2Fdata_access" in asked.json()["result"]["url"]
    plain = proxy.http.get(f"/auth/url/{CLIENT}/{CONSENT}")
    assert "data_access" not in plain.json()["result"]["url"]
    assert plain.json()["message"].startswith("Please go to this URL and login: ")


def test_login_errors_say_which(proxy: Proxy) -> None:
    started = proxy.http.get(f"/auth/url/{CLIENT}").json()["result"]
    code = headless_login(started["url"])
    other = proxy.http.get(f"/auth/tokens/{OTHER_CLIENT}/{started['session_id']}/{code}")
    assert other.status_code == 400 and "another client" in other.json()["message"]
    tampered = started["session_id"][:-2] + ("AA" if started["session_id"][-2:] != "AA" else "BB")
    altered = proxy.http.get(f"/auth/tokens/{CLIENT}/{tampered}/{code}")
    assert altered.status_code == 400 and "altered" in altered.json()["message"]
    first = proxy.http.get(f"/auth/tokens/{CLIENT}/{started['session_id']}/{code}")
    assert first.status_code == 200
    reused = proxy.http.get(f"/auth/tokens/{CLIENT}/{started['session_id']}/{code}")
    assert reused.status_code == 400
    assert "already used" in reused.json()["message"]
    assert code not in reused.text


@pytest.fixture
def impatient_proxy(globus: Globus) -> Iterator[Proxy]:
    yield from start_proxy(globus_timeout_seconds=1.0)
    globus.clear_faults()


def test_slow_globus_is_504(globus: Globus, impatient_proxy: Proxy) -> None:
    pair = impatient_proxy.login()
    globus.fault(match="/ls", delay_seconds=3.0, times=1)
    answer = impatient_proxy.http.get(ops("~"), params=pair)
    assert answer.status_code == 504
    assert "did not answer" in answer.json()["message"]


def test_retries_stop_at_the_deadline(globus: Globus, impatient_proxy: Proxy) -> None:
    """Globus keeps answering 503: retries stop at the deadline (globus-sdk alone would sleep
    ~15 s over 5 retries), and since Globus did answer, the answer is 502, not 504."""
    pair = impatient_proxy.login()
    globus.fault(match="/ls", status=503, times=1000)
    before = globus.calls()
    answer = impatient_proxy.http.get(ops("~"), params=pair)
    assert answer.status_code == 502
    assert globus.calls() - before < 6  # fewer attempts than globus-sdk's 6
    globus.clear_faults()


@pytest.mark.parametrize(
    ("query", "named"),
    [({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"), ({"offset": "-1"}, "offset")],
)
def test_bad_paging_is_400_naming_the_field(
    globus: Globus, proxy: Proxy, tokens: dict, query: dict, named: str
) -> None:
    answer, calls = counted(globus, lambda: proxy.http.get(ops("~"), params={**tokens, **query}))
    assert answer.status_code == 400 and calls == 0
    assert named in answer.json()["message"]
