"""What a client may send, and how slowly: the body (413), the URL (414), the header fields
(431) and the time to send a request head (408, or a close). Each refusal is the Tapis
envelope, and the defaults take a 60,000-item transfer.

`globus-proxy serve` runs as a process of its own: the limits live in its HTTP protocol.
"""

from __future__ import annotations

import json
import time

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from globus_proxy.settings import Settings
from tests.proxy.support import API_PREFIX, JAVA_HEADERS, ProxyClient, ProxyFactory, Tokens
from tests.support.raw_http import RawResponse, connect

HEAD_TIMEOUT_SECONDS = 1.0
# How long past the limit a closed connection may take to show (a loaded 2-core machine).
SLACK_SECONDS = 2.0
DEFAULTS = Settings()
SMALL = {"max_body_bytes": 65_536, "max_url_bytes": 2_048, "max_header_bytes": 4_096}


@pytest.fixture(scope="module")
def served(proxy_factory: ProxyFactory) -> ProxyClient:
    """The default limits, but for the head timeout (so the tests wait ~1 s, not 15)."""
    return proxy_factory.start_process(header_timeout_seconds=HEAD_TIMEOUT_SECONDS)


@pytest.fixture(scope="module")
def small(proxy_factory: ProxyFactory) -> ProxyClient:
    return proxy_factory.start_process(**SMALL)


def message(answer: RawResponse) -> str:
    return str(json.loads(answer.body)["message"])


def ls_path(path: str) -> str:
    return f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{path}"


def test_a_100_kb_path_is_414_in_the_envelope_and_20_kb_passes(
    served: ProxyClient, tokens: Tokens
) -> None:
    within = served.call(
        "GET", ls_path("data1"), tokens=tokens, query={"filter": "name:=" + "x" * 20_000}
    )
    assert within.status_code == 200, within.text
    assert within.json()["result"]["DATA"] == []  # Globus has nothing of that name

    target = served.url(ls_path("a" * 100_000), tokens.query()).removeprefix(served.root)
    with connect(served.root) as connection:
        connection.send(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = connection.read()
    assert answer.status == 414
    body = json.loads(answer.body)
    assert body == {
        "status": "error",
        "message": "The URL is longer than 32768 bytes (GLOBUS_PROXY_MAX_URL_BYTES): shorten "
        "the path or the filter.",
        "result": {},
        "version": "dev",
        "metadata": {"request_id": answer.headers["x-request-id"]},
    }
    assert answer.headers["connection"] == "close"


def test_100_kb_of_headers_is_431_in_the_envelope(served: ProxyClient, tokens: Tokens) -> None:
    headers = {**JAVA_HEADERS, **{f"X-Extra-{n}": "x" * 1_000 for n in range(100)}}
    answer = served.call("GET", ls_path("data1"), tokens=tokens, headers=headers)
    assert answer.status_code == 431
    assert answer.json()["message"] == (
        "The request's header fields are larger than 65536 bytes in all "
        "(GLOBUS_PROXY_MAX_HEADER_BYTES): send fewer or smaller headers."
    )


def test_the_default_body_limit_takes_60000_items_and_refuses_more_than_it_says(
    served: ProxyClient, tokens: Tokens
) -> None:
    """A 60,000-item transfer is read and parsed whole (the last item's stray field is what
    the 400 names); a body declared one byte over the limit is refused before it is sent."""
    deep = "/project/" + "/".join(f"level-{n:02d}" for n in range(16))  # ~150 bytes
    items: list[dict[str, object]] = [
        {
            "source_path": f"{deep}/input/file-{n:06d}.dat",
            "destination_path": f"{deep}/output/file-{n:06d}.dat",
            "recursive": False,
        }
        for n in range(60_000)
    ]
    items[-1]["stray"] = True
    body = {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": items,
    }
    raw = json.dumps(body)
    assert len(raw) > 20_000_000  # ~20 MB, well under the default limit
    answer = served.call(
        "POST", f"/transfers/{DEFAULT_CLIENT_ID}", tokens=tokens, content=raw, timeout=60
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == (
        "Invalid request: transfer_items.59999.stray (body): Extra inputs are not permitted."
    )

    head = (
        f"POST {API_PREFIX}/transfers/{DEFAULT_CLIENT_ID}?access_token=a&refresh_token=r "
        f"HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {DEFAULTS.max_body_bytes + 1}\r\n\r\n"
    )
    with connect(served.root) as connection:
        connection.send(head.encode())
        refused = connection.read()
    assert refused.status == 413
    assert message(refused) == (
        "The request body is larger than 67108864 bytes (GLOBUS_PROXY_MAX_BODY_BYTES): send "
        "fewer transfer items per request."
    )
    assert json.loads(refused.body)["status"] == "error"


def test_a_chunked_body_over_the_limit_is_413(small: ProxyClient) -> None:
    head = (
        f"POST {API_PREFIX}/transfers/{DEFAULT_CLIENT_ID}?access_token=a&refresh_token=r "
        f"HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (16_384, b" " * 16_384)
    with connect(small.root) as connection:
        connection.send(head.encode(), *[chunk] * 5)
        answer = connection.read()
        assert connection.closed_by_peer()
    assert answer.status == 413
    assert message(answer).startswith("The request body is larger than 65536 bytes")


def test_a_transfer_over_a_configured_limit_is_413(small: ProxyClient, tokens: Tokens) -> None:
    answer = small.call(
        "POST", f"/transfers/{DEFAULT_CLIENT_ID}", tokens=tokens, content="[" + " " * 70_000 + "]"
    )
    assert answer.status_code == 413
    assert answer.json()["message"].startswith("The request body is larger than 65536 bytes")


def test_a_head_that_does_not_arrive_in_time_is_408_and_closed(served: ProxyClient) -> None:
    """The timer is per head: a whole request in time, an idle moment (keep-alive's
    business), then a head that stops short."""
    with connect(served.root) as connection:
        connection.send(f"GET {API_PREFIX}/hello HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert connection.read().status == 200
        time.sleep(HEAD_TIMEOUT_SECONDS / 2)
        started = time.monotonic()
        connection.send(f"GET {API_PREFIX}/hello HTTP/1.1\r\nHost: x\r\n".encode())
        answer = connection.read()
        assert connection.closed_by_peer()
    took = time.monotonic() - started
    assert answer.status == 408
    assert message(answer) == (
        "The request line and headers did not arrive within 1 s "
        "(GLOBUS_PROXY_HEADER_TIMEOUT_SECONDS): the connection is closed; send the request "
        "again on a new one."
    )
    assert HEAD_TIMEOUT_SECONDS <= took < HEAD_TIMEOUT_SECONDS + SLACK_SECONDS


def test_a_head_sent_a_byte_at_a_time_is_cut_off(served: ProxyClient) -> None:
    """Slowloris: each byte in time for an idle timer, the whole head never."""
    request = f"GET {API_PREFIX}/hello HTTP/1.1\r\nHost: x\r\n".encode() * 10
    started = time.monotonic()
    with connect(served.root) as connection:
        for byte in request:
            try:
                connection.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            if time.monotonic() - started > HEAD_TIMEOUT_SECONDS + 0.2:
                break
            time.sleep(0.1)
        answer = connection.read()
    assert answer.status == 408
    assert time.monotonic() - started < HEAD_TIMEOUT_SECONDS + SLACK_SECONDS


def test_a_connection_that_sends_nothing_is_closed(served: ProxyClient) -> None:
    started = time.monotonic()
    with connect(served.root) as connection:
        assert connection.closed_by_peer()
        assert connection.stream.read() == b""  # no answer: there was no request
    assert HEAD_TIMEOUT_SECONDS <= time.monotonic() - started < HEAD_TIMEOUT_SECONDS + SLACK_SECONDS
