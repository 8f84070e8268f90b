"""Globus Auth in the emulator: the native-app login flow and the life of its tokens,
driven by the real globus-sdk over HTTP."""

from __future__ import annotations

import logging
import time
import uuid

import globus_sdk
import httpx
import pytest

from globus_emulator.login import LoginError, headless_login
from globus_emulator.tokens import (
    AUTH_RESOURCE_SERVER,
    TRANSFER_RESOURCE_SERVER,
    TRANSFER_SCOPE,
    AccessToken,
    TokenProblem,
)
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
)
from tests.support.auth import data_access
from tests.support.auth import native_login as login
from tests.support.emulated_globus import RunningEmulator

IDENTITY_SCOPES = "openid profile email"


def live(emulator: RunningEmulator, token: str) -> AccessToken:
    found = emulator.emulator.tokens.check_access(token)
    assert isinstance(found, AccessToken), found
    return found


# --- the login flow ---------------------------------------------------------------------


def test_native_app_flow_gives_a_token_per_resource_server(globus_env: RunningEmulator) -> None:
    _, tokens = login([TRANSFER_SCOPE, *IDENTITY_SCOPES.split()])

    by_rs = tokens.by_resource_server
    assert set(by_rs) == {AUTH_RESOURCE_SERVER, TRANSFER_RESOURCE_SERVER}
    transfer = by_rs[TRANSFER_RESOURCE_SERVER]
    assert transfer["scope"] == TRANSFER_SCOPE
    assert transfer["refresh_token"]
    assert transfer["expires_at_seconds"] > time.time() + 3600
    assert set(by_rs[AUTH_RESOURCE_SERVER]["scope"].split()) == set(IDENTITY_SCOPES.split())
    assert tokens["state"] == "_default"
    assert tokens["token_type"] == "Bearer"

    grant = live(globus_env, transfer["access_token"]).grant
    assert grant.identity_id == DEFAULT_IDENTITY_ID
    assert grant.client_id == DEFAULT_CLIENT_ID
    assert grant.resource_server == TRANSFER_RESOURCE_SERVER
    assert grant.data_access == frozenset()


def test_the_id_token_decodes_with_globus_sdk(globus_env: RunningEmulator) -> None:
    _, tokens = login([TRANSFER_SCOPE, *IDENTITY_SCOPES.split()])

    claims = tokens.decode_id_token()

    assert claims["sub"] == DEFAULT_IDENTITY_ID
    assert claims["aud"] == DEFAULT_CLIENT_ID
    assert claims["preferred_username"] == "alice@example.org"
    assert claims["email"] == "alice@example.org"
    assert "id_token" not in tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    assert "id_token" not in tokens["other_tokens"][0]


def test_no_id_token_without_openid(globus_env: RunningEmulator) -> None:
    _, tokens = login(["profile", TRANSFER_SCOPE])
    assert "id_token" not in tokens.data


def test_online_access_gets_no_refresh_token(globus_env: RunningEmulator) -> None:
    _, tokens = login(TRANSFER_SCOPE, refresh_tokens=False)
    assert "refresh_token" not in tokens.data
    assert tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["refresh_token"] is None


def test_state_travels_through_the_login(globus_env: RunningEmulator) -> None:
    _, tokens = login(TRANSFER_SCOPE, state="my-state-42")
    assert tokens["state"] == "my-state-42"


def test_data_access_scopes_are_recorded_and_kept_on_refresh(globus_env: RunningEmulator) -> None:
    client, tokens = login(data_access(DEFAULT_SOURCE_ID, DEFAULT_DESTINATION_ID))

    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    expected = frozenset({DEFAULT_SOURCE_ID, DEFAULT_DESTINATION_ID})
    assert live(globus_env, transfer["access_token"]).grant.data_access == expected

    refreshed = client.oauth2_refresh_token(transfer["refresh_token"])
    new = refreshed.by_resource_server[TRANSFER_RESOURCE_SERVER]
    assert live(globus_env, new["access_token"]).grant.data_access == expected


def test_refresh_gives_a_new_access_token_and_the_same_refresh_token(
    globus_env: RunningEmulator,
) -> None:
    client, tokens = login(TRANSFER_SCOPE)
    first = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]

    refreshed = client.oauth2_refresh_token(first["refresh_token"])

    assert isinstance(refreshed, globus_sdk.OAuthRefreshTokenResponse)
    again = refreshed.by_resource_server[TRANSFER_RESOURCE_SERVER]
    assert again["access_token"] != first["access_token"]
    assert again["refresh_token"] == first["refresh_token"]
    assert again["scope"] == TRANSFER_SCOPE
    live(globus_env, again["access_token"])


def test_refresh_token_authorizer_renews_an_expired_token(globus_env: RunningEmulator) -> None:
    client, tokens = login(TRANSFER_SCOPE)
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    globus_env.emulator.tokens.expire_access_tokens(transfer["access_token"])
    assert globus_env.emulator.tokens.check_access(transfer["access_token"]) is TokenProblem.EXPIRED

    authorizer = globus_sdk.RefreshTokenAuthorizer(
        transfer["refresh_token"], client, access_token=transfer["access_token"], expires_at=1
    )
    header = authorizer.get_authorization_header()

    assert header is not None
    assert header != f"Bearer {transfer['access_token']}"
    live(globus_env, header.removeprefix("Bearer "))


def test_revoking_a_refresh_token_ends_it_and_its_access_tokens(
    globus_env: RunningEmulator,
) -> None:
    client, tokens = login(TRANSFER_SCOPE)
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]

    answer = client.oauth2_revoke_token(transfer["refresh_token"])

    assert answer.http_status == 200
    assert answer.data == {"active": False}
    store = globus_env.emulator.tokens
    assert store.check_access(transfer["access_token"]) is TokenProblem.REVOKED
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_refresh_token(transfer["refresh_token"])
    assert caught.value.http_status == 400
    assert caught.value.raw_json is not None
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_revoking_an_access_token(globus_env: RunningEmulator) -> None:
    client, tokens = login(TRANSFER_SCOPE)
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]

    client.oauth2_revoke_token(transfer["access_token"])

    store = globus_env.emulator.tokens
    assert store.check_access(transfer["access_token"]) is TokenProblem.REVOKED
    # The refresh token still works.
    live(globus_env, client.oauth2_refresh_token(transfer["refresh_token"])["access_token"])


def test_revoking_an_unknown_token_answers_as_globus(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    assert client.oauth2_revoke_token("no-such-token").data == {"active": False}


def test_token_expiry_is_enforced(globus_env: RunningEmulator) -> None:
    _, tokens = login(TRANSFER_SCOPE)
    token = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["access_token"]
    live(globus_env, token)

    assert globus_env.emulator.tokens.expire_access_tokens(token) == 1

    assert globus_env.emulator.tokens.check_access(token) is TokenProblem.EXPIRED


def test_userinfo_with_an_auth_token(globus_env: RunningEmulator) -> None:
    _, tokens = login(IDENTITY_SCOPES.split())
    auth_token = tokens.by_resource_server[AUTH_RESOURCE_SERVER]["access_token"]
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(auth_token))

    info = auth.userinfo()

    assert info["sub"] == DEFAULT_IDENTITY_ID
    assert info["preferred_username"] == "alice@example.org"
    assert info["email"] == "alice@example.org"


def test_userinfo_refuses_a_bad_token(globus_env: RunningEmulator) -> None:
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer("not-a-token"))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth.userinfo()
    assert caught.value.http_status == 401
    assert caught.value.code == "UNAUTHORIZED"


def test_loopback_redirect_uri_gets_the_code_on_its_address(globus_env: RunningEmulator) -> None:
    redirect = "http://localhost:8765/callback?app=1"
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE, redirect_uri=redirect, state="s1")
    url = client.oauth2_get_authorize_url()
    with httpx.Client(timeout=10) as http:
        page = http.get(url)
        form = {
            "client_id": DEFAULT_CLIENT_ID,
            "redirect_uri": redirect,
            "scope": TRANSFER_SCOPE,
            "state": "s1",
            "response_type": "code",
            "code_challenge": client.current_oauth2_flow_manager.challenge,  # type: ignore[union-attr]
            "code_challenge_method": "S256",
        }
        answer = http.post(str(page.url).split("?")[0], data=form)
    assert answer.status_code == 302
    location = httpx.URL(answer.headers["location"])
    assert str(location).startswith("http://localhost:8765/callback?app=1&code=")
    assert location.params["state"] == "s1"

    tokens = client.oauth2_exchange_code_for_tokens(location.params["code"])
    live(globus_env, tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["access_token"])


def test_globus_auth_code_page_is_served_by_the_emulator(globus_env: RunningEmulator) -> None:
    redirect = "https://auth.globus.org/v2/web/auth-code"
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE, redirect_uri=redirect)

    code = headless_login(client.oauth2_get_authorize_url())

    tokens = client.oauth2_exchange_code_for_tokens(code)
    live(globus_env, tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["access_token"])


def test_deny_redirects_with_access_denied(globus_env: RunningEmulator) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE, state="deny-me")
    url = client.oauth2_get_authorize_url()
    params = dict(httpx.URL(url).params)
    with httpx.Client(timeout=10, base_url=globus_env.url) as http:
        answer = http.post("/v2/oauth2/authorize", data={**params, "decision": "deny"})
        assert answer.status_code == 302
        location = httpx.URL(answer.headers["location"])
        assert location.params["error"] == "access_denied"
        assert location.params["state"] == "deny-me"
        assert "code" not in location.params
        page = http.get(answer.headers["location"])
    assert page.status_code == 200
    assert 'id="auth-error"' in page.text


def test_headless_login_reports_a_refused_request(globus_env: RunningEmulator) -> None:
    stranger = globus_sdk.NativeAppAuthClient(str(uuid.uuid4()))
    stranger.oauth2_start_flow(TRANSFER_SCOPE)
    with pytest.raises(LoginError, match="unknown client_id"):
        headless_login(stranger.oauth2_get_authorize_url())


# --- logging ----------------------------------------------------------------------------


def test_no_code_or_token_reaches_a_log_line(
    globus_env: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    flow = client.oauth2_start_flow(TRANSFER_SCOPE, refresh_tokens=True)
    code = headless_login(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code)
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    client.oauth2_refresh_token(transfer["refresh_token"])
    client.oauth2_revoke_token(transfer["refresh_token"])

    emulator_lines = [
        r.getMessage() for r in caplog.records if r.name.startswith("globus_emulator")
    ]
    assert any("/v2/oauth2/token" in line for line in emulator_lines)
    secrets = [code, flow.verifier, transfer["access_token"], transfer["refresh_token"]]
    for line in emulator_lines:
        for secret in secrets:
            assert secret not in line
