"""Globus Auth refusals in the emulator: token-endpoint errors as Globus words them, and
authorize requests that get an HTML error page instead of a login page."""

from __future__ import annotations

import time
import uuid
from typing import Any

import globus_sdk
import httpx
import pytest

from globus_emulator.login import headless_login
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_SOURCE_ID
from tests.support.auth import data_access
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import issue_token

# --- token endpoint errors ---------------------------------------------------------------


def assert_auth_error(
    caught: pytest.ExceptionInfo[globus_sdk.AuthAPIError], status: int, error: str
) -> None:
    err = caught.value
    assert err.http_status == status
    assert err.code == error.upper()
    assert err.raw_json is not None
    assert err.raw_json["error"] == error
    assert isinstance(err.raw_json["error_description"], str)
    assert err.errors[0].get("status") == str(status)
    assert err.request_id  # the error id, as globus-sdk reads it


def test_unknown_client_is_invalid_client(globus_env: RunningEmulator) -> None:
    stranger = globus_sdk.NativeAppAuthClient(str(uuid.uuid4()))
    stranger.oauth2_start_flow(TRANSFER_SCOPE)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        stranger.oauth2_exchange_code_for_tokens("some-code")
    assert_auth_error(caught, 401, "invalid_client")
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        stranger.oauth2_refresh_token("some-refresh-token")
    assert_auth_error(caught, 401, "invalid_client")


def test_wrong_verifier_is_invalid_grant(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    flow = client.oauth2_start_flow(TRANSFER_SCOPE)
    code = headless_login(client.oauth2_get_authorize_url())
    flow.verifier = "x" * 50

    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens(code)

    assert_auth_error(caught, 400, "invalid_grant")
    assert "code_verifier" in (caught.value.message or "")


def test_a_code_is_single_use(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    code = headless_login(client.oauth2_get_authorize_url())
    client.oauth2_exchange_code_for_tokens(code)

    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens(code)

    assert_auth_error(caught, 400, "invalid_grant")
    assert "already been used" in (caught.value.message or "")


def test_an_unknown_code_is_invalid_grant(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens("made-up-code")
    assert_auth_error(caught, 400, "invalid_grant")


def test_a_code_expires(globus_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    code = headless_login(client.oauth2_get_authorize_url())
    codes = globus_env.emulator.codes
    monkeypatch.setattr(codes, "clock", lambda: time.time() + codes.ttl_seconds + 1)

    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens(code)

    assert_auth_error(caught, 400, "invalid_grant")
    assert "expired" in (caught.value.message or "")


def test_a_code_is_bound_to_its_redirect_uri(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    flow = client.oauth2_start_flow(TRANSFER_SCOPE)
    code = headless_login(client.oauth2_get_authorize_url())
    flow.redirect_uri = "http://localhost:9999/elsewhere"
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens(code)
    assert_auth_error(caught, 400, "invalid_grant")


def test_a_bad_refresh_token_is_invalid_grant(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_refresh_token("not-a-refresh-token")
    assert_auth_error(caught, 400, "invalid_grant")


def post_token(emulator: RunningEmulator, **kwargs: Any) -> httpx.Response:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        return http.post("/v2/oauth2/token", **kwargs)


def test_unsupported_grant_type(emulator: RunningEmulator) -> None:
    answer = post_token(emulator, data={"grant_type": "password", "client_id": DEFAULT_CLIENT_ID})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"
    assert answer.json()["errors"][0]["code"] == "UNSUPPORTED_GRANT_TYPE"


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"content": b"\xff\xfe{not a form"}, 400, "invalid_request"),
        (
            {"json": {"grant_type": "authorization_code", "client_id": DEFAULT_CLIENT_ID}},
            400,
            "invalid_request",
        ),
        # An empty form is a form without client_id: no client is identified.
        (
            {"content": b"", "headers": {"content-type": "application/x-www-form-urlencoded"}},
            401,
            "invalid_client",
        ),
        (
            {
                "content": b"--x\r\nbroken",
                "headers": {"content-type": "multipart/form-data; boundary=x"},
            },
            400,
            "invalid_request",
        ),
    ],
    ids=["garbage", "json", "empty", "broken-multipart"],
)
def test_malformed_bodies_are_refused(
    emulator: RunningEmulator, kwargs: dict[str, Any], status: int, error: str
) -> None:
    answer = post_token(emulator, **kwargs)
    assert answer.status_code == status
    assert answer.json()["error"] == error


def test_missing_fields_are_invalid_request(emulator: RunningEmulator) -> None:
    answer = post_token(
        emulator, data={"grant_type": "authorization_code", "client_id": DEFAULT_CLIENT_ID}
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert "code" in body["error_description"]
    answer = post_token(emulator, data={"client_id": DEFAULT_CLIENT_ID})
    assert answer.status_code == 400
    assert "grant_type" in answer.json()["error_description"]


def test_native_clients_cannot_use_client_credentials(emulator: RunningEmulator) -> None:
    answer = post_token(
        emulator,
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "scope": TRANSFER_SCOPE,
        },
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


# --- the authorize endpoint -----------------------------------------------------------------


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": "https://auth.globus.org/v2/web/auth-code",
        "scope": TRANSFER_SCOPE,
        "state": "_default",
        "response_type": "code",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prefill_named_grant": "ignored",
        "session_required_single_domain": "example.org",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v != "<absent>"}


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"client_id": str(uuid.uuid4())}, "unknown client_id"),
        ({"client_id": "<absent>"}, "client_id is missing"),
        ({"code_challenge_method": "<absent>"}, "code_challenge_method is missing"),
        ({"code_challenge_method": "plain"}, "not supported"),
        ({"code_challenge": "<absent>"}, "code_challenge is missing"),
        ({"scope": "urn:globus:auth:scope:nothing.example.org:all"}, "unknown scope"),
        ({"scope": "<absent>"}, "scope is missing"),
        ({"scope": f"{TRANSFER_SCOPE}["}, "could not be parsed"),
        ({"scope": data_access(str(uuid.uuid4()))}, "no collection"),
        ({"scope": f"openid[{TRANSFER_SCOPE}]"}, "cannot have dependent scopes"),
        ({"scope": f"{TRANSFER_SCOPE}[openid]"}, "only data_access"),
        ({"redirect_uri": "https://evil.example.org/cb"}, "is not allowed"),
        ({"redirect_uri": "<absent>"}, "redirect_uri is missing"),
        ({"response_type": "token"}, "response_type"),
    ],
)
def test_bad_authorize_requests_get_a_400_page(
    emulator: RunningEmulator, overrides: dict[str, str], says: str
) -> None:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        answer = http.get("/v2/oauth2/authorize", params=authorize_params(**overrides))
        posted = http.post("/v2/oauth2/authorize", data=authorize_params(**overrides))
    for page in (answer, posted):
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert says in page.text.replace("&#x27;", "'")


def test_the_login_page_escapes_what_it_echoes(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        answer = http.get(
            "/v2/oauth2/authorize", params=authorize_params(state='"><script>alert(1)</script>')
        )
        bad = http.get("/v2/oauth2/authorize", params=authorize_params(scope="<b>x</b>"))
    assert answer.status_code == 200
    assert "<script>" not in answer.text
    assert "&lt;script&gt;" in answer.text
    assert "<b>x</b>" not in bad.text


def test_the_login_page_says_what_is_asked(emulator: RunningEmulator) -> None:
    scope = f"{data_access(DEFAULT_SOURCE_ID)} openid email"
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        page = http.get("/v2/oauth2/authorize", params=authorize_params(scope=scope))
    assert page.status_code == 200
    assert "Emulated Tapis native app" in page.text
    assert "ESnet Read-Only Test DTN" in page.text
    assert "email address" in page.text
    assert 'name="identity_id"' in page.text
    assert "alice@example.org" in page.text


def test_auth_code_page_without_a_code_is_400(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        assert http.get("/v2/web/auth-code").status_code == 400


def test_malformed_basic_credentials_are_invalid_client(emulator: RunningEmulator) -> None:
    answer = post_token(
        emulator,
        data={"grant_type": "client_credentials", "scope": TRANSFER_SCOPE},
        headers={"Authorization": "Basic %%%not-base64"},
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_revoke_without_a_token_is_invalid_request(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        answer = http.post("/v2/oauth2/token/revoke", data={"client_id": DEFAULT_CLIENT_ID})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


# --- paths and methods no route serves ------------------------------------------------------


@pytest.mark.parametrize("path", ["/v2/api/nothing", "/.well-known/nothing", "/nothing"])
def test_unknown_paths_answer_auths_error_document(globus_env: RunningEmulator, path: str) -> None:
    """globus-sdk reads it as an AuthAPIError (a text body would be GlobusAPINullDataError)."""
    auth = globus_sdk.AuthClient()
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth.get(path)
    assert_auth_error(caught, 404, "not_found")
    assert caught.value.message == f"GET {path} is not a resource"


def test_a_wrong_method_is_405_in_auths_error_document(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        answer = http.get("/v2/oauth2/token")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    body = answer.json()
    assert (body["error"], body["errors"][0]["code"]) == (
        "method_not_allowed",
        "METHOD_NOT_ALLOWED",
    )


def test_an_unexpected_failure_is_still_the_apis_json_document(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("globus_emulator.auth.oauth.openid_configuration", broken)
    monkeypatch.setattr("globus_emulator.transfer.access.uuid_or_none", broken)
    token = issue_token(emulator.emulator)
    # One connection each: the server closes a connection whose request failed.
    auth = httpx.get(f"{emulator.url}/.well-known/openid-configuration", timeout=10)
    transfer = httpx.get(
        f"{emulator.url}/v0.10/endpoint/{DEFAULT_SOURCE_ID}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert auth.status_code == transfer.status_code == 500
    assert auth.json()["errors"][0]["code"] == "INTERNAL_ERROR"
    assert transfer.json()["code"] == "InternalError"
    assert "a bug" not in auth.text + transfer.text
