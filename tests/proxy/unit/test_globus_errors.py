"""Where a Globus error becomes an HTTP answer: the table, scrubbing, login requirements (and
the login URL they ask for), Retry-After, time and reach. The rows are provoked over HTTP in
tests/proxy/test_error_table.py."""

from __future__ import annotations

import json
from typing import Any

import globus_sdk
import pytest
import requests

from globus_proxy.errors import globus as globus_errors
from globus_proxy.errors import login as login_errors
from globus_proxy.gateway.login import session_parameters
from globus_proxy.token_cache import RefreshRejected

CONSENT_LOGIN = {"url": "https://auth.example/authorize?x=1", "session_id": "sealed"}
COLLECTION = "c0ffee00-1111-4222-8333-444455556666"
DATA_ACCESS = (
    "urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{COLLECTION}/data_access]"
)
# Real documents (globus-cli's and globus-sdk-javascript's test fixtures).
LOGIN_FAILED = {
    "code": "ExternalError.DirListingFailed.LoginFailed",
    "message": "Command Failed: Error (login)\nServer: m-d3a2c3.0ed2.data.globus.org:443\n"
    "Message: Login Failed\n---\nDetails: 530-Login incorrect. : GlobusError: v=1 c=LOGIN_DENIED",
    "request_id": "r",
    "resource": "/operation/endpoint/x/ls",
    "authorization_parameters": {
        "session_message": "Session reauthentication required (Globus Transfer)",
        "session_required_identities": [],
        "session_required_mfa": False,
        "session_required_single_domain": ["globus.org"],
    },
}
AUTH_POLICY_FAILED = {
    "code": "AuthPolicyFailed",
    "message": "Failing collection authentication policy",
    "request_id": "r",
    "resource": "/operation/endpoint/x/ls",
    "authorization_parameters": {
        "session_message": "Failing collection authentication policy",
        "session_required_policies": "p1,p2",
    },
}


def api_error(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> globus_sdk.TransferAPIError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.headers.update(headers or {})
    response.request = requests.Request("GET", "https://transfer.api.globus.org/x").prepare()
    return globus_sdk.TransferAPIError(response)


def translate(err: globus_errors.CallFailure, out_of_time: bool = False) -> Any:
    return globus_errors.translate(
        err, secrets=("SECRET123",), out_of_time=out_of_time, deadline_seconds=8.0
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
        ("ClientError.AuthenticationFailed", 401, 401),
        ("ServiceUnavailable", 503, 503),
        (None, 503, 503),
        (None, 429, 429),
        ("ExternalError.DirListingFailed.GCDisconnected", 502, 503),
        ("ExternalError.DirListingFailed.LoginFailed", 502, 403),
        ("ExternalError.DirListingFailed.ConnectFailed", 502, 502),
        ("ExternalError.MkdirFailed.QuotaExceeded", 502, 507),
        ("EndpointError", 502, 502),
        ("OperationPaused", 409, 409),
        ("Conflict", 409, 409),
        ("NotSupported", 400, 400),
        ("EndpointDeleted", 404, 404),
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


def test_the_same_status_from_two_rows_says_different_things() -> None:
    exists = globus_errors.rule_for("ExternalError.MkdirFailed.Exists", 502)
    conflict = globus_errors.rule_for("ClientError.Conflict", 409)
    paused = globus_errors.rule_for("OperationPaused", 409)
    assert exists.status == conflict.status == paused.status == 409
    assert len({exists.what, conflict.what, paused.what}) == 3


def required(body: dict[str, Any], status: int = 403) -> Any:
    needed = translate(api_error(status, body))
    assert isinstance(needed, login_errors.LoginRequired)
    return needed.requirement


def test_consent_requirement_is_a_407_with_a_ready_login() -> None:
    requirement = required(
        {
            "code": "ConsentRequired",
            "message": "Missing required data_access consent",
            "request_id": "r",
            "resource": "/ls",
            "required_scopes": [DATA_ACCESS],
            "authorization_parameters": {
                "session_message": "Missing required data_access consent",
                "required_scopes": [DATA_ACCESS],
            },
        }
    )
    answer = login_errors.login_required(requirement, CONSENT_LOGIN, DATA_ACCESS, ())
    assert answer.status == 407
    assert answer.result is not None
    assert answer.result["names"] == [COLLECTION]
    assert answer.result["required_scopes"] == [DATA_ACCESS]
    assert {k: answer.result[k] for k in CONSENT_LOGIN} == CONSENT_LOGIN
    assert answer.message.startswith(
        f"Globus needs the user's consent before collection {COLLECTION}"
    )
    assert f"login: {CONSENT_LOGIN['url']} then exchange" in answer.message
    assert "/v3/systems/credential/{systemId}/user/{userName}/globus/tokens/" in answer.message
    assert session_parameters(requirement.authorization_parameters) == {
        "session_message": "Missing required data_access consent"
    }


def test_a_session_requirement_is_a_407_asking_for_that_session() -> None:
    requirement = required(LOGIN_FAILED, 502)
    answer = login_errors.login_required(
        requirement, CONSENT_LOGIN, "openid", (COLLECTION,), ("reauthentication",)
    )
    assert answer.status == 407
    assert answer.result is not None
    assert answer.result["names"] == [COLLECTION]
    assert answer.result["globus_code"] == "ExternalError.DirListingFailed.LoginFailed"
    assert answer.result["session_required_single_domain"] == ["globus.org"]
    assert answer.result["session_required_mfa"] is None
    assert answer.message.startswith(
        f"Globus needs the user to log in again to use collection {COLLECTION}: log in with an "
        "identity from globus.org (Session REDACTED required (Globus Transfer))."
    )
    assert session_parameters(requirement.authorization_parameters) == {
        "session_required_single_domain": ["globus.org"],
        "session_message": "Session reauthentication required (Globus Transfer)",
        "prompt": "login",
    }


def test_policies_and_mfa_reach_the_login_url() -> None:
    policies = required(AUTH_POLICY_FAILED).authorization_parameters
    assert session_parameters(policies)["session_required_policies"] == ["p1", "p2"]
    mfa = required(
        {**AUTH_POLICY_FAILED, "authorization_parameters": {"session_required_mfa": True}}
    ).authorization_parameters
    assert session_parameters(mfa) == {"session_required_mfa": True, "prompt": "login"}


def test_login_failed_without_parameters_is_a_403() -> None:
    bare = {k: v for k, v in LOGIN_FAILED.items() if k != "authorization_parameters"}
    answer = translate(api_error(502, bare))
    assert answer.status == 403
    assert answer.message.startswith("The collection refused this identity's login")


@pytest.mark.parametrize(("status", "code"), [(429, "RateLimited"), (503, "ServiceUnavailable")])
def test_retry_after_is_passed_on(status: int, code: str) -> None:
    err = api_error(status, {"code": code, "message": "later"}, {"Retry-After": "120"})
    answer = translate(err)
    assert answer.status == status
    assert answer.headers == {"Retry-After": "120"}
    assert answer.message.endswith("Globus asks to wait 120 s.")
    odd = api_error(status, {"code": code, "message": "later"}, {"Retry-After": "soon\r\nX: y"})
    assert translate(odd).headers is None


def test_a_globus_answer_is_never_a_504_even_out_of_time() -> None:
    err = api_error(503, {"code": "ServiceUnavailable", "message": "busy"})
    assert translate(err, out_of_time=True).status == 503


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
