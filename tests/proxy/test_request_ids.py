"""One id per request, over HTTP: from X-Request-Id (or made up) to the answer's header, the
envelope's metadata.request_id, the access line and the gateway's lines in worker threads."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import httpx
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import JAVA_HEADERS, EmulatedGlobus, ProxyClient, Tokens

SAFE = re.compile(r"[A-Za-z0-9._-]{1,128}")
ACCESS = "globus_proxy.access"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.arrived = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.arrived:
            self.records.append(record)
            self.arrived.notify_all()

    def of(self, request_id: str, logger: str) -> list[logging.LogRecord]:
        """The request's records from `logger`, once its access line is written: the server
        writes that line after the answer has gone, so the caller may get here first."""
        with self.arrived:
            self.arrived.wait_for(lambda: self._of(request_id, ACCESS), timeout=10)
            return self._of(request_id, logger)

    def _of(self, request_id: str, logger: str) -> list[logging.LogRecord]:
        return [
            r
            for r in self.records
            if getattr(r, "request_id", None) == request_id and r.name == logger
        ]


@pytest.fixture
def records() -> Iterator[Records]:
    """Every record of the service's loggers, DEBUG included (one line per Globus call)."""
    handler = Records()
    service = logging.getLogger("globus_proxy")
    level = service.level
    service.setLevel(logging.DEBUG)
    service.addHandler(handler)
    try:
        yield handler
    finally:
        service.removeHandler(handler)
        service.setLevel(level)


def with_id(request_id: str | bytes) -> dict[str, str | bytes]:
    return {**JAVA_HEADERS, "X-Request-Id": request_id}


def id_of(answer: httpx.Response) -> str:
    """The answer's id, the same in the header and in the envelope (check_answer holds that)."""
    return str(answer.headers["x-request-id"])


def test_a_callers_id_reaches_the_answer_and_every_line_about_the_request(
    proxy: ProxyClient, fresh_tokens: Tokens, records: Records
) -> None:
    sent = "tapis-files.poll_42"
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens, headers=with_id(sent))
    assert answer.status_code == 200, answer.text
    assert id_of(answer) == sent
    assert answer.json()["metadata"] == {"request_id": sent}
    [access] = records.of(sent, ACCESS)
    assert (access.operation, access.status, access.globus_calls) == ("listFiles", 200, 1)
    [call] = records.of(sent, "globus_proxy.gateway.calls")
    assert (call.call, call.outcome) == ("operation_ls", "ok")
    assert call.threadName.startswith("globus"), "logged in a worker thread"


def test_a_refresh_in_a_worker_thread_logs_under_the_callers_id(
    proxy: ProxyClient, fresh_tokens: Tokens, records: Records
) -> None:
    proxy.globus.expire(fresh_tokens.access_token)
    sent = "stale-pair-poll"
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens, headers=with_id(sent))
    assert answer.status_code == 200, answer.text
    proxy.known_secrets.add(answer.json()["metadata"]["access_token"])
    assert answer.json()["metadata"]["request_id"] == sent
    calls = [(r.call, r.outcome) for r in records.of(sent, "globus_proxy.gateway.calls")]
    assert calls == [
        ("operation_ls", "401"),
        ("oauth2_refresh_token", "ok"),
        ("operation_ls", "ok"),
    ]
    [access] = records.of(sent, ACCESS)
    assert access.globus_calls == 3


@pytest.mark.parametrize(
    "unsafe",
    ["", "has space", "x" * 129, "semi;colon", 'quote"d', "ünïcode".encode(), "a/b"],
    ids=["empty", "space", "too-long", "semicolon", "quote", "non-ascii", "slash"],
)
def test_an_unsafe_id_is_replaced_by_a_fresh_one(
    proxy: ProxyClient, records: Records, unsafe: str | bytes
) -> None:
    answer = proxy.call("GET", "/hello", headers=with_id(unsafe))
    assert answer.status_code == 200, answer.text
    made = id_of(answer)
    assert SAFE.fullmatch(made) and made != unsafe, made
    assert len(records.of(made, ACCESS)) == 1
    text = unsafe if isinstance(unsafe, str) else unsafe.decode()
    if text:
        assert all(text not in r.getMessage() for r in records.records)


def test_the_longest_safe_id_is_kept(proxy: ProxyClient) -> None:
    longest = "A-z.0_" * 21 + "xy"  # 128 characters
    assert id_of(proxy.call("GET", "/hello", headers=with_id(longest))) == longest


def test_every_request_without_an_id_gets_its_own(proxy: ProxyClient) -> None:
    made = {id_of(proxy.call("GET", "/hello")) for _ in range(5)}
    assert len(made) == 5


def test_error_answers_carry_the_id(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus, records: Records
) -> None:
    faults.fault(match="/ls", status=501, times=1)
    cases = [
        (lambda h: proxy.call("GET", "/ops/not-a-uuid/x/y", tokens=tokens, headers=h), 400),
        (
            lambda h: proxy.call(
                "GET", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/x", headers=h
            ),
            401,
        ),
        (lambda h: proxy.call("GET", "/no/such/route", headers=h), 404),
        # The injected error document says ServiceUnavailable: Globus is down, a 503.
        (lambda h: proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, headers=h), 503),
    ]
    for number, (send, status) in enumerate(cases):
        sent = f"error-case-{number}"
        answer = send(with_id(sent))
        assert answer.status_code == status, answer.text
        assert answer.json()["metadata"]["request_id"] == sent
        [access] = records.of(sent, ACCESS)
        assert access.status == status


def test_concurrent_requests_keep_their_ids_apart(
    proxy: ProxyClient, tokens: Tokens, records: Records
) -> None:
    answers: dict[str, int] = {}

    def list_as(request_id: str) -> None:
        answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, headers=with_id(request_id))
        answers[request_id] = answer.status_code

    sent = [f"concurrent-{n}" for n in range(8)]
    threads = [threading.Thread(target=list_as, args=(request_id,)) for request_id in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == dict.fromkeys(sent, 200)
    for request_id in sent:
        assert len(records.of(request_id, "globus_proxy.gateway.calls")) == 1, request_id
        [access] = records.of(request_id, ACCESS)
        assert access.globus_calls == 1
