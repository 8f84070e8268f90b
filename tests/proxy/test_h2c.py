"""Clients that offer an HTTP/2 upgrade on every request (java.net.http, as in a client
generated from the Tapis spec with openapi-generator's `native` library; curl --http2) get
their bodies through, and every request is answered once, whole.

`globus-proxy serve` runs as a process of its own (the behaviour lives in its HTTP protocol);
the requests are the bytes java.net.http writes, split as it splits them.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import (
    API_PREFIX,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
    encoded_segment,
)
from tests.support.raw_http import Connection, RawResponse, connect, java_request


@pytest.fixture(scope="module")
def served(proxy_factory: ProxyFactory) -> ProxyClient:
    return proxy_factory.start_process()


def target(proxy: ProxyClient, raw_path: str, tokens: Tokens) -> str:
    """The request target (path and query) as the generated client writes it."""
    return proxy.url(raw_path, tokens.query()).removeprefix(proxy.root)


def ops_target(proxy: ProxyClient, path: str, tokens: Tokens) -> str:
    segment = encoded_segment(path)
    return target(proxy, f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_DESTINATION_ID}/{segment}", tokens)


def send_java(
    connection: Connection, proxy: ProxyClient, method: str, where: str, body: Any, coalesced: bool
) -> RawResponse:
    host = proxy.root.removeprefix("http://")
    payload = b"" if body is None else json.dumps(body).encode()
    segments = java_request(method, where, host, payload)
    connection.send(b"".join(segments)) if coalesced else connection.send(*segments)
    return connection.read()


def message(answer: RawResponse) -> str:
    return str(json.loads(answer.body)["message"])


def hello_still_answers(connection: Connection, proxy: ProxyClient) -> None:
    """The same connection serves the next request: nothing of the last one was left over."""
    host = proxy.root.removeprefix("http://")
    connection.send(*java_request("GET", f"{API_PREFIX}/hello", host, b""))
    answer = connection.read()
    assert (answer.status, message(answer)) == (200, "Hello from the Globus proxy.")


SEGMENTS = pytest.mark.parametrize("coalesced", [False, True], ids=["split", "one-segment"])


@SEGMENTS
def test_rename_with_javas_bytes(
    served: ProxyClient, tokens: Tokens, scratch: Scratch, coalesced: bool
) -> None:
    (scratch.backing / "old").mkdir()
    body = {"destination": f"{scratch.path}/new"}
    with connect(served.root) as connection:
        where = ops_target(served, f"{scratch.path}/old", tokens)
        answer = send_java(connection, served, "PUT", where, body, coalesced)
        assert (answer.status, message(answer)) == (200, "Successfully renamed path")
        hello_still_answers(connection, served)
    assert (scratch.backing / "new").is_dir() and not (scratch.backing / "old").exists()


def test_make_dir_with_javas_bytes(served: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    """The body in a segment of its own was parsed as a request: 400, though the directory
    was made (makeDir reads no body, so in one segment it always worked)."""
    with connect(served.root) as connection:
        where = ops_target(served, f"{scratch.path}/made", tokens)
        answer = send_java(connection, served, "POST", where, {}, coalesced=False)
        assert (answer.status, message(answer)) == (200, "Successfully created directory")
        hello_still_answers(connection, served)
    assert (scratch.backing / "made").is_dir()


@SEGMENTS
def test_create_transfer_with_javas_bytes(
    served: ProxyClient, tokens: Tokens, scratch: Scratch, coalesced: bool
) -> None:
    body = {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": [
            {
                "source_path": "/data1/1M.dat",
                "destination_path": f"{scratch.path}/copy.dat",
                "recursive": False,
            }
        ],
    }
    with connect(served.root) as connection:
        where = target(served, f"/transfers/{DEFAULT_CLIENT_ID}", tokens)
        answer = send_java(connection, served, "POST", where, body, coalesced)
        assert (answer.status, message(answer)) == (200, "Success"), answer.body
        assert json.loads(answer.body)["result"]["code"] == "Accepted"
        hello_still_answers(connection, served)


def test_requests_pipelined_behind_an_offer_are_all_answered(
    served: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    (scratch.backing / "a").mkdir()
    host = served.root.removeprefix("http://")
    rename = java_request(
        "PUT",
        ops_target(served, f"{scratch.path}/a", tokens),
        host,
        json.dumps({"destination": f"{scratch.path}/b"}).encode(),
    )
    hello = java_request("GET", f"{API_PREFIX}/hello", host, b"")
    with connect(served.root) as connection:
        connection.send(b"".join([*rename, *hello]))
        first, second = connection.read(), connection.read()
    assert (first.status, message(first)) == (200, "Successfully renamed path")
    assert (second.status, message(second)) == (200, "Hello from the Globus proxy.")


def test_curl_http2_renames(served: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    """curl --http2 on http:// offers h2c the same way."""
    (scratch.backing / "c").mkdir()
    url = served.root + ops_target(served, f"{scratch.path}/c", tokens)
    done = subprocess.run(
        [
            "curl",
            "-s",
            "--http2",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "-d",
            json.dumps({"destination": f"{scratch.path}/d"}),
            "-w",
            "\n%{http_code}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, status = done.stdout.rsplit("\n", 1)
    assert (status, json.loads(body)["message"]) == ("200", "Successfully renamed path")


def test_an_ignored_offer_logs_nothing(served: ProxyClient, tokens: Tokens) -> None:
    """java.net.http offers h2c on every request: that is normal, not worth a line."""
    with connect(served.root) as connection:
        where = target(served, f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/%2Fdata1", tokens)
        answer = send_java(connection, served, "GET", where, None, coalesced=False)
        assert answer.status == 200
    log = served.log()
    assert "Unsupported upgrade request" not in log
    assert "Invalid HTTP request received" not in log
