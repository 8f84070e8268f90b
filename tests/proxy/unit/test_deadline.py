"""One deadline per operation, retries and refresh included, on a patched clock.

Globus is mocked with `responses`; the gateway's clock (time.monotonic and the retry sleeps)
is a fake that advances only when the code sleeps or a request "takes" time, so retry
schedules of several seconds run instantly and exactly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import requests
import responses

from globus_proxy.errors import ProxyError
from globus_proxy.gateway import Gateway, TokenPair, call, runner, transport
from globus_proxy.gateway.call import CURRENT_CALL, MIN_ATTEMPT_SECONDS
from globus_proxy.settings import Settings

CLIENT = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
COLLECTION = "2c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
LS = f"https://transfer.test/v0.10/operation/endpoint/{COLLECTION}/ls"
PAIR = TokenPair("access", "refresh")
REQUEST_SECONDS = 0.1  # what each request to the mocked Globus costs on the fake clock
JAVA_CLIENT_TIMEOUT_SECONDS = 10.0
JSON = {"Content-Type": "application/json"}
LISTING = '{"DATA_TYPE": "file_list", "DATA": []}'
SESSION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    patched = SimpleNamespace(monotonic=fake.monotonic, sleep=fake.sleep)
    for module in (call, runner, transport):
        monkeypatch.setattr(module, "time", patched)
    return fake


def gateway_with_deadline(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Iterator[Gateway]:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_AUTH", "https://auth.test/")
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "https://transfer.test/")
    gateway = Gateway(Settings(session_key=SESSION_KEY, globus_timeout_seconds=seconds))
    yield gateway
    gateway.close()


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    yield from gateway_with_deadline(monkeypatch, 1.0)


@pytest.fixture
def patient_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    yield from gateway_with_deadline(monkeypatch, 60.0)


def list_home(gateway: Gateway) -> ProxyError:
    with pytest.raises(ProxyError) as failed:
        asyncio.run(gateway.transfer.list_files(CLIENT, PAIR, COLLECTION, "/~/", 10, 0, None))
    return failed.value


def costs_time(clock: FakeClock, answer: object) -> object:
    def respond(_: requests.PreparedRequest) -> object:
        clock.now += REQUEST_SECONDS
        if isinstance(answer, Exception):
            raise answer
        return answer

    return respond


@responses.activate
def test_retries_stop_at_the_deadline_and_globus_answer_is_503(
    gateway: Gateway, clock: FakeClock
) -> None:
    """Globus keeps answering 503: globus-sdk alone would retry 5 times over ~15 s."""
    responses.add_callback(
        responses.GET,
        LS,
        callback=costs_time(
            clock, (503, JSON, '{"code": "ServiceUnavailable", "message": "busy"}')
        ),
    )
    started, real_start = clock.now, time.monotonic()
    failed = list_home(gateway)
    assert failed.status == 503, failed.message  # Globus answered: not a 504
    assert "busy (Globus ServiceUnavailable, HTTP 503)" in failed.message
    attempts = len(responses.calls)
    assert 2 <= attempts < 6, attempts
    assert clock.now - started <= 1.0 + REQUEST_SECONDS
    assert all(s <= 1.0 - MIN_ATTEMPT_SECONDS for s in clock.slept), clock.slept
    assert time.monotonic() - real_start < 1.0, "the retries ran on the fake clock"


@pytest.mark.parametrize(("status", "code"), [(429, "RateLimited"), (503, "ServiceUnavailable")])
@responses.activate
def test_a_retry_after_past_the_deadline_is_answered_at_once(
    patient_gateway: Gateway, clock: FakeClock, status: int, code: str
) -> None:
    """Globus asks to wait longer than the time left: no sleep, its status and Retry-After."""
    answer = (status, {**JSON, "Retry-After": "120"}, f'{{"code": "{code}", "message": "m"}}')
    responses.add_callback(responses.GET, LS, callback=costs_time(clock, answer))
    failed = list_home(patient_gateway)
    assert failed.status == status, failed.message
    assert failed.headers == {"Retry-After": "120"}
    assert len(responses.calls) == 1
    assert clock.slept == []


@responses.activate
def test_a_retry_after_within_the_deadline_is_waited_for(
    patient_gateway: Gateway, clock: FakeClock
) -> None:
    limited = (429, {**JSON, "Retry-After": "3"}, '{"code": "RateLimited", "message": "m"}')
    responses.add_callback(responses.GET, LS, callback=costs_time(clock, limited))
    responses.add_callback(responses.GET, LS, callback=costs_time(clock, (200, JSON, LISTING)))
    answer = asyncio.run(
        patient_gateway.transfer.list_files(CLIENT, PAIR, COLLECTION, "/~/", 10, 0, None)
    )
    assert answer.document == LISTING.encode()
    assert clock.slept == [3]


@responses.activate
def test_timeouts_past_the_deadline_are_504(gateway: Gateway, clock: FakeClock) -> None:
    responses.add_callback(
        responses.GET, LS, callback=costs_time(clock, requests.ReadTimeout("slow"))
    )
    failed = list_home(gateway)
    assert failed.status == 504, failed.message
    assert failed.message.startswith("Globus did not answer within 1 s (retries included).")


@responses.activate
def test_refused_connections_past_the_deadline_are_502(gateway: Gateway, clock: FakeClock) -> None:
    """Retrying until the deadline does not turn "could not reach" into "did not answer"."""
    responses.add_callback(
        responses.GET, LS, callback=costs_time(clock, requests.ConnectionError("refused"))
    )
    failed = list_home(gateway)
    assert failed.status == 502, failed.message
    assert failed.message.startswith("Could not reach Globus (ConnectionError).")


@responses.activate
def test_network_errors_within_the_deadline_are_502(
    patient_gateway: Gateway, clock: FakeClock
) -> None:
    """With time to spare, globus-sdk's retries run out first: Globus is out of reach."""
    responses.add_callback(
        responses.GET, LS, callback=costs_time(clock, requests.ConnectionError("refused"))
    )
    failed = list_home(patient_gateway)
    assert failed.status == 502, failed.message
    assert failed.message.startswith("Could not reach Globus (ConnectionError).")
    assert len(responses.calls) == 6  # the first attempt and globus-sdk's 5 retries


def test_http_timeouts_shrink_to_the_time_left(gateway: Gateway, clock: FakeClock) -> None:
    assert gateway.transport.http_timeout == 1.0
    pending = gateway.runner.new_call(CLIENT, PAIR)
    clock.now += 0.7
    reset = CURRENT_CALL.set(pending)
    try:
        assert gateway.transport.http_timeout == pytest.approx(0.3)
    finally:
        CURRENT_CALL.reset(reset)


def test_the_default_deadline_answers_before_the_java_client_gives_up() -> None:
    deadline = Settings().globus_timeout_seconds
    assert deadline + runner.OUTER_GRACE_SECONDS < JAVA_CLIENT_TIMEOUT_SECONDS
