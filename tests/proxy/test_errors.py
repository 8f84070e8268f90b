"""The error table of issue 3 (items 5 and 6), each row provoked over HTTP.

Every answer also passes `ProxyClient.check_answer`: an envelope with `status: "error"`, a
message, no redirect, no 500, no traceback and no token or login secret in the body.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.conftest import (
    JAVA_CLIENT_TIMEOUT_SECONDS,
    JAVA_HEADERS,
    CallCounter,
    ProxyClient,
    Tokens,
    encoded_segment,
)

GOOD_TRANSFER = {
    "source_endpoint": DEFAULT_SOURCE_ID,
    "destination_endpoint": DEFAULT_DESTINATION_ID,
    "transfer_items": [
        {"source_path": "/data1/1M.dat", "destination_path": "/x/1M.dat", "recursive": False}
    ],
}


def message(answer: httpx.Response) -> str:
    return str(answer.json()["message"])


# --- 400: input checked before anything goes upstream -------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (f"/ops/not-a-uuid/{DEFAULT_SOURCE_ID}/%2Fdata1", "client_id"),
        (f"/ops/{DEFAULT_CLIENT_ID}/not-a-uuid/%2Fdata1", "endpoint_id"),
        (f"/ops/{DEFAULT_CLIENT_ID}/..%2Fendpoint_manager/%2Fdata1", "endpoint_id"),
        (f"/transfers/{DEFAULT_CLIENT_ID}/not-a-task", "task_id"),
        ("/transfers/zzz/" + str(uuid.uuid4()), "client_id"),
        (f"/auth/check_tokens/{DEFAULT_CLIENT_ID}/nope", "endpoint_id"),
        ("/auth/check_tokens/nope/" + DEFAULT_SOURCE_ID, "client_id"),
    ],
)
def test_bad_ids_are_400_naming_the_field(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, raw: str, field: str
) -> None:
    calls.start()
    answer = proxy.call("GET", raw, tokens=tokens)
    assert answer.status_code == 400, answer.text
    assert field in message(answer)
    assert calls.total() == 0, "a bad id must be refused before anything goes upstream"


@pytest.mark.parametrize(
    "raw",
    [
        f"/transfers/{DEFAULT_CLIENT_ID}/..%2F..%2Fendpoint_search",
        f"/transfers/{DEFAULT_CLIENT_ID}/..%2Fendpoint_manager%2Ftask",
        f"/auth/check_tokens/{DEFAULT_CLIENT_ID}/..%2F..%2Fendpoint_search",
    ],
)
def test_crafted_ids_never_reach_globus(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, raw: str
) -> None:
    """An id with an encoded `/` decodes into several segments; refusing it as a bad id (400)
    or as no such route (404) both keep it away from other Globus routes."""
    calls.start()
    answer = proxy.call("GET", raw, tokens=tokens)
    assert answer.status_code in (400, 404), answer.text
    assert calls.total() == 0, calls.by_route()


def test_bad_endpoint_id_for_auth_url_is_400(proxy: ProxyClient) -> None:
    answer = proxy.call("GET", f"/auth/url/{DEFAULT_CLIENT_ID}/not-an-endpoint")
    assert answer.status_code == 400, answer.text
    assert "endpoint_id" in message(answer)


def test_bad_client_id_for_auth_url_is_400(proxy: ProxyClient) -> None:
    answer = proxy.call("GET", "/auth/url/not-a-client")
    assert answer.status_code == 400, answer.text
    assert "client_id" in message(answer)


def test_bad_client_id_for_transfer_is_400(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.call("POST", "/transfers/not-a-client", tokens=tokens, json_body=GOOD_TRANSFER)
    assert answer.status_code == 400, answer.text
    assert "client_id" in message(answer)


@pytest.mark.parametrize("recurse", ["maybe", "yes please", "2", ""])
def test_bad_recurse_is_400(
    proxy: ProxyClient, tokens: Tokens, scratch: tuple[str, Path], recurse: str
) -> None:
    path, backing = scratch
    (backing / "kept").mkdir()
    answer = proxy.ops(
        "DELETE", DEFAULT_DESTINATION_ID, f"{path}/kept", tokens, query={"recurse": recurse}
    )
    assert answer.status_code == 400, answer.text
    assert "recurse" in message(answer)
    assert (backing / "kept").exists()


@pytest.mark.parametrize("content", ["{not json", '{"destination": ', "[1, 2", "\x00"])
def test_malformed_json_is_400(
    proxy: ProxyClient, tokens: Tokens, scratch: tuple[str, Path], content: str
) -> None:
    path, _ = scratch
    renamed = proxy.ops("PUT", DEFAULT_DESTINATION_ID, f"{path}/a", tokens, content=content)
    assert renamed.status_code == 400, renamed.text
    submitted = proxy.call(
        "POST", f"/transfers/{DEFAULT_CLIENT_ID}", tokens=tokens, content=content
    )
    assert submitted.status_code == 400, submitted.text


def test_rename_without_destination_names_the_field(
    proxy: ProxyClient, tokens: Tokens, scratch: tuple[str, Path]
) -> None:
    path, _ = scratch
    for doc in ({}, {"dest": "/x"}):
        answer = proxy.ops("PUT", DEFAULT_DESTINATION_ID, f"{path}/a", tokens, json_body=doc)
        assert answer.status_code == 400, answer.text
        assert "destination" in message(answer)
    empty = proxy.ops("PUT", DEFAULT_DESTINATION_ID, f"{path}/a", tokens)
    assert empty.status_code == 400, empty.text
    assert "destination" in message(empty)


@pytest.mark.parametrize("destination", ["/scratch/../../etc/passwd", "../up", "a/../b", ".."])
def test_rename_destination_with_dotdot_is_400(
    proxy: ProxyClient, tokens: Tokens, scratch: tuple[str, Path], destination: str
) -> None:
    path, backing = scratch
    (backing / "src.txt").write_text("x")
    answer = proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{path}/src.txt",
        tokens,
        json_body={"destination": destination},
    )
    assert answer.status_code == 400, answer.text
    assert ".." in message(answer) or "destination" in message(answer)
    assert (backing / "src.txt").exists()


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({k: v for k, v in GOOD_TRANSFER.items() if k != "transfer_items"}, "transfer_items"),
        ({k: v for k, v in GOOD_TRANSFER.items() if k != "source_endpoint"}, "source_endpoint"),
        (
            {k: v for k, v in GOOD_TRANSFER.items() if k != "destination_endpoint"},
            "destination_endpoint",
        ),
        (
            {**GOOD_TRANSFER, "transfer_items": [{"source_path": "/a", "recursive": False}]},
            "destination_path",
        ),
        ({**GOOD_TRANSFER, "transfer_items": [{"destination_path": "/a"}]}, "source_path"),
        ({**GOOD_TRANSFER, "transfer_items": []}, "transfer_items"),
        ({**GOOD_TRANSFER, "source_endpoint": "not-a-uuid"}, "source_endpoint"),
        (
            {
                **GOOD_TRANSFER,
                "transfer_items": [
                    {"source_path": "/a", "destination_path": "/b", "recursive": "perhaps"}
                ],
            },
            "recursive",
        ),
        ({**GOOD_TRANSFER, "sync_level": {"no": 1}}, "sync_level"),
    ],
)
def test_bad_transfer_bodies_are_400_naming_the_field(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, doc: dict[str, object], field: str
) -> None:
    calls.start()
    answer = proxy.transfer(tokens, doc)
    assert answer.status_code == 400, answer.text
    assert field in message(answer)
    assert calls.total() == 0


def test_transfer_without_body_is_400(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.call("POST", f"/transfers/{DEFAULT_CLIENT_ID}", tokens=tokens)
    assert answer.status_code == 400, answer.text


def test_non_integer_limit_is_400(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, query={"limit": "lots"})
    assert answer.status_code == 400, answer.text
    assert "limit" in message(answer)


def test_ops_path_with_dotdot_is_400(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1/../../etc", tokens)
    assert answer.status_code == 400, answer.text


# --- 401 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"access_token": "only-access"},
        {"refresh_token": "only-refresh"},
        {"access_token": "", "refresh_token": ""},
    ],
)
def test_missing_tokens_are_401_saying_so(
    proxy: ProxyClient, calls: CallCounter, query: dict[str, str]
) -> None:
    calls.start()
    raw = f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/data1')}"
    answer = proxy.call("GET", raw, query=query)
    assert answer.status_code == 401, answer.text
    assert "token" in message(answer).lower()
    assert calls.total() == 0


def test_missing_tokens_on_every_token_operation(proxy: ProxyClient) -> None:
    task = str(uuid.uuid4())
    for method, raw in [
        ("GET", f"/transfers/{DEFAULT_CLIENT_ID}/{task}"),
        ("DELETE", f"/transfers/{DEFAULT_CLIENT_ID}/{task}"),
        ("GET", f"/auth/check_tokens/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}"),
        ("POST", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_DESTINATION_ID}/%2Fnew"),
        ("DELETE", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_DESTINATION_ID}/%2Fnew"),
    ]:
        answer = proxy.call(method, raw)
        assert answer.status_code == 401, (method, raw, answer.text)
    answer = proxy.call("POST", f"/transfers/{DEFAULT_CLIENT_ID}", json_body=GOOD_TRANSFER)
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize(
    "bad",
    ["caf\u00e9-token", "\U0001f511key", "two words", "line\nbreak"],
    ids=["latin1", "emoji", "space", "newline"],
)
def test_a_token_that_cannot_be_a_globus_token_is_401_before_any_call(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, bad: str
) -> None:
    """Found by fuzzing: such a token used to fail inside the HTTP client as a 500."""
    task = str(uuid.uuid4())
    calls.start()
    for method, raw in [
        ("GET", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/data1')}"),
        ("GET", f"/transfers/{DEFAULT_CLIENT_ID}/{task}"),
        ("DELETE", f"/transfers/{DEFAULT_CLIENT_ID}/{task}"),
        ("GET", f"/auth/check_tokens/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}"),
    ]:
        for query in (
            {"access_token": bad, "refresh_token": tokens.refresh_token},
            {"access_token": tokens.access_token, "refresh_token": bad},
        ):
            answer = proxy.call(method, raw, query=query)
            assert answer.status_code == 401, (method, raw, answer.text)
            assert "not a Globus token" in message(answer)
    assert calls.total() == 0


def test_a_pair_no_refresh_can_fix_is_401(proxy: ProxyClient) -> None:
    bogus = Tokens(secrets.token_urlsafe(48), secrets.token_urlsafe(48))
    proxy.known_secrets.update(bogus.secrets())
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", bogus)
    assert answer.status_code == 401, answer.text
    transfer = proxy.transfer(bogus, GOOD_TRANSFER)
    assert transfer.status_code == 401, transfer.text


def test_revoked_pair_is_401(proxy: ProxyClient, fresh_tokens: Tokens) -> None:
    proxy.emulator.emulator.tokens.revoke(fresh_tokens.refresh_token)
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 401, answer.text
    text = message(answer).lower()
    assert any(hint in text for hint in ("login", "log in", "auth/url", "new token")), text


# --- 403, 404 ------------------------------------------------------------------------------


def test_write_to_the_read_only_source_is_403(proxy: ProxyClient, tokens: Tokens) -> None:
    made = proxy.ops("POST", DEFAULT_SOURCE_ID, "/data1/new-dir", tokens)
    assert made.status_code == 403, made.text
    renamed = proxy.ops(
        "PUT",
        DEFAULT_SOURCE_ID,
        "/data1/1M.dat",
        tokens,
        json_body={"destination": "/data1/renamed.dat"},
    )
    assert renamed.status_code == 403, renamed.text
    root = proxy.emulator.emulator.world.collections[DEFAULT_SOURCE_ID].root
    assert not (root / "data1" / "new-dir").exists()
    assert (root / "data1" / "1M.dat").exists()


def test_missing_path_is_404(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/no/such/dir", tokens)
    assert answer.status_code == 404, answer.text
    # Stat-by-filter on a missing parent is a real miss, unlike a miss inside an existing dir.
    stat = proxy.ls(
        DEFAULT_SOURCE_ID,
        "/no/such",
        tokens,
        query={"limit": 1, "offset": 0, "filter": "name:=dir"},
    )
    assert stat.status_code == 404, stat.text


def test_unknown_collection_is_404(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(str(uuid.uuid4()), "/", tokens)
    assert answer.status_code == 404, answer.text


def test_unknown_task_is_404(proxy: ProxyClient, tokens: Tokens) -> None:
    task = str(uuid.uuid4())
    assert proxy.task("GET", task, tokens).status_code == 404
    assert proxy.task("DELETE", task, tokens).status_code == 404


def test_transfer_from_unknown_collection_is_404(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.transfer(tokens, {**GOOD_TRANSFER, "source_endpoint": str(uuid.uuid4())})
    assert answer.status_code == 404, answer.text


# --- 502, 504: Globus misbehaving ---------------------------------------------------------


@pytest.fixture
def faults(proxy: ProxyClient) -> Iterator[httpx.Client]:
    control = proxy.emulator.control()
    try:
        yield control
    finally:
        control.delete("/_emulator/faults")
        control.close()


def test_upstream_500s_after_retries_are_502(
    proxy: ProxyClient, tokens: Tokens, faults: httpx.Client
) -> None:
    faults.post("/_emulator/faults", json={"match": "/ls", "status": 500, "times": 1000})
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert answer.status_code == 502, answer.text


def test_unexpected_upstream_error_is_502(
    proxy: ProxyClient, tokens: Tokens, faults: httpx.Client
) -> None:
    faults.post(
        "/_emulator/faults",
        json={
            "match": "/ls",
            "status": 418,
            "times": 1,
            "body": {
                "code": "TeapotError",
                "message": "I am a teapot",
                "request_id": "t",
                "resource": "/ls",
            },
        },
    )
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert answer.status_code == 502, answer.text


def test_slow_globus_is_504_before_the_java_client_gives_up(
    proxy: ProxyClient, tokens: Tokens, faults: httpx.Client
) -> None:
    faults.post("/_emulator/faults", json={"match": "/ls", "delay_seconds": 12, "times": 1})
    started = time.monotonic()
    try:
        answer = proxy.http.get(
            httpx.URL(
                proxy.url(
                    f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/data1')}",
                    tokens.query(),
                )
            ),
            headers=JAVA_HEADERS,
            timeout=JAVA_CLIENT_TIMEOUT_SECONDS,
        )
    except httpx.TimeoutException:
        pytest.fail(f"no answer within the Java client's {JAVA_CLIENT_TIMEOUT_SECONDS}s")
    proxy.check_answer(answer)
    assert answer.status_code == 504, answer.text
    assert time.monotonic() - started < JAVA_CLIENT_TIMEOUT_SECONDS
    text = message(answer).lower()
    assert "globus" in text and ("time" in text or "answer" in text), text
