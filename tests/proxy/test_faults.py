"""What a caller sees when Globus misbehaves: every answer is right or a clean, honest error.

Tapis Files turns any failed call into a FAILED transfer and retries a failed submission, so a
broken success answer must never pass as success: a truncated body, an HTML page or another
kind of document is a 502 that says so. Globus out of reach is a 502 that says so, within the
deadline. Every answer also passes `ProxyClient.check_answer` (an envelope, valid JSON).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from globus_proxy.gateway.runner import OUTER_GRACE_SECONDS
from tests.proxy.support import (
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
)

HTML_PAGE = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
# fault fields, and the words the 502's message must carry
BROKEN = {
    "truncated": ({"truncate": True}, "a JSON document cut short after"),
    "html": ({"status": 200, "text": HTML_PAGE}, "an HTML page instead of a JSON document"),
    "other kind": ({"status": 200, "body": {"DATA_TYPE": "endpoint_list"}}, "was expected"),
}


@dataclass
class Operation:
    match: str  # the Globus call to break
    run: Callable[[ProxyClient, Tokens, Scratch, str], httpx.Response]  # (.., a task id)


def transfer_body(source: str, destination: str) -> dict[str, Any]:
    return {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": [{"source_path": source, "destination_path": destination}],
    }


def rename(proxy: ProxyClient, tokens: Tokens, scratch: Scratch, _: str) -> httpx.Response:
    (scratch.backing / "old").mkdir()
    return proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{scratch.path}/old",
        tokens,
        json_body={"destination": f"{scratch.path}/new"},
    )


OPERATIONS = {
    "listFiles": Operation("/ls", lambda p, t, s, _: p.ls(DEFAULT_SOURCE_ID, "/data1", t)),
    "listFiles of a file": Operation(
        "/stat",
        lambda p, t, s, _: p.ls(DEFAULT_SOURCE_ID, "/data1/1M.dat", t),
    ),
    "makeDir": Operation(
        "/mkdir", lambda p, t, s, _: p.ops("POST", DEFAULT_DESTINATION_ID, f"{s.path}/d", t)
    ),
    "renamePath": Operation("/rename", rename),
    "deletePath": Operation(
        "/v0.10/delete",
        lambda p, t, s, _: p.ops("DELETE", DEFAULT_DESTINATION_ID, f"{s.path}", t),
    ),
    "createTransferTask": Operation(
        "/v0.10/transfer",
        lambda p, t, s, _: p.transfer(t, transfer_body("/data1/1M.dat", f"{s.path}/c.dat")),
    ),
    "getTransferTask": Operation("/v0.10/task/", lambda p, t, s, task: p.task("GET", task, t)),
    "cancelTransferTask": Operation("/cancel", lambda p, t, s, task: p.task("DELETE", task, t)),
    "checkTokens": Operation(
        "/v0.10/endpoint/", lambda p, t, s, _: p.check_tokens(DEFAULT_SOURCE_ID, t)
    ),
}


@pytest.fixture(scope="module")
def task_id(proxy: ProxyClient, tokens: Tokens, globus: EmulatedGlobus) -> str:
    """A finished task to read and cancel."""
    scratch = globus.root(DEFAULT_DESTINATION_ID) / "faults-task"
    scratch.mkdir(exist_ok=True)
    answer = proxy.transfer(tokens, transfer_body("/data1/1M.dat", "/faults-task/c.dat"))
    assert answer.status_code == 200, answer.text
    task: str = answer.json()["result"]["task_id"]
    proxy.wait_for_task(task, tokens, until={"SUCCEEDED"})
    return task


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_broken_success_answer_is_a_502_that_says_so(
    proxy: ProxyClient,
    tokens: Tokens,
    scratch: Scratch,
    task_id: str,
    faults: EmulatedGlobus,
    operation: str,
    broken: str,
) -> None:
    fault, words = BROKEN[broken]
    op = OPERATIONS[operation]
    faults.fault(match=op.match, times=1, **fault)
    answer = op.run(proxy, tokens, scratch, task_id)
    assert answer.status_code == 502, answer.text
    message = answer.json()["message"]
    assert message.startswith("Globus answered HTTP 20"), message
    assert words in message, message
    assert message.endswith(
        "nothing of it was passed on. Try again shortly; if it persists, check "
        "https://status.globus.org."
    )


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_token_answer_at_login_is_a_502(
    proxy: ProxyClient, faults: EmulatedGlobus, broken: str
) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    fault, words = BROKEN[broken]
    faults.fault(match="/v2/oauth2/token", times=1, **fault)
    answer = proxy.exchange(session_id, code)
    assert answer.status_code == 502, answer.text
    expected = "a token answer without its tokens" if broken == "other kind" else words
    assert expected in answer.json()["message"]


def test_a_broken_token_answer_at_refresh_is_a_502(
    proxy: ProxyClient, fresh_tokens: Tokens, faults: EmulatedGlobus
) -> None:
    faults.expire(fresh_tokens.access_token)
    faults.fault(match="/v2/oauth2/token", times=1, status=200, text=HTML_PAGE)
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 502, answer.text
    assert "an HTML page instead of a JSON document" in answer.json()["message"]


def test_a_whole_answer_after_a_broken_one_passes(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    faults.fault(match="/ls", times=1, truncate=True)
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens).status_code == 502
    again = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert again.status_code == 200, again.text
    assert again.json()["result"]["DATA_TYPE"] == "file_list"


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


UNREACHABLE_DEADLINE_SECONDS = 1.0


def test_globus_unreachable_is_a_502_within_the_deadline(
    proxy_factory: ProxyFactory, tokens: Tokens
) -> None:
    lonely = proxy_factory.start_pointed_at(
        f"http://127.0.0.1:{closed_port()}", globus_timeout_seconds=UNREACHABLE_DEADLINE_SECONDS
    )
    started = time.monotonic()
    answer = lonely.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    took = time.monotonic() - started
    assert answer.status_code == 502, answer.text
    assert answer.json()["message"] == (
        "Could not reach Globus (Connection refused). Try again shortly; if it persists, "
        "check the service's network and https://status.globus.org."
    )
    assert took < UNREACHABLE_DEADLINE_SECONDS + OUTER_GRACE_SECONDS
