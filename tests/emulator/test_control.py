"""The /_emulator control API (faults, stats, configuration) and the route table's contract."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.routing import Route

from globus_emulator.tokens import TokenProblem
from globus_emulator.transfer.routes import ROUTES as TRANSFER_ROUTES
from globus_emulator.transfer.routes import unknown_resource
from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import issue_token, ls_data1


def test_an_injected_fault_answers_until_used_up(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    token = issue_token(private_emulator.emulator)
    added = private_http.post("/_emulator/faults", json={"match": "/ls", "status": 503, "times": 2})
    assert (added.status_code, added.json()) == (200, {"faults": 1})

    first, second, third = (
        ls_data1(private_http, token),
        ls_data1(private_http, token),
        ls_data1(private_http, token),
    )

    path = f"/v0.10/operation/endpoint/{DEFAULT_SOURCE_ID}/ls"
    for failed in (first, second):
        assert failed.status_code == 503
        assert failed.json() == {
            "code": "ServiceUnavailable",
            "message": "Injected fault",
            "request_id": "injected",
            "resource": path,
        }
    assert third.status_code == 200
    assert third.json()["DATA_TYPE"] == "file_list"


def test_a_fault_answers_with_its_headers(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    private_http.post(
        "/_emulator/faults",
        json={"match": "/ls", "status": 429, "headers": {"Retry-After": "30"}},
    )
    limited = ls_data1(private_http, issue_token(private_emulator.emulator))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"


def test_a_fault_without_a_status_lets_the_answer_through(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    private_http.post("/_emulator/faults", json={"match": "/ls", "body": {"never": "sent"}})
    answer = ls_data1(private_http, issue_token(private_emulator.emulator))
    assert answer.status_code == 200
    assert answer.json()["DATA_TYPE"] == "file_list"


def test_a_lost_answer_comes_after_the_work_is_done(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    """The mkdir is carried out, then nothing comes back until the client gives up."""
    private_http.post("/_emulator/faults", json={"match": "/mkdir", "lose_answer": True})
    token = issue_token(private_emulator.emulator)
    mkdir = f"/v0.10/operation/endpoint/{DEFAULT_DESTINATION_ID}/mkdir"
    body = {"DATA_TYPE": "mkdir", "path": "/lost-answer"}
    headers = {"Authorization": f"Bearer {token}"}
    with pytest.raises(httpx.ReadTimeout):
        private_http.post(mkdir, json=body, headers=headers, timeout=0.5)
    assert (private_emulator.data_dir / "destination" / "lost-answer").is_dir()
    again = private_http.post(mkdir, json=body, headers=headers)
    assert (again.status_code, again.json()["code"]) == (502, "ExternalError.MkdirFailed.Exists")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({}, "'match'"),
        ({"match": 5}, "'match'"),
        ({"match": "/ls", "times": 0}, "'times'"),
        ({"match": "/ls", "times": "2"}, "'times'"),
        ({"match": "/ls", "status": "503"}, "'status'"),
        ({"match": "/ls", "status": 99}, "'status'"),
        ({"match": "/ls", "delay_seconds": -1}, "'delay_seconds'"),
        ({"match": "/ls", "body": ["not", "an", "object"]}, "'body'"),
        ({"match": "/ls", "headers": {"Retry-After": 30}}, "'headers'"),
        ({"match": "/ls", "lose_answer": "yes"}, "'lose_answer'"),
    ],
)
def test_a_bad_fault_is_400_naming_the_field(
    private_http: httpx.Client, doc: dict[str, Any], field: str
) -> None:
    answer = private_http.post("/_emulator/faults", json=doc)
    assert answer.status_code == 400
    assert field in answer.json()["error"]


def test_the_rate_limit_is_set_live_and_checked(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    bad = private_http.post("/_emulator/config", json={"transfer_rate_limit": "fast"})
    assert bad.status_code == 400
    assert "'transfer_rate_limit'" in bad.json()["error"]
    set_ = private_http.post("/_emulator/config", json={"transfer_rate_limit": 4096})
    assert (set_.status_code, set_.json()) == (200, {"transfer_rate_limit": 4096})
    assert private_emulator.emulator.world.transfer_rate_limit == 4096
    unset = private_http.post("/_emulator/config", json={"transfer_rate_limit": None})
    assert (unset.status_code, unset.json()) == (200, {"transfer_rate_limit": None})


def test_stats_count_api_calls_only(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    assert private_http.post("/_emulator/stats/reset").json() == {"total": 0, "calls": {}}
    private_http.get("/_emulator/world")
    private_http.get(f"/v0.10/endpoint/{DEFAULT_SOURCE_ID}")
    stats = private_http.get("/_emulator/stats").json()
    assert stats == {"total": 1, "calls": {f"GET /v0.10/endpoint/{DEFAULT_SOURCE_ID}": 1}}


def test_expiring_one_token(private_emulator: RunningEmulator, private_http: httpx.Client) -> None:
    token = issue_token(private_emulator.emulator)
    answer = private_http.post("/_emulator/tokens/expire", json={"access_token": token})
    assert (answer.status_code, answer.json()) == (200, {"expired": 1})
    assert private_emulator.emulator.tokens.check_access(token) is TokenProblem.EXPIRED


def transfer_routes() -> list[tuple[str, str]]:
    """(method, path) of every Transfer route, with placeholder ids filled in."""
    found = []
    for route in TRANSFER_ROUTES:
        assert isinstance(route, Route)
        if route.endpoint is unknown_resource:
            continue
        ids = {"endpoint_id": DEFAULT_SOURCE_ID, "task_id": DEFAULT_SOURCE_ID}
        path = route.path.format(**ids, bookmark_id=DEFAULT_SOURCE_ID)
        found += [(m, path) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


@pytest.mark.parametrize(("method", "path"), transfer_routes())
def test_every_transfer_route_wants_a_token(
    private_http: httpx.Client, method: str, path: str
) -> None:
    answer = private_http.request(method, path, json={})
    assert answer.status_code == 401
    assert answer.json()["code"] == "AuthenticationFailed"
    assert answer.json()["resource"] == path
