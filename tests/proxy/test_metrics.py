"""GET /metrics over HTTP: parsed with prometheus-client's parser, each series moving by
exactly what a request did; labels bounded and free of tokens, ids and paths."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import (
    API_PREFIX,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Sample,
    Scratch,
    Tokens,
    full_walkthrough,
    sample,
    serve_proxy,
)

REQUESTS = "globus_proxy_requests_total"
REQUEST_TIMES = "globus_proxy_request_duration_seconds_count"
CALLS = "globus_proxy_globus_calls_total"
CALL_TIMES = "globus_proxy_globus_call_duration_seconds_count"
REFRESHES = "globus_proxy_token_refreshes_total"
COUNTED = (REQUESTS, REQUEST_TIMES, CALLS, CALL_TIMES, REFRESHES)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
HEX_ID = re.compile(r"[0-9a-f]{32}")


def moved(before: dict[Sample, float], after: dict[Sample, float]) -> dict[Sample, float]:
    """The counters that moved between two scrapes, but for the scrapes themselves."""
    deltas = {}
    for key, value in after.items():
        name, labels = key
        if name not in COUNTED or ("operation", "metrics") in labels:
            continue
        delta = value - before.get(key, 0.0)
        if delta:
            deltas[key] = delta
    return deltas


def expected(
    requests: list[tuple[str, int]],
    calls: list[tuple[str, str]] = (),  # type: ignore[assignment]
    refreshes: list[str] = (),  # type: ignore[assignment]
) -> dict[Sample, float]:
    """The deltas that `requests` (operation, status), `calls` (call, outcome) and
    `refreshes` (result) make, each series once with its count."""
    series: Counter[Sample] = Counter()
    for operation, status in requests:
        series[sample(REQUESTS, operation=operation, status=str(status))] += 1
        series[sample(REQUEST_TIMES, operation=operation)] += 1
    for call, outcome in calls:
        series[sample(CALLS, call=call, outcome=outcome)] += 1
        series[sample(CALL_TIMES, call=call)] += 1
    for result in refreshes:
        series[sample(REFRESHES, result=result)] += 1
    return {key: float(count) for key, count in series.items()}


def test_a_listing_is_one_request_and_one_globus_call(proxy: ProxyClient, tokens: Tokens) -> None:
    before = proxy.metrics()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens).status_code == 200
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 200)], [("operation_ls", "ok")]
    )


def test_a_missing_path_is_counted_as_a_404_both_ways(proxy: ProxyClient, tokens: Tokens) -> None:
    before = proxy.metrics()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/no/such/dir", tokens).status_code == 404
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 404)], [("operation_ls", "404")]
    )


def test_a_stale_token_counts_the_rejection_the_refresh_and_the_retry(
    proxy: ProxyClient, fresh_tokens: Tokens
) -> None:
    proxy.globus.expire(fresh_tokens.access_token)
    before = proxy.metrics()
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 200, answer.text
    proxy.known_secrets.add(answer.json()["metadata"]["access_token"])
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 200)],
        [("operation_ls", "401"), ("oauth2_refresh_token", "ok"), ("operation_ls", "ok")],
        ["ok"],
    )


def test_a_refused_refresh_is_counted_as_rejected(proxy: ProxyClient, fresh_tokens: Tokens) -> None:
    proxy.globus.revoke(fresh_tokens.refresh_token)
    proxy.globus.expire(fresh_tokens.access_token)
    before = proxy.metrics()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens).status_code == 401
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 401)],
        [("operation_ls", "401"), ("oauth2_refresh_token", "400")],
        ["rejected"],
    )


def test_a_refresh_globus_auth_fails_is_counted_as_failed(
    proxy: ProxyClient, fresh_tokens: Tokens, faults: EmulatedGlobus
) -> None:
    proxy.globus.expire(fresh_tokens.access_token)
    faults.fault(match="/v2/oauth2/token", status=501, times=1)
    before = proxy.metrics()
    # The injected error document says ServiceUnavailable: Globus is down, a 503.
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens).status_code == 503
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 503)],
        [("operation_ls", "401"), ("oauth2_refresh_token", "501")],
        ["failed"],
    )


def test_a_globus_503_is_counted_then_the_retry(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    faults.fault(match="/ls", status=503, times=1)
    before = proxy.metrics()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens).status_code == 200
    assert moved(before, proxy.metrics()) == expected(
        [("listFiles", 200)], [("operation_ls", "503"), ("operation_ls", "ok")]
    )


def test_calls_globus_sdk_makes_on_its_own_are_named_for_what_they_are(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    """submit_transfer asks for a submission id itself: two calls, each under its own name."""
    before = proxy.metrics()
    answer = proxy.transfer(
        tokens,
        {
            "source_endpoint": DEFAULT_SOURCE_ID,
            "destination_endpoint": DEFAULT_DESTINATION_ID,
            "transfer_items": [
                {"source_path": "/data1/1M.dat", "destination_path": f"{scratch.path}/1M.dat"}
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    assert moved(before, proxy.metrics()) == expected(
        [("createTransferTask", 200)], [("get_submission_id", "ok"), ("submit_transfer", "ok")]
    )


def test_unknown_routes_count_under_one_label(proxy: ProxyClient) -> None:
    before = proxy.metrics()
    unknown = [
        f"{API_PREFIX}/no/such/{DEFAULT_CLIENT_ID}",
        f"/elsewhere/{DEFAULT_SOURCE_ID}",
        f"{API_PREFIX}/healthcheck/",
    ]
    for path in unknown:
        assert proxy.http.get(proxy.root + path).status_code == 404, path
    # The path of a route, not its method: still no route answered.
    assert proxy.http.delete(proxy.base + "/healthcheck").status_code == 405
    after = proxy.metrics()
    assert moved(before, after) == expected(
        [("unmatched", 404)] * len(unknown) + [("unmatched", 405)]
    )
    operations = {dict(labels).get("operation") for name, labels in after if name == REQUESTS}
    assert not any("/" in str(op) for op in operations), operations


def test_no_label_carries_a_token_an_id_or_a_path(proxy: ProxyClient, scratch: Scratch) -> None:
    secrets = full_walkthrough(proxy, scratch.path)
    sent_id = "caller-request-id.42"
    proxy.call("GET", "/hello", headers={"X-Request-Id": sent_id})
    text = proxy.metrics_text()
    for secret in secrets:
        assert secret not in text, "a token or login secret appears in /metrics"
    assert sent_id not in text
    assert not UUID.findall(text), UUID.findall(text)[:3]
    assert not HEX_ID.findall(text), HEX_ID.findall(text)[:3]
    assert scratch.path not in text and "/data1" not in text and "/v3/" not in text


def test_the_scrape_is_outside_the_api_prefix(proxy: ProxyClient) -> None:
    assert proxy.call("GET", "/metrics").status_code == 404
    assert "globus_proxy_requests_in_flight 1.0" in proxy.metrics_text(), "the scrape itself"


def test_token_cache_size_is_a_gauge_of_the_cache(proxy: ProxyClient) -> None:
    before = proxy.metrics()[sample("globus_proxy_token_cache_size")]
    proxy.login()  # a login keeps its pair's access token
    assert proxy.metrics()[sample("globus_proxy_token_cache_size")] == before + 1


def gauges(proxy: ProxyClient) -> tuple[float, float, float]:
    now = proxy.metrics()
    return (
        now[sample("globus_proxy_worker_threads_busy")],
        now[sample("globus_proxy_worker_queue_depth")],
        now[sample("globus_proxy_requests_in_flight")],
    )


def test_busy_workers_queue_and_requests_in_flight(
    proxy_factory: ProxyFactory, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    """One worker thread, two stalled listings: one runs, one waits for the worker."""
    single = proxy_factory.start(worker_threads=1)
    faults.fault(match="/ls", delay_seconds=0.6, times=2)
    listings = [
        threading.Thread(target=single.ls, args=(DEFAULT_SOURCE_ID, "/data1", tokens))
        for _ in range(2)
    ]
    for listing in listings:
        listing.start()
    give_up = time.monotonic() + 5
    seen = gauges(single)
    while seen != (1.0, 1.0, 3.0) and time.monotonic() < give_up:
        seen = gauges(single)
    for listing in listings:
        listing.join(timeout=10)
    assert seen == (1.0, 1.0, 3.0), "busy, queued, in flight (2 listings + the scrape)"
    assert gauges(single) == (0.0, 0.0, 1.0)


def health(proxy: ProxyClient) -> str:
    answer = proxy.call("GET", "/healthcheck")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["result"]["globus"])


def test_the_healthcheck_says_what_the_last_globus_call_found(
    proxy_factory: ProxyFactory, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    fresh = proxy_factory.start()
    assert health(fresh) == "unknown (no call to Globus yet)"
    # Globus answered, if only to say "not found": it is reachable.
    assert fresh.ls(DEFAULT_SOURCE_ID, "/no/such/dir", tokens).status_code == 404
    assert re.fullmatch(r"ok \d+ s ago", health(fresh)), health(fresh)
    faults.fault(match="/ls", status=501, times=1)  # a 5xx globus-sdk does not retry
    assert fresh.ls(DEFAULT_SOURCE_ID, "/data1", tokens).status_code == 503
    assert re.fullmatch(r"501 \d+ s ago", health(fresh)), health(fresh)


def test_the_healthcheck_never_calls_globus(proxy: ProxyClient) -> None:
    proxy.globus.reset_stats()
    for _ in range(3):
        health(proxy)
    assert proxy.globus.stats()["total"] == 0


def test_an_unreachable_globus_is_counted_and_reported() -> None:
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        nowhere = EmulatedGlobus(f"http://127.0.0.1:{sock.getsockname()[1]}")
    try:
        with serve_proxy(nowhere, globus_timeout_seconds=0.5) as lonely:
            answer = lonely.ls(DEFAULT_SOURCE_ID, "/data1", Tokens("access", "refresh"))
            assert answer.status_code in (502, 504), answer.text
            calls = {
                dict(labels)["outcome"]: value
                for (name, labels), value in lonely.metrics().items()
                if name == CALLS
            }
            assert set(calls) == {"unreachable"} and calls["unreachable"] >= 1, calls
            assert re.fullmatch(r"unreachable \d+ s ago", health(lonely)), health(lonely)
    finally:
        nowhere.close()
