"""Globus calls per operation with a fresh pair, counted at the emulator (issue 4 item 1)."""

from __future__ import annotations

from pathlib import Path

from globus_emulator.login import headless_login
from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.conftest import CallCounter, ProxyClient, Tokens


def transfer_body(source: str, destination: str) -> dict[str, object]:
    return {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": [
            {"source_path": source, "destination_path": destination, "recursive": False}
        ],
    }


def test_file_operations_cost_one_call_each(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, scratch: tuple[str, Path]
) -> None:
    path, backing = scratch
    (backing / "r.txt").write_text("x")

    calls.start()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens).status_code == 200
    assert calls.total() == 1, ("listFiles", calls.by_route())

    calls.start()
    stat = proxy.ls(
        DEFAULT_SOURCE_ID,
        "/data1",
        tokens,
        query={"limit": 1, "offset": 0, "filter": "name:=1M.dat"},
    )
    assert stat.status_code == 200
    assert calls.total() == 1, ("listFiles stat-by-filter", calls.by_route())

    calls.start()
    assert proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{path}/d", tokens).status_code == 200
    assert calls.total() == 1, ("makeDir", calls.by_route())

    calls.start()
    renamed = proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{path}/r.txt",
        tokens,
        json_body={"destination": f"{path}/s.txt"},
    )
    assert renamed.status_code == 200
    assert calls.total() == 1, ("renamePath", calls.by_route())

    calls.start()
    deleted = proxy.ops(
        "DELETE", DEFAULT_DESTINATION_ID, f"{path}/s.txt", tokens, query={"recurse": "true"}
    )
    assert deleted.status_code == 200
    assert calls.total() == 2, ("deletePath", calls.by_route())


def test_listing_a_file_costs_at_most_one_extra_call(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter
) -> None:
    calls.start()
    assert proxy.ls(DEFAULT_SOURCE_ID, "/data1/1M.dat", tokens).status_code == 200
    assert calls.total() <= 2, calls.by_route()


def test_transfer_operations_call_counts(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, scratch: tuple[str, Path]
) -> None:
    path, _ = scratch
    calls.start()
    submitted = proxy.transfer(tokens, transfer_body("/data1/1M.dat", f"{path}/c.dat"))
    assert submitted.status_code == 200, submitted.text
    assert calls.total() == 2, ("createTransferTask", calls.by_route())
    task_id = submitted.json()["result"]["task_id"]

    calls.start()
    assert proxy.task("GET", task_id, tokens).status_code == 200
    assert calls.total() == 1, ("getTransferTask", calls.by_route())

    calls.start()
    assert proxy.task("DELETE", task_id, tokens).status_code == 200
    assert calls.total() == 1, ("cancelTransferTask", calls.by_route())


def test_login_call_counts(proxy: ProxyClient, calls: CallCounter) -> None:
    calls.start()
    started = proxy.auth_url()
    assert started.status_code == 200
    assert calls.total() == 0, ("getAuthInfo needs no Globus call", calls.by_route())
    result = started.json()["result"]
    code = headless_login(result["url"])
    proxy.known_secrets.update({code, result["session_id"]})

    calls.start()
    exchanged = proxy.exchange(result["session_id"], code)
    assert exchanged.status_code == 200, exchanged.text
    assert calls.total() == 1, ("getTokens", calls.by_route())
    pair = exchanged.json()["result"]
    proxy.known_secrets.update(pair.values())

    calls.start()
    checked = proxy.check_tokens(
        DEFAULT_SOURCE_ID, Tokens(pair["access_token"], pair["refresh_token"])
    )
    assert checked.status_code == 200, checked.text
    assert calls.total() <= 2, ("checkTokens", calls.by_route())


def test_no_endpoint_lookups_or_autoactivation(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, scratch: tuple[str, Path]
) -> None:
    """The old service's extra calls: get_endpoint, autoactivate, pre-listing destinations."""
    path, _ = scratch
    calls.start()
    proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    proxy.transfer(tokens, transfer_body("/data1/tree/README.txt", f"{path}/new/R.txt"))
    routes = calls.by_route()
    assert not [r for r in routes if "autoactivate" in r], routes
    assert not [r for r in routes if r.startswith("GET /v0.10/endpoint/") and "/ls" not in r], (
        routes
    )
    assert sum(n for r, n in routes.items() if r.endswith("/ls")) == 1, routes
