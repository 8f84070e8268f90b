"""The pieces behind /metrics and request ids: call names, reachability, the worker queue
gauge, registries per app, and which X-Request-Id values are taken."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests
from globus_sdk.gare import GARE

from globus_proxy.errors import ProxyError
from globus_proxy.gateway.call import Call
from globus_proxy.gateway.call_names import CALLS, call_name
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.metrics import GlobusReachability, Metrics
from globus_proxy.request_context import request_id_from
from globus_proxy.token_cache import MemoryTokenCache

ID = "2f9c0a7e-5b6d-4e1f-8a3c-9d0b1c2e3f40"


def prepared(method: str, url: str, body: str | bytes | None = None) -> requests.PreparedRequest:
    return requests.Request(method, url, data=body).prepare()


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", f"/v0.10/operation/endpoint/{ID}/ls?path=%2Fx&limit=5", "operation_ls"),
        ("GET", f"/v0.10/operation/endpoint/{ID}/stat?path=%2Fx", "operation_stat"),
        ("POST", f"/v0.10/operation/endpoint/{ID}/mkdir", "operation_mkdir"),
        ("POST", f"/v0.10/operation/endpoint/{ID}/rename", "operation_rename"),
        ("GET", f"/v0.10/endpoint/{ID}", "get_endpoint"),
        ("GET", "/v0.10/submission_id", "get_submission_id"),
        ("POST", "/v0.10/transfer", "submit_transfer"),
        ("POST", "/v0.10/delete", "submit_delete"),
        ("GET", f"/v0.10/task/{ID}", "get_task"),
        ("POST", f"/v0.10/task/{ID}/cancel", "cancel_task"),
        ("POST", "/v2/oauth2/token/revoke", "oauth2_revoke_token"),
        ("GET", f"/v0.10/task/{ID}/event_list", "other"),
        ("DELETE", f"/v0.10/task/{ID}", "other"),
        ("GET", "/somewhere/else", "other"),
    ],
)
def test_calls_are_named_for_the_globus_sdk_method(method: str, path: str, name: str) -> None:
    for base in ("https://transfer.api.globus.org", "http://127.0.0.1:8800/mounted/under"):
        assert call_name(prepared(method, base + path)) == name


def test_every_name_in_the_table_is_a_plain_word() -> None:
    assert all(name.replace("_", "").isalnum() for name, _ in CALLS)


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("grant_type=refresh_token&refresh_token=abc", "oauth2_refresh_token"),
        (b"code=xyz&grant_type=authorization_code", "oauth2_exchange_code_for_tokens"),
        ("grant_type=client_credentials&scope=s", "oauth2_client_credentials_tokens"),
        ("grant_type=urn%3Aietf%3Aparams", "oauth2_token"),
        (None, "oauth2_token"),
        # A value that spells a grant is not the grant: form values are percent-encoded.
        (
            "refresh_token=a%26grant_type%3Dclient_credentials&grant_type=refresh_token",
            "oauth2_refresh_token",
        ),
    ],
)
def test_token_calls_are_named_by_grant_type(body: str | bytes | None, name: str) -> None:
    assert call_name(prepared("POST", "https://auth.globus.org/v2/oauth2/token", body)) == name


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reachability_reads_the_last_call_and_its_age() -> None:
    clock = FakeClock()
    globus = GlobusReachability(clock)
    assert globus.describe() == "unknown (no call to Globus yet)"
    for outcome, said in [
        ("ok", "ok 3 s ago"),
        ("404", "ok 3 s ago"),  # Globus answered
        ("503", "503 3 s ago"),
        ("timeout", "timeout 3 s ago"),
        ("unreachable", "unreachable 3 s ago"),
    ]:
        globus.record(outcome)
        clock.now += 3.2
        assert globus.describe() == said


def test_each_app_has_a_registry_of_its_own() -> None:
    first, second = Metrics(), Metrics()
    first.count_request("listFiles", 200, 0.01)
    assert (
        first.registry.get_sample_value(
            "globus_proxy_requests_total", {"operation": "listFiles", "status": "200"}
        )
        == 1.0
    )
    assert (
        second.registry.get_sample_value(
            "globus_proxy_requests_total", {"operation": "listFiles", "status": "200"}
        )
        is None
    )


def test_other_modules_add_series_once() -> None:
    metrics = Metrics()
    fallbacks = metrics.counter("redis_fallbacks", "Token cache reads served locally.", ("why",))
    assert metrics.counter("redis_fallbacks", "again") is fallbacks
    fallbacks.labels("unreachable").inc()
    text, _ = metrics.exposition(None)
    assert b'globus_proxy_redis_fallbacks_total{why="unreachable"} 1.0' in text


async def unused_login(call: Call, requirement: GARE) -> ProxyError:
    raise AssertionError("no call here needs a login")


def test_a_call_that_times_out_waiting_for_a_worker_leaves_the_queue() -> None:
    metrics = Metrics()
    runner = CallRunner(
        1,
        0.05,
        MemoryTokenCache(1, lambda c, r: ("t", 0.0)),
        login_for=unused_login,
        metrics=metrics,
    )
    release = threading.Event()

    def depth() -> float | None:
        return metrics.registry.get_sample_value("globus_proxy_worker_queue_depth")

    async def scenario() -> None:
        patient = runner.new_call("c")
        patient.deadline += 10  # holds the only worker past the second call's deadline
        holding = asyncio.ensure_future(runner.run(patient, lambda: release.wait(5)))
        await asyncio.sleep(0.01)
        with pytest.raises(ProxyError) as waited:
            await runner.run(runner.new_call("c"), lambda: True)
        assert waited.value.status == 504
        await asyncio.sleep(0)  # the cancellation reaches the worker pool's future
        assert depth() == 0.0
        release.set()
        await holding

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()
    assert metrics.registry.get_sample_value("globus_proxy_worker_threads_busy") == 0.0


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        (b"abc-123", True),
        (b"A.b_c-9" * 18 + b"xy", True),  # 128 characters
        (b"a" * 129, False),
        (b"", False),
        (b"has space", False),
        (b"semi;colon", False),
        ("ünï".encode(), False),
        (None, False),
    ],
)
def test_which_request_ids_are_taken(header: bytes | None, kept: bool) -> None:
    made = request_id_from(header)
    assert (made == (header or b"").decode("latin-1")) is kept
    assert 1 <= len(made) <= 128
