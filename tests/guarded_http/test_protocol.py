"""guarded_http's protocol in the real uvicorn server: a request offering an upgrade the
server does not take is served whole, however its bytes arrive; the limits answer with the
server's own wording and close the connection.

The app echoes what it received, so a lost or cut body shows as such. The proxy's and the
emulator's own tests (tests/proxy/test_h2c.py, test_limits.py, tests/emulator/test_h2c.py)
run the same protocol in `globus-proxy serve` and the emulator's server.
"""

from __future__ import annotations

import json
import select
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from globus_emulator.server import ServerThread
from guarded_http import Limits, Refusal, Rendered, protocol
from tests.support.raw_http import RawResponse, connect, java_request


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse(
        {"path": request.url.path, "body": body.decode(), "headers": dict(request.headers)}
    )


APP = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "PUT", "POST"])])
LIMITS = Limits(max_body_bytes=1000, max_url_bytes=200, max_header_bytes=500)


def render(refusal: Refusal) -> Rendered:
    body = json.dumps({"refused": refusal.reason, "limit": refusal.limit}).encode()
    return Rendered(body, ((b"x-refused", refusal.reason.encode()),))


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with ServerThread(APP, http=protocol(LIMITS, render)) as server:
        yield server.url


def echoed(answer: RawResponse) -> dict[str, object]:
    assert answer.status == 200, answer
    document: dict[str, object] = json.loads(answer.body)
    return document


OFFER = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQ\r\n"


def test_a_body_sent_byte_by_byte_behind_an_offer(root: str) -> None:
    request = b"PUT /x HTTP/1.1\r\nHost: h\r\n" + OFFER + b'Content-Length: 7\r\n\r\n{"a":1}'
    with connect(root) as connection:
        connection.send(*[bytes([b]) for b in request], pause=0)
        got = echoed(connection.read())
    assert got["body"] == '{"a":1}'
    assert "upgrade" not in got["headers"] and "http2-settings" not in got["headers"]  # type: ignore[operator]


def test_a_chunked_body_in_segments_behind_an_offer(root: str) -> None:
    head = b"POST /c HTTP/1.1\r\nHost: h\r\n" + OFFER + b"Transfer-Encoding: chunked\r\n\r\n"
    with connect(root) as connection:
        connection.send(head, b"3\r\nabc\r\n", b"2\r\nde\r\n", b"0\r\n\r\n")
        assert echoed(connection.read())["body"] == "abcde"


def test_http_1_0_behind_an_offer(root: str) -> None:
    request = b"POST /old HTTP/1.0\r\n" + OFFER + b"Content-Length: 2\r\n\r\nhi"
    with connect(root) as connection:
        connection.send(request)
        assert echoed(connection.read())["body"] == "hi"


def test_expect_100_continue_behind_an_offer(root: str) -> None:
    head = (
        b"PUT /e HTTP/1.1\r\nHost: h\r\n"
        + OFFER
        + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    )
    with connect(root) as connection:
        connection.send(head)
        assert connection.stream.readline().startswith(b"HTTP/1.1 100")
        assert connection.stream.readline() == b"\r\n"
        connection.send(b"ok")
        assert echoed(connection.read())["body"] == "ok"


def test_two_offers_and_a_plain_request_pipelined(root: str) -> None:
    one = b"".join(java_request("PUT", "/1", "h", b'{"n":1}'))
    two = b"".join(java_request("POST", "/2", "h", b'{"n":2}'))
    with connect(root) as connection:
        connection.send(one + two + b"GET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
        bodies = [echoed(connection.read())["body"] for _ in range(3)]
    assert bodies == ['{"n":1}', '{"n":2}', ""]


@pytest.mark.parametrize(
    ("request_bytes", "reason", "limit"),
    [
        (b"GET /" + b"u" * 300 + b" HTTP/1.1\r\nHost: h\r\n\r\n", "url", 200),
        (b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"h" * 600 + b"\r\n\r\n", "header", 500),
        (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n", "body", 1000),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"3e8\r\n"
            + b"b" * 1000
            + b"\r\n1\r\nb\r\n0\r\n\r\n",
            "body",
            1000,
        ),
        (b"GET / HTTP/1.1\r\nHost h\r\n\r\n", "malformed", None),
    ],
    ids=["url", "header", "declared-body", "chunked-body", "malformed"],
)
def test_a_refusal_is_answered_in_the_servers_words_and_closes(
    root: str, request_bytes: bytes, reason: str, limit: int | None
) -> None:
    with connect(root) as connection:
        connection.send(request_bytes)
        answer = connection.read()
        assert json.loads(answer.body) == {"refused": reason, "limit": limit}
        assert answer.headers["x-refused"] == reason  # the renderer's own headers go along
        assert answer.headers["connection"] == "close"
        assert answer.headers["content-type"] == "application/json"
        assert connection.closed_by_peer()
    statuses = {"url": 414, "header": 431, "body": 413, "malformed": 400}
    assert answer.status == statuses[reason]


def test_a_header_value_that_never_ends_is_cut_short(root: str) -> None:
    """The parser holds an unfinished header field; its growth is bounded all the same."""
    with connect(root) as connection:
        connection.send(b"GET / HTTP/1.1\r\nX-Endless: ")
        for _ in range(10):  # the bound is ~66 KB here
            connection.send(b"x" * 65_536, pause=0)
            if select.select([connection.sock], [], [], 0.2)[0]:
                break
        answer = connection.read()
    assert (answer.status, json.loads(answer.body)) == (431, {"refused": "header", "limit": 500})


def test_a_refusal_reaches_a_client_still_sending(root: str) -> None:
    """The answer to a body declared too big waits in the client's buffer while it goes on
    sending; the server reads and drops the rest, and no reset wipes the answer out."""
    with connect(root) as connection:
        connection.send(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000000\r\n\r\n")
        for _ in range(40):
            connection.send(b"b" * 65_536, pause=0)
        answer = connection.read()
        assert connection.closed_by_peer()
    assert answer.status == 413
