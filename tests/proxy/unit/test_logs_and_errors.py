"""No token in any log line; the error table; the envelope on every answer."""

from __future__ import annotations

import logging

import globus_sdk
import pytest
import requests

from globus_emulator.login import headless_login
from globus_proxy.access_log import redact_path, redact_query
from globus_proxy.errors import from_globus, rule_for
from tests.proxy.unit.conftest import CLIENT, DATA, Globus, start_proxy

WATCHED = ("globus_proxy", "globus_sdk", "uvicorn", "urllib3", "requests")


def test_no_secret_reaches_any_log(globus: Globus, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = []
    for proxy in start_proxy(log_level="DEBUG"):
        started = proxy.http.get(f"/auth/url/{CLIENT}").json()["result"]
        code = headless_login(started["url"])
        pair = proxy.http.get(f"/auth/tokens/{CLIENT}/{started['session_id']}/{code}").json()[
            "result"
        ]
        secrets += [started["session_id"], code, pair["access_token"], pair["refresh_token"]]
        globus.expire_all_access_tokens()
        listed = proxy.http.get(f"/ops/{CLIENT}/{DATA}/~", params=pair)
        secrets.append(listed.json()["metadata"]["access_token"])
        proxy.http.get(f"/ops/{CLIENT}/{DATA}/nope", params=pair)
        proxy.http.get(f"/auth/tokens/{CLIENT}/{started['session_id']}/{code}")  # reused: 400
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(WATCHED)]
    assert any("REDACTED" in line for line in lines)
    for line in lines:
        for secret in secrets:
            assert secret not in line, line


def test_access_log_redaction() -> None:
    assert redact_query(b"access_token=a&refresh_token=b&limit=5") == (
        "access_token=REDACTED&refresh_token=REDACTED&limit=5"
    )
    assert redact_path("/v3/globus-proxy/auth/tokens/c/sess/code") == (
        "/v3/globus-proxy/auth/tokens/c/REDACTED/REDACTED"
    )
    assert redact_path("/v3/globus-proxy/ops/c/e/p") == "/v3/globus-proxy/ops/c/e/p"
    # A mistyped path still has its secrets masked, although it will only get a 404.
    assert redact_path("/v3/globus-proxy//auth/tokens/c/sess/code") == (
        "/v3/globus-proxy//auth/tokens/c/REDACTED/REDACTED"
    )


@pytest.mark.parametrize(
    ("code", "http_status", "expected"),
    [
        ("ClientError.NotFound", 404, 404),
        ("EndpointNotFound", 404, 404),
        ("ExternalError.MkdirFailed.Exists", 502, 409),
        ("ExternalError.MkdirFailed.PermissionDenied", 502, 403),
        ("PermissionDenied", 403, 403),
        ("AuthenticationFailed", 401, 401),
        ("ClientError.BadRequest", 400, 400),
        ("INVALID_GRANT", 400, 400),
        ("ServiceUnavailable", 503, 502),
        (None, 500, 502),
        (None, 409, 409),
    ],
)
def test_error_table(code: str | None, http_status: int, expected: int) -> None:
    assert rule_for(code, http_status).status == expected


def _api_error(status: int, body: dict) -> globus_sdk.TransferAPIError:
    response = requests.Response()
    response.status_code = status
    response._content = __import__("json").dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", "https://transfer.api.globus.org/x").prepare()
    return globus_sdk.TransferAPIError(response)


def test_globus_message_is_quoted_without_tokens() -> None:
    err = _api_error(
        404,
        {
            "code": "ClientError.NotFound",
            "message": "token SECRET123 path not found",
            "request_id": "r",
            "resource": "/x",
        },
    )
    answer = from_globus(err, ("SECRET123",))
    assert answer.status == 404
    assert "SECRET123" not in answer.message
    assert "path not found" in answer.message
    assert "ClientError.NotFound" in answer.message


def test_every_answer_is_an_envelope(globus: Globus) -> None:
    for proxy in start_proxy(version="9.9"):
        for method, path in [
            ("GET", "/healthcheck"),
            ("GET", "/hello"),
            ("GET", "/ready"),
            ("GET", "/nowhere"),
            ("DELETE", "/healthcheck"),
            ("GET", f"/ops/{CLIENT}/{DATA}/~"),
        ]:
            answer = proxy.http.request(method, path)
            body = answer.json()
            assert set(body) == {"status", "message", "result", "version", "metadata"}, path
            assert body["version"] == "9.9"
            assert isinstance(body["result"], dict)
        docs = proxy.http.get("/openapi.json").json()
        ids = {op["operationId"] for item in docs["paths"].values() for op in item.values()}
        assert {
            "healthCheck",
            "getAuthInfo",
            "getTokens",
            "checkTokens",
            "listFiles",
            "makeDir",
            "renamePath",
            "deletePath",
            "createTransferTask",
            "getTransferTask",
            "cancelTransferTask",
        } <= ids
        assert proxy.http.get("/docs").status_code == 200
        statuses = {
            status
            for item in docs["paths"].values()
            for op in item.values()
            for status in op["responses"]
        }
        assert "422" not in statuses and "400" in statuses


def test_unexpected_errors_are_a_500_envelope_without_details(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import httpx

    from globus_emulator.server import ServerThread
    from globus_proxy.app import create_app
    from globus_proxy.settings import Settings

    secret = "-".join(("secret", "value"))  # a runtime value, as a token would be

    async def broken() -> None:
        raise RuntimeError(f"failed with {secret}")

    app = create_app(Settings())
    app.add_api_route("/boom", broken)
    with ServerThread(app) as server:
        answer = httpx.get(f"{server.url}/boom", timeout=10)
    assert answer.status_code == 500
    assert answer.json()["status"] == "error"
    assert "secret-value" not in answer.text
    assert all("secret-value" not in r.getMessage() for r in caplog.records)
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)
