"""Where a Globus error becomes an HTTP answer: the table, scrubbing, consent, time and reach."""

from __future__ import annotations

import json
from typing import Any

import globus_sdk
import pytest
import requests

from globus_proxy.errors import globus as globus_errors
from globus_proxy.token_cache import RefreshRejected

CONSENT_LOGIN = {"url": "https://auth.example/authorize?x=1", "session_id": "sealed"}


def api_error(status: int, body: dict[str, Any]) -> globus_sdk.TransferAPIError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", "https://transfer.api.globus.org/x").prepare()
    return globus_sdk.TransferAPIError(response)


def translate(err: globus_errors.CallFailure, out_of_time: bool = False) -> Any:
    return globus_errors.translate(
        err,
        secrets=("SECRET123",),
        out_of_time=out_of_time,
        deadline_seconds=8.0,
        start_consent=lambda scopes: CONSENT_LOGIN,
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
        ("invalid_client", 401, 404),
        ("ServiceUnavailable", 503, 502),
        (None, 500, 502),
        (None, 409, 409),
    ],
)
def test_error_table(code: str | None, http_status: int, expected: int) -> None:
    assert globus_errors.rule_for(code, http_status).status == expected


def test_globus_message_is_quoted_without_tokens() -> None:
    err = api_error(
        404,
        {
            "code": "ClientError.NotFound",
            "message": "token SECRET123 path not found",
            "request_id": "r",
            "resource": "/x",
        },
    )
    answer = translate(err)
    assert answer.status == 404
    assert answer.message == (
        "Not found: token REDACTED path not found (Globus ClientError.NotFound, HTTP 404). "
        "Check the collection id, the task id and the path (list the parent directory to see "
        "what exists)."
    )


def test_oauth_error_field_is_read_when_the_code_says_nothing() -> None:
    err = api_error(400, {"error": "invalid_grant", "error_description": "used"})
    answer = translate(err)
    assert answer.status == 400
    assert answer.message.startswith("Globus Auth rejected the authorization code")


def test_consent_requirement_is_407_with_a_ready_login() -> None:
    scope = "urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/c/data_access]"
    err = api_error(
        403,
        {
            "code": "ConsentRequired",
            "message": "Missing required data_access consent",
            "request_id": "r",
            "resource": "/ls",
            "authorization_parameters": {"required_scopes": [scope]},
        },
    )
    answer = translate(err)
    assert answer.status == 407
    assert answer.result == {"scopes": scope, "required_scopes": [scope], **CONSENT_LOGIN}
    assert f"login: {CONSENT_LOGIN['url']} then exchange" in answer.message


def test_a_globus_answer_is_never_a_504_even_out_of_time() -> None:
    err = api_error(503, {"code": "ServiceUnavailable", "message": "busy"})
    assert translate(err, out_of_time=True).status == 502


def test_refused_refresh_token_is_401_saying_log_in_again() -> None:
    answer = translate(RefreshRejected())
    assert answer.status == 401
    assert "Log in again" in answer.message


def test_no_time_left_is_504() -> None:
    timeout = globus_sdk.GlobusTimeoutError("timed out", requests.Timeout())
    assert translate(timeout).message == (
        "Globus did not answer within 8 s (retries included). "
        "Try again shortly; if it persists, check https://status.globus.org."
    )
    cut = globus_sdk.NetworkError("cut", requests.exceptions.ChunkedEncodingError())
    assert translate(cut, out_of_time=True).status == 504


def test_globus_out_of_reach_is_502_naming_the_reason_even_out_of_time() -> None:
    refused = globus_sdk.GlobusConnectionError("refused", requests.ConnectionError())
    for out_of_time in (False, True):
        answer = translate(refused, out_of_time=out_of_time)
        assert answer.status == 502
        assert answer.message.startswith("Could not reach Globus (ConnectionError).")
    errno = ConnectionRefusedError(111, "Connection refused")
    refused = globus_sdk.GlobusConnectionError("refused", requests.ConnectionError(errno))
    assert translate(refused).message.startswith("Could not reach Globus (Connection refused).")
