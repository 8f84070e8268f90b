"""Every row of the Globus error table, provoked over HTTP: the emulator answers the call with
the error document Globus sends (fault injection), the proxy answers the row's status and
words. The table is src/globus_proxy/errors/globus.py; the README lists it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import PROXY_DEADLINE_SECONDS, EmulatedGlobus, ProxyClient, Tokens

TRANSFER = {
    "source_endpoint": DEFAULT_SOURCE_ID,
    "destination_endpoint": DEFAULT_DESTINATION_ID,
    "transfer_items": [
        {"source_path": "/data1/1M.dat", "destination_path": "/x/1M.dat", "recursive": False}
    ],
}


@dataclass(frozen=True)
class Row:
    """Globus answers `match` calls with `code` and `globus_status`; the proxy, `status`."""

    code: str
    globus_status: int
    status: int
    starts: str
    match: str = "/ls"
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


ROWS = [
    Row(
        "ExternalError.DirListingFailed.GCDisconnected",
        502,
        503,
        "The collection is a Globus Connect Personal endpoint that is not connected to Globus",
    ),
    Row(
        "ExternalError.DirListingFailed.LoginFailed",
        502,
        403,
        "The collection refused this identity's login",
    ),
    Row(
        "ExternalError.DirListingFailed.ConnectFailed",
        502,
        502,
        "Globus could not connect to the collection's server",
    ),
    Row("EndpointError", 502, 502, "The collection reported an error"),
    Row("ExternalError", 502, 502, "The collection reported an error"),
    Row(
        "ExternalError.MkdirFailed.QuotaExceeded",
        502,
        507,
        "The collection is out of space, or over the user's quota",
        match="/mkdir",
    ),
    Row(
        "ServiceUnavailable",
        503,
        503,
        "Globus is unavailable (maintenance or overload)",
        headers={"Retry-After": "120"},
    ),
    Row(
        "RateLimited",
        429,
        429,
        "Globus is limiting the rate of this service's requests",
        headers={"Retry-After": "90"},
    ),
    Row(
        "ClientError.Conflict",
        409,
        409,
        "Globus refused the request as conflicting",
        match="/transfer",
    ),
    Row("ExternalError.MkdirFailed.Exists", 502, 409, "The path already exists", match="/mkdir"),
    Row(
        "OperationPaused",
        409,
        409,
        "The collection's administrator has paused operations on it",
        match="/mkdir",
    ),
    Row("NotSupported", 400, 400, "The collection is of a kind Globus no longer supports"),
    Row("EndpointDeleted", 404, 404, "The collection has been deleted"),
    Row("ClientError.NotFound", 404, 404, "Not found"),
    Row("PermissionDenied", 403, 403, "Globus denied permission"),
    Row("ClientError.BadRequest", 400, 400, "Globus rejected the request as invalid"),
    # Twice: once for the token, once for the token refreshed because of it.
    Row(
        "ClientError.AuthenticationFailed",
        401,
        401,
        "Globus rejected the access token, even after refreshing it",
        times=2,
    ),
]


def provoke(proxy: ProxyClient, tokens: Tokens, match: str) -> httpx.Response:
    if match == "/transfer":
        return proxy.transfer(tokens, TRANSFER)
    if match == "/mkdir":
        return proxy.ops("POST", DEFAULT_DESTINATION_ID, "/error-table/new", tokens)
    return proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)


@pytest.mark.parametrize("row", ROWS, ids=[r.code for r in ROWS])
def test_each_globus_error_has_its_status(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus, row: Row
) -> None:
    body: dict[str, Any] = {
        "code": row.code,
        "message": f"Globus says {row.code}",
        "request_id": "GFMQzaP0u",
        "resource": row.match,
    }
    faults.fault(
        match=row.match, status=row.globus_status, body=body, headers=row.headers, times=row.times
    )
    started = time.monotonic()
    answer = provoke(proxy, tokens, row.match)
    took = time.monotonic() - started
    assert answer.status_code == row.status, answer.text
    said = answer.json()["message"]
    assert said.startswith(row.starts), said
    origin = f"(Globus {row.code}, HTTP {row.globus_status})"
    assert f"Globus says {row.code} {origin}" in said
    for name, value in row.headers.items():
        assert answer.headers[name] == value
        assert said.endswith(f"Globus asks to wait {value} s.")
    assert took < PROXY_DEADLINE_SECONDS, "a long Retry-After is passed on, not slept out"


@pytest.mark.parametrize("status", [401, 407])
def test_login_answers_name_the_proxy_and_tapis_systems_routes(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus, status: int
) -> None:
    if status == 401:
        answer = proxy.call(
            "GET", f"/ops/{'0' * 8}-0000-4000-8000-{'0' * 12}/{DEFAULT_SOURCE_ID}/x"
        )
    else:
        faults.fault(
            match="/ls",
            status=502,
            body={
                "code": "ExternalError.DirListingFailed.LoginFailed",
                "message": "Login Failed",
                "request_id": "r",
                "resource": "/ls",
                "authorization_parameters": {"session_required_mfa": True},
            },
        )
        answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert answer.status_code == status, answer.text
    said = answer.json()["message"]
    assert "auth/tokens/{client_id}/{session_id}/{auth_code}" in said
    assert "/v3/systems/credential/{systemId}/user/{userName}/globus/tokens/" in said


def test_a_short_retry_after_is_waited_for_and_retried(
    proxy: ProxyClient, tokens: Tokens, faults: EmulatedGlobus
) -> None:
    faults.fault(
        match="/ls",
        status=429,
        body={"code": "RateLimited", "message": "slow down", "request_id": "r", "resource": "/ls"},
        headers={"Retry-After": "0"},
    )
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert answer.status_code == 200, answer.text
