"""The README's error table, each row provoked over HTTP.

Every answer also passes `ProxyClient.check_answer`: an envelope with `status: "error"`, a
message, no redirect, no 500, no traceback and no token or login secret in the body.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid

import httpx
import pytest

from globus_emulator.server import ServerThread
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from globus_proxy.app import create_app
from globus_proxy.gateway.runner import OUTER_GRACE_SECONDS
from tests.proxy.support import (
    CallCounter,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
    encoded_segment,
    proxy_settings,
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
    """An id with an encoded `/` decodes into several segments, which no route matches: a 404
    that keeps it away from other Globus routes."""
    calls.start()
    answer = proxy.call("GET", raw, tokens=tokens)
    assert answer.status_code == 404, answer.text
    assert message(answer).startswith("No such route"), message(answer)
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


@pytest.mark.parametrize("recurse", ["maybe", "yes", "yes please", "2", "", "falsey"])
def test_bad_recurse_is_400(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch, recurse: str
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
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch, content: str
) -> None:
    path, _ = scratch
    renamed = proxy.ops("PUT", DEFAULT_DESTINATION_ID, f"{path}/a", tokens, content=content)
    assert renamed.status_code == 400, renamed.text
    assert message(renamed) == "Invalid request: the body is not valid JSON."
    submitted = proxy.call(
        "POST", f"/transfers/{DEFAULT_CLIENT_ID}", tokens=tokens, content=content
    )
    assert submitted.status_code == 400, submitted.text
    assert message(submitted) == "Invalid request: the body is not valid JSON."


def test_rename_without_destination_names_the_field(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
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
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch, destination: str
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
    assert "destination: '..' segments are not allowed" in message(answer)
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


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"limit": "lots"}, "limit (query): must be an integer"),
        ({"limit": "0"}, "limit (query): must be at least 1"),
        ({"offset": "-1"}, "offset (query): must be at least 0"),
        ({"offset": "1.5"}, "offset (query): must be an integer"),
    ],
)
def test_bad_paging_is_400_naming_the_field(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, query: dict[str, str], problem: str
) -> None:
    calls.start()
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, query=query)
    assert answer.status_code == 400, answer.text
    assert message(answer) == f"Invalid request: {problem}."
    assert calls.total() == 0


def test_ops_path_with_dotdot_is_400(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1/../../etc", tokens)
    assert answer.status_code == 400, answer.text
    assert message(answer) == "Invalid request: path: '..' segments are not allowed."


def test_mkdir_of_a_name_no_file_system_takes_is_400(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter
) -> None:
    calls.start()
    answer = proxy.ops("POST", DEFAULT_DESTINATION_ID, "/~/" + "é" * 200, tokens)
    assert answer.status_code == 400, answer.text
    assert message(answer) == (
        "Invalid request: path: a file or directory name is longer than 255 bytes (UTF-8), "
        "which no file system takes."
    )
    assert calls.total() == 0


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


def test_revoked_pair_is_401_saying_log_in_again(
    proxy: ProxyClient, fresh_tokens: Tokens, globus: EmulatedGlobus
) -> None:
    globus.revoke(fresh_tokens.refresh_token)
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 401, answer.text
    assert message(answer).startswith("Globus Auth rejected the refresh token"), message(answer)
    assert "Log in again: GET auth/url/" in message(answer)


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
    root = proxy.globus.root(DEFAULT_SOURCE_ID)
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


def test_unexpected_upstream_error_is_502(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    faults.fault(
        match="/ls",
        status=418,
        times=1,
        body={
            "code": "TeapotError",
            "message": "I am a teapot",
            "request_id": "t",
            "resource": "/ls",
        },
    )
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert answer.status_code == 502, answer.text
    assert message(answer) == (
        "Globus failed to carry out the request: I am a teapot (Globus TeapotError, HTTP 418). "
        "Try again shortly; if it persists, check https://status.globus.org."
    )


IMPATIENT_DEADLINE_SECONDS = 0.5


def test_slow_globus_is_504_at_the_deadline(
    proxy_factory: ProxyFactory, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    """Globus never answers in time: a 504 when the deadline passes, not when the caller's
    HTTP client gives up (retries stop at the deadline too)."""
    impatient = proxy_factory.start(globus_timeout_seconds=IMPATIENT_DEADLINE_SECONDS)
    # Longer than the deadline and its grace, short enough not to hold the emulator's shutdown.
    faults.fault(match="/ls", delay_seconds=2, times=1)
    started = time.monotonic()
    answer = impatient.ls(DEFAULT_SOURCE_ID, "/data1", tokens, timeout=5)
    took = time.monotonic() - started
    assert answer.status_code == 504, answer.text
    assert message(answer).startswith("Globus did not answer within 0.5 s (retries included)")
    assert IMPATIENT_DEADLINE_SECONDS <= took < IMPATIENT_DEADLINE_SECONDS + OUTER_GRACE_SECONDS + 1


# --- 500: a bug in the proxy --------------------------------------------------------------


def test_unexpected_errors_are_a_500_envelope_without_details(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "-".join(("secret", "value"))  # a runtime value, as a token would be

    async def broken() -> None:
        raise RuntimeError(f"failed with {secret}")

    app = create_app(proxy_settings())
    app.add_api_route("/boom", broken)
    with caplog.at_level(logging.ERROR, "globus_proxy"), ServerThread(app) as server:
        answer = httpx.get(f"{server.url}/boom", timeout=10)
    assert answer.status_code == 500
    assert answer.json() == {
        "status": "error",
        "message": "Internal error in the proxy; it has been logged. Try again, and report it "
        "if it persists.",
        "result": {},
        "version": "dev",
        "metadata": {"request_id": answer.headers["x-request-id"]},
    }
    assert all(secret not in r.getMessage() for r in caplog.records)
    logged = [r for r in caplog.records if "unexpected RuntimeError" in r.getMessage()]
    assert [getattr(r, "request_id", None) for r in logged] == [answer.headers["x-request-id"]]
