"""Ground truth: the emulator's Auth documents against globus-sdk's recorded Globus responses.

(The confidential-client recordings, client_credentials and introspect, are checked in
test_auth_confidential.py, which runs a world that has such a client.)

For each recorded response, every field it carries must be in the emulator's document with
the same JSON type (the emulator may add fields, as Globus does over time).
"""

from __future__ import annotations

import uuid
from typing import Any

import globus_sdk
import httpx
import pytest

from globus_emulator.auth.consent import VIEW_IDENTITY_SET
from globus_emulator.tokens import AUTH_RESOURCE_SERVER, TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, GLOBUS_CLI_TEMPLATE_ID
from tests.support.auth import native_login
from tests.support.emulated_globus import RunningEmulator
from tests.support.recordings import assert_same_shape, recorded


def assert_auth_shape(recorded_doc: Any, ours: Any) -> None:
    """Auth's recordings are exact: a recorded null must be null here too."""
    assert_same_shape(recorded_doc, ours, recorded_null_is_any=False)


def recorded_json(set_id: str, case: str = "default") -> Any:
    return recorded(set_id, case)[1]


def login(scopes: str, refresh: bool = True) -> globus_sdk.OAuthTokenResponse:
    return native_login(scopes, refresh_tokens=refresh)[1]


def test_exchange_code_for_tokens(globus_env: RunningEmulator) -> None:
    ours = login(TRANSFER_SCOPE, refresh=False).data
    assert_auth_shape(recorded_json("auth.oauth2_exchange_code_for_tokens"), ours)
    assert ours["other_tokens"] == []


def test_exchange_code_for_tokens_with_other_tokens(globus_env: RunningEmulator) -> None:
    ours = login(f"openid {TRANSFER_SCOPE}").data
    assert ours["resource_server"] == AUTH_RESOURCE_SERVER
    top_level = recorded_json("auth.oauth2_exchange_code_for_tokens")
    assert_auth_shape(recorded_json("auth.oauth2_exchange_code_for_tokens", "openid"), ours)
    for other in ours["other_tokens"]:
        assert_auth_shape({k: v for k, v in top_level.items() if k != "other_tokens"}, other)


def test_refresh_token(globus_env: RunningEmulator) -> None:
    # globus-sdk records no refresh response; Globus answers a refresh in the same shape as
    # an exchange, without the state of a login.
    client, tokens = native_login(TRANSFER_SCOPE)
    ours = client.oauth2_refresh_token(tokens["refresh_token"]).data
    expected = dict(recorded_json("auth.oauth2_exchange_code_for_tokens"))
    expected.pop("state")
    assert_auth_shape(expected, ours)


def test_revoke_token(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    ours = client.oauth2_revoke_token("whatever").data
    assert ours == recorded_json("auth.oauth2_revoke_token")


@pytest.mark.parametrize("case", ["unauthorized"])
def test_userinfo_error(globus_env: RunningEmulator, case: str) -> None:
    answer = httpx.get(
        f"{globus_env.url}/v2/oauth2/userinfo",
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    status, expected = recorded("auth.userinfo", case)
    assert answer.status_code == status == 401
    assert_auth_shape(expected, answer.json())
    assert answer.json()["errors"][0]["code"] == expected["errors"][0]["code"]
    assert answer.json()["error"] == expected["error"]


def test_token_errors_follow_globus_error_shape(globus_env: RunningEmulator) -> None:
    """Token-endpoint errors carry the recorded Auth error fields (errors[] list and OAuth's
    error), so AuthAPIError reads the same code, message and id from them."""
    answer = httpx.post(
        f"{globus_env.url}/v2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "bad",
            "client_id": DEFAULT_CLIENT_ID,
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert_auth_shape(recorded_json("auth.userinfo", "unauthorized"), answer.json())
    assert_auth_shape(
        recorded_json("auth.oauth2_exchange_code_for_tokens", "invalid_grant"), answer.json()
    )


def test_create_native_app_instance(globus_env: RunningEmulator) -> None:
    template = globus_sdk.NativeAppAuthClient(GLOBUS_CLI_TEMPLATE_ID)
    ours = template.create_native_app_instance(GLOBUS_CLI_TEMPLATE_ID, "Globus CLI").data
    # The recording wraps the answer in one more "client" than Globus sends: globus-sdk's
    # docstring and globus-cli both read ours["client"]["id"] and ours["included"].
    assert_auth_shape(recorded_json("auth.create_native_app_instance")["client"], ours)


def test_get_identities(globus_env: RunningEmulator) -> None:
    tokens = login(f"openid profile email {VIEW_IDENTITY_SET}", refresh=False)
    auth = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["access_token"])
    )
    ours = auth.get_identities(ids=DEFAULT_IDENTITY_ID).data
    assert_auth_shape(recorded_json("auth.get_identities", "sirosen"), ours)
    assert auth.get_identities(ids=str(uuid.uuid4())).data == recorded_json(
        "auth.get_identities", "empty"
    )


def test_get_identities_unauthorized(globus_env: RunningEmulator) -> None:
    answer = httpx.get(
        f"{globus_env.url}/v2/api/identities", params={"ids": DEFAULT_IDENTITY_ID}, timeout=10
    )
    status, expected = recorded("auth.get_identities", "unauthorized")
    assert answer.status_code == status == 401
    assert_auth_shape(expected, answer.json())
    assert answer.json()["errors"][0]["code"] == expected["errors"][0]["code"]
