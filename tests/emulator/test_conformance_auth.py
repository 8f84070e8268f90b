"""Ground truth: the emulator's Auth documents against globus-sdk's recorded Globus responses.

(The confidential-client recordings, client_credentials and introspect, are checked in
test_auth_confidential.py, which runs a world that has such a client.)

For each recorded response, every field it carries must be in the emulator's document with
the same JSON type (the emulator may add fields, as Globus does over time).
"""

from __future__ import annotations

from typing import Any

import globus_sdk
import httpx
import pytest
from globus_sdk.testing import get_response_set

from globus_emulator.login import headless_login
from globus_emulator.tokens import AUTH_RESOURCE_SERVER, TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID
from tests.conftest import RunningEmulator


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def assert_same_shape(recorded: Any, ours: Any, where: str = "$") -> None:
    """Every recorded field is present with the same JSON type, recursively."""
    assert json_type(ours) == json_type(recorded), f"{where}: {ours!r} vs recorded {recorded!r}"
    if isinstance(recorded, dict):
        for key, value in recorded.items():
            assert key in ours, f"{where}: missing field {key!r}"
            assert_same_shape(value, ours[key], f"{where}.{key}")
    elif isinstance(recorded, list) and recorded and ours:
        for item in ours:
            assert_same_shape(recorded[0], item, f"{where}[]")


def recorded(set_id: str, case: str = "default") -> Any:
    return get_response_set(set_id).lookup(case).json


def login(scopes: str, refresh: bool = True) -> globus_sdk.OAuthTokenResponse:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(scopes, refresh_tokens=refresh)
    return client.oauth2_exchange_code_for_tokens(headless_login(client.oauth2_get_authorize_url()))


def test_exchange_code_for_tokens(globus_env: RunningEmulator) -> None:
    ours = login(TRANSFER_SCOPE, refresh=False).data
    assert_same_shape(recorded("auth.oauth2_exchange_code_for_tokens"), ours)
    assert ours["other_tokens"] == []


def test_exchange_code_for_tokens_with_other_tokens(globus_env: RunningEmulator) -> None:
    ours = login(f"openid {TRANSFER_SCOPE}").data
    assert ours["resource_server"] == AUTH_RESOURCE_SERVER
    top_level = recorded("auth.oauth2_exchange_code_for_tokens")
    assert_same_shape(recorded("auth.oauth2_exchange_code_for_tokens", "openid"), ours)
    for other in ours["other_tokens"]:
        assert_same_shape({k: v for k, v in top_level.items() if k != "other_tokens"}, other)


def test_refresh_token(globus_env: RunningEmulator) -> None:
    # globus-sdk records no refresh response; Globus answers a refresh in the same shape as
    # an exchange, without the state of a login.
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE, refresh_tokens=True)
    tokens = client.oauth2_exchange_code_for_tokens(
        headless_login(client.oauth2_get_authorize_url())
    )
    ours = client.oauth2_refresh_token(tokens["refresh_token"]).data
    expected = dict(recorded("auth.oauth2_exchange_code_for_tokens"))
    expected.pop("state")
    assert_same_shape(expected, ours)


def test_revoke_token(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    ours = client.oauth2_revoke_token("whatever").data
    assert ours == recorded("auth.oauth2_revoke_token")


@pytest.mark.parametrize("case", ["unauthorized"])
def test_userinfo_error(globus_env: RunningEmulator, case: str) -> None:
    answer = httpx.get(
        f"{globus_env.url}/v2/oauth2/userinfo",
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    expected = get_response_set("auth.userinfo").lookup(case)
    assert answer.status_code == expected.status
    assert_same_shape(expected.json, answer.json())
    assert answer.json()["errors"][0]["code"] == expected.json["errors"][0]["code"]
    assert answer.json()["error"] == expected.json["error"]


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
    expected = get_response_set("auth.userinfo").lookup("unauthorized").json
    assert_same_shape(expected, answer.json())
    assert_same_shape(
        recorded("auth.oauth2_exchange_code_for_tokens", "invalid_grant"), answer.json()
    )
