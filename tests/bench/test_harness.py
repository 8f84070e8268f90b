"""Checks of the benchmark harness's own logic (bench/)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from globus_sdk import AccessTokenAuthorizer, TransferClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bench.call_counts import meets_target
from bench.cpu_cost import cpu_seconds, measure_cpu, running_forwarder
from bench.keepalive import KeepAliveClient
from bench.latency import Shape, run_concurrently
from bench.memory import read_memory
from bench.percentiles import percentile, summary_ms
from bench.processes import running
from bench.redaction import redact
from bench.report import judge, render
from bench.world_seed import build_world
from bench.wrk_load import parse_wrk, run_wrk
from globus_emulator.server import ServerThread
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_SOURCE_ID
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import issue_token

WRK_CLEAN = """Running 1s test @ http://127.0.0.1:18765/
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   428.53us  206.52us   1.75ms   89.01%
    Req/Sec     2.25k   377.58     2.64k    80.00%
  Latency Distribution
     50%  341.00us
     75%  475.00us
     90%  656.00us
     99%    1.36ms
  2246 requests in 1.00s, 3.23MB read
Requests/sec:   2244.70
Transfer/sec:      3.22MB
"""

WRK_ERRORS = """Running 5s test @ http://127.0.0.1:18765/x
  2 threads and 64 connections
  Latency Distribution
     50%    2.74ms
     75%    3.16ms
     90%    3.55ms
     99%    1.20s
  2287 requests in 5.10s, 1.13MB read
  Socket errors: connect 0, read 5, write 1, timeout 2
  Non-2xx or 3xx responses: 30
Requests/sec:   448.31
Transfer/sec:      1.03MB
"""


def test_parse_wrk_reads_microseconds_and_milliseconds() -> None:
    figures = parse_wrk(WRK_CLEAN)
    assert figures["p50_ms"] == pytest.approx(0.341)
    assert figures["p99_ms"] == pytest.approx(1.36)
    assert figures["requests"] == 2246
    assert figures["requests_per_second"] == pytest.approx(2244.7)
    assert figures["errors"] == 0


def test_parse_wrk_counts_socket_errors_and_non_2xx() -> None:
    figures = parse_wrk(WRK_ERRORS)
    assert figures["p99_ms"] == pytest.approx(1200.0)
    assert figures["socket_errors"] == 8
    assert figures["non_2xx"] == 30
    assert figures["errors"] == 38


def test_parse_wrk_rejects_output_without_figures() -> None:
    with pytest.raises(ValueError):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_wrk_never_targets_anything_but_loopback() -> None:
    with pytest.raises(ValueError):
        run_wrk("http://example.org/", 1, 1)


def test_percentile_is_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.50) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert summary_ms([0.001] * 10) == {"n": 10, "p50_ms": 1.0, "p99_ms": 1.0}


def test_call_targets_are_exact_except_check_tokens() -> None:
    assert meets_target("listFiles", 1)
    assert not meets_target("listFiles", 3)
    assert meets_target("deletePath", 2)
    assert meets_target("checkTokens", 1)
    assert not meets_target("checkTokens", 3)
    assert meets_target("getTokens", None) is None


def test_memory_of_this_process_is_plausible() -> None:
    memory = read_memory(os.getpid())
    assert 1 < memory.rss_mb <= memory.hwm_mb


def sample_figures() -> dict[str, Any]:
    side = {"n": 10, "p50_ms": 2.0, "p99_ms": 4.0}
    return {
        "call_counts": {
            "listFiles": {
                "fresh": {"calls": 1},
                "stale_first": {"calls": 3},
                "stale_later": {"calls": 2},
            },
        },
        "latency": {
            "listFiles": {
                "c1": {
                    "proxy": {**side, "p50_ms": 4.0},
                    "direct": side,
                    "added_p50_ms": 2.0,
                    "added_p99_ms": 0.0,
                    "ratio_p50": 2.0,
                    "ratio_p99": 1.0,
                }
            }
        },
        "throughput": {
            "c1": {
                "p50_ms": 2.0,
                "p99_ms": 3.0,
                "errors": 0,
                "non_2xx": 0,
                "socket_errors": 0,
                "requests_per_second": 500.0,
            },
            "c64": {
                "p50_ms": 20.0,
                "p99_ms": 30.0,
                "errors": 1,
                "non_2xx": 1,
                "socket_errors": 0,
                "requests_per_second": 900.0,
            },
        },
        "throughput_emulator_direct": {
            "c1": {
                "p50_ms": 1.0,
                "p99_ms": 2.0,
                "errors": 0,
                "non_2xx": 0,
                "socket_errors": 0,
                "requests_per_second": 900.0,
            },
            "c64": {
                "p50_ms": 50.0,
                "p99_ms": 80.0,
                "errors": 0,
                "non_2xx": 0,
                "socket_errors": 0,
                "requests_per_second": 1000.0,
            },
        },
        "big_listing": {"error": "RuntimeError: proxy answered 502"},
        "cpu_per_listing": {
            "proxy_cpu_ms": 1.2,
            "forwarder_cpu_ms": 0.4,
            "ratio": 3.0,
            "requests": 3000,
        },
    }


def test_judge_gives_pass_miss_and_reasons() -> None:
    verdicts = {t["target"]: t for t in judge(sample_figures())}
    assert verdicts["calls listFiles (fresh)"]["verdict"] == "PASS"
    assert verdicts["calls listFiles (stale_later)"]["verdict"] == "MISS"
    assert verdicts["listFiles added p50 at c=1"]["verdict"] == "MISS"
    assert verdicts["no errors under load (wrk c=1,16,64)"]["verdict"] == "MISS"
    assert verdicts["p99 at c=64 / p50 at c=1"]["measured"] == 15.0
    assert verdicts["100k listing proxy/direct"]["verdict"] == "n/a"
    assert "proxy answered 502" in verdicts["100k listing proxy/direct"]["measured"]
    assert verdicts["proxy idle memory (VmRSS)"]["verdict"] == "n/a"


def test_render_prints_every_section_without_crashing_on_gaps() -> None:
    figures = sample_figures()
    text = render(figures, judge(figures))
    assert "stale later" in text
    assert "n/a (RuntimeError: proxy answered 502)" in text
    assert "1 GiB transfer: n/a (not measured)" in text
    assert "the emulator alone, same load: 80.0x" in text
    assert "proxy 1.200 ms, aiohttp forwarder (the floor) 0.400 ms, ratio 3.00x" in text
    assert render({}, judge({}))


def test_redact_removes_tokens_from_urls_and_headers() -> None:
    text = redact("GET /ops/x?access_token=abc.def&refresh_token=r1 Bearer tok123 code=xyz")
    assert "abc.def" not in text and "r1" not in text and "tok123" not in text
    assert "xyz" not in text
    assert text.count("REDACTED") == 4


def test_interleaved_rounds_time_each_side_separately() -> None:
    def slow() -> None:
        time.sleep(0.002)

    slow_side, fast_side = run_concurrently(lambda: [slow, lambda: None], Shape(2, 40, warmup=2))
    assert slow_side["n"] == fast_side["n"] == 40
    assert slow_side["p50_ms"] >= 2.0 > fast_side["p50_ms"]


def test_a_failing_request_fails_the_measurement() -> None:
    def broken() -> None:
        raise RuntimeError("proxy answered 502")

    with pytest.raises(RuntimeError, match="502"):
        run_concurrently(lambda: [broken], Shape(4, 40, warmup=4, time_limit_seconds=10))


def test_keepalive_client_reuses_one_connection() -> None:
    peers: list[tuple[str, int]] = []

    async def answer(request: Request) -> PlainTextResponse:
        assert request.client is not None
        peers.append((request.client.host, request.client.port))
        return PlainTextResponse("ok")

    with ServerThread(Starlette(routes=[Route("/", answer)])) as server:
        client = KeepAliveClient(server.url)
        try:
            assert [client.get("/") for _ in range(3)] == [(200, b"ok")] * 3
        finally:
            client.close()
    assert len(set(peers)) == 1


def test_running_starts_a_service_and_always_stops_it(tmp_path: Path) -> None:
    world = build_world(tmp_path / "world", big_file=False)
    with running(
        "emulator",
        ["emulator", "--seed", str(world.seed_path), "--data-dir", str(tmp_path / "data")],
        "/_emulator/world",
        tmp_path,
    ) as service:
        assert httpx.get(service.url + "/_emulator/world", timeout=10).status_code == 200
        assert read_memory(service.pid).rss_mb > 1
    assert service.process.poll() is not None


def test_cpu_seconds_of_this_process_grow_with_work() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert cpu_seconds(os.getpid()) > before


def test_scale_out_is_rendered_and_judged() -> None:
    row = {"requests_per_second": 400.0, "p50_ms": 60.0, "p99_ms": 500.0, "errors": 0}
    figures: dict[str, Any] = {
        "wrk_seconds": 5,
        "scale_out": {
            "connections": 32,
            "r1": {**row, "proxy_cpu_seconds": 2.5, "requests_per_proxy_cpu_second": 800},
            "r2": {
                **row,
                "errors": 3,
                "proxy_cpu_seconds": 3.5,
                "requests_per_proxy_cpu_second": 570,
            },
            "per_core": 685,
        },
        "token_lookup": {"error": "RuntimeError: redis-server did not start"},
    }
    targets = judge(figures)
    (errors,) = [t for t in targets if t["target"].startswith("no errors through haproxy")]
    assert (errors["measured"], errors["verdict"]) == (3, "MISS")
    text = render(figures, targets)
    assert "One replica per core serves about 685 requests a second" in text
    assert "memory vs Redis: n/a (RuntimeError: redis-server did not start)" in text


def test_cpu_seconds_counts_this_process_s_work() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:
        pass
    assert 0.05 <= cpu_seconds(os.getpid()) - before < 5


def test_the_forwarder_lists_what_globus_lists(emulator: RunningEmulator, tmp_path: Path) -> None:
    """The floor forwards the same listing, so the CPU comparison compares like with like."""
    token = issue_token(emulator.emulator)
    path = f"/v3/globus-proxy/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/%2Fdata1"
    query = f"?access_token={token}"
    with running_forwarder(emulator.url, tmp_path) as forwarder:
        answer = httpx.get(forwarder.url + path + query, timeout=10)
        figures = measure_cpu({"one": forwarder, "other": forwarder}, path + query, 20, 2)
    assert answer.status_code == 200
    names = sorted(entry["name"] for entry in answer.json()["result"]["DATA"])
    # Its own client: the session's globus-sdk environment may point at another emulator.
    transfer = TransferClient(base_url=emulator.url + "/", authorizer=AccessTokenAuthorizer(token))
    direct = transfer.operation_ls(DEFAULT_SOURCE_ID, path="/data1")
    assert names == sorted(entry["name"] for entry in direct)
    assert figures["requests"] == 20 and figures["one_cpu_ms"] >= 0
