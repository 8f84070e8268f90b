"""What globus-cli's login needs from Auth, through globus-sdk: a client instance made from
a native app, a login without PKCE for it, the scopes of services the emulator does not run,
token validation, revoking as the template, identities, and session information."""

from __future__ import annotations

import time
import uuid

import globus_sdk
import httpx
import pytest

from globus_emulator.auth.codes import pkce_challenge
from globus_emulator.auth.consent import OTHER_SERVICES, TIMERS_SCOPE, VIEW_IDENTITY_SET
from globus_emulator.login import headless_login
from globus_emulator.tokens import AUTH_RESOURCE_SERVER, TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_IDENTITY_ID,
    GLOBUS_CLI_TEMPLATE_ID,
)
from tests.support.emulated_globus import RunningEmulator

# What globus-cli 3.44 asks for at login, in its order.
CLI_SCOPES = [
    "openid",
    "profile",
    "email",
    VIEW_IDENTITY_SET,
    TRANSFER_SCOPE,
    "urn:globus:auth:scope:groups.api.globus.org:all",
    "urn:globus:auth:scope:search.api.globus.org:all",
    f"{TIMERS_SCOPE}[{TRANSFER_SCOPE}]",
    "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all",
]


def make_instance(name: str = "Globus CLI") -> globus_sdk.ConfidentialAppAuthClient:
    made = globus_sdk.NativeAppAuthClient(GLOBUS_CLI_TEMPLATE_ID).create_native_app_instance(
        GLOBUS_CLI_TEMPLATE_ID, name
    )
    credential = made["included"]["client_credential"]
    return globus_sdk.ConfidentialAppAuthClient(credential["client"], credential["secret"])


def login_without_pkce(
    client: globus_sdk.ConfidentialAppAuthClient, url: str, scopes: list[str]
) -> globus_sdk.OAuthTokenResponse:
    """globus-cli's `login --no-local-server`: the emulator's code page, no PKCE."""
    client.oauth2_start_flow(
        redirect_uri=f"{url}/v2/web/auth-code", requested_scopes=scopes, refresh_tokens=True
    )
    authorize_url = client.oauth2_get_authorize_url()
    assert "code_challenge" not in authorize_url
    return client.oauth2_exchange_code_for_tokens(headless_login(authorize_url))


@pytest.fixture(scope="module")
def cli_login(
    globus_env: RunningEmulator,
) -> tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse]:
    client = make_instance()
    return client, login_without_pkce(client, globus_env.url, CLI_SCOPES)


def test_an_instance_of_the_cli_template_is_a_confidential_client(
    globus_env: RunningEmulator,
) -> None:
    made = globus_sdk.NativeAppAuthClient(GLOBUS_CLI_TEMPLATE_ID).create_native_app_instance(
        GLOBUS_CLI_TEMPLATE_ID, "My CLI"
    )
    assert made.http_status == 200
    client = made["client"]
    assert (client["name"], client["parent_client"]) == ("My CLI", GLOBUS_CLI_TEMPLATE_ID)
    assert client["client_type"] == "confidential_client"
    credential = made["included"]["client_credential"]
    assert credential["client"] == client["id"]
    instance = globus_env.emulator.world.clients[client["id"]]
    assert (instance.secret, instance.parent_client) == (
        credential["secret"],
        GLOBUS_CLI_TEMPLATE_ID,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"client": {"template_id": str(uuid.uuid4()), "name": "x"}},
        {"client": {"name": "no template"}},
        {"template_id": GLOBUS_CLI_TEMPLATE_ID},
        {"client": {"template_id": GLOBUS_CLI_TEMPLATE_ID, "name": ""}},
    ],
)
def test_bad_instance_requests_are_400(globus_env: RunningEmulator, body: object) -> None:
    answer = httpx.post(f"{globus_env.url}/v2/api/clients", json=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "BAD_REQUEST"


def test_an_instance_cannot_be_a_template(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
    globus_env: RunningEmulator,
) -> None:
    client, _ = cli_login
    body = {"client": {"template_id": client.client_id, "name": "x"}}
    answer = httpx.post(f"{globus_env.url}/v2/api/clients", json=body, timeout=10)
    assert answer.status_code == 400
    assert "not a native app" in answer.json()["errors"][0]["detail"]


def test_the_cli_login_gets_a_token_per_resource_server(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    _, tokens = cli_login
    by_server = tokens.by_resource_server
    assert next(iter(by_server)) == AUTH_RESOURCE_SERVER  # with the id_token, as Globus orders
    assert set(by_server) == {
        AUTH_RESOURCE_SERVER,
        TRANSFER_RESOURCE_SERVER,
        *OTHER_SERVICES.values(),
    }
    assert set(by_server[AUTH_RESOURCE_SERVER]["scope"].split()) == set(CLI_SCOPES[:4])
    assert by_server["524230d7-ea86-4a52-8312-86065a9e0417"]["scope"] == TIMERS_SCOPE
    assert all(t["refresh_token"] for t in by_server.values())
    assert tokens.decode_id_token()["sub"] == DEFAULT_IDENTITY_ID


@pytest.mark.parametrize(
    "scope",
    [
        f"{TIMERS_SCOPE}[openid]",
        f"urn:globus:auth:scope:groups.api.globus.org:all[{TRANSFER_SCOPE}]",
    ],
)
def test_other_services_take_no_other_dependent_scopes(
    globus_env: RunningEmulator, scope: str
) -> None:
    client = make_instance()
    with pytest.raises(Exception, match="dependent scope"):
        login_without_pkce(client, globus_env.url, [scope])


def test_native_apps_still_need_pkce(globus_env: RunningEmulator) -> None:
    params = {
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": f"{globus_env.url}/v2/web/auth-code",
        "scope": TRANSFER_SCOPE,
        "response_type": "code",
    }
    answer = httpx.get(f"{globus_env.url}/v2/oauth2/authorize", params=params, timeout=10)
    assert answer.status_code == 400
    assert "PKCE" in answer.text


def test_a_confidential_client_that_sends_pkce_must_send_the_verifier(
    globus_env: RunningEmulator,
) -> None:
    client = make_instance()
    secret = globus_env.emulator.world.clients[client.client_id].secret
    assert secret is not None
    redirect_uri = f"{globus_env.url}/v2/web/auth-code"
    params = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "scope": TRANSFER_SCOPE,
        "response_type": "code",
        "code_challenge": pkce_challenge("v" * 43),
        "code_challenge_method": "S256",
    }
    code = headless_login(str(httpx.URL(f"{globus_env.url}/v2/oauth2/authorize", params=params)))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    answer = httpx.post(
        f"{globus_env.url}/v2/oauth2/token", data=form, auth=(client.client_id, secret), timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert "code_verifier" in answer.json()["error_description"]


def validate(client: globus_sdk.ConfidentialAppAuthClient, token: str) -> bool:
    answer = client.post("/v2/oauth2/token/validate", data={"token": token}, encoding="form")
    assert answer.http_status == 200
    return bool(answer["active"])


def test_validate_says_whether_the_callers_token_works(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    client, tokens = cli_login
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    assert validate(client, transfer["refresh_token"]) is True
    assert validate(client, transfer["access_token"]) is True
    assert validate(client, "not-a-token") is False
    assert validate(make_instance(), transfer["refresh_token"]) is False


def test_the_template_revokes_its_instances_tokens_and_no_other(
    globus_env: RunningEmulator,
) -> None:
    client = make_instance()
    tokens = login_without_pkce(client, globus_env.url, ["openid", TRANSFER_SCOPE])
    refresh = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]["refresh_token"]
    globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID).oauth2_revoke_token(refresh)
    assert validate(client, refresh) is True
    globus_sdk.NativeAppAuthClient(GLOBUS_CLI_TEMPLATE_ID).oauth2_revoke_token(refresh)
    assert validate(client, refresh) is False


def auth_client(tokens: globus_sdk.OAuthTokenResponse) -> globus_sdk.AuthClient:
    token = tokens.by_resource_server[AUTH_RESOURCE_SERVER]["access_token"]
    return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_userinfo_carries_the_identity_set(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    _, tokens = cli_login
    info = auth_client(tokens).userinfo()
    assert info["preferred_username"] == "alice@example.org"
    [linked] = info["identity_set"]
    assert (linked["sub"], linked["username"]) == (DEFAULT_IDENTITY_ID, "alice@example.org")
    assert abs(linked["last_authentication"] - time.time()) < 600


def test_userinfo_of_a_client_acting_as_itself(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    client, _ = cli_login
    own = client.oauth2_client_credentials_tokens(requested_scopes=CLI_SCOPES[:4])
    info = auth_client(own).userinfo()
    assert info["preferred_username"] == f"{client.client_id}@clients.auth.globus.org"
    assert info["name"] == "Globus CLI"
    assert info["identity_set"][0]["sub"] == client.client_id


def test_get_identities_by_ids_and_usernames(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    client, tokens = cli_login
    auth = auth_client(tokens)
    nobody = str(uuid.uuid4())
    by_id = auth.get_identities(ids=[DEFAULT_IDENTITY_ID, nobody, client.client_id])
    assert [i["username"] for i in by_id["identities"]] == [
        "alice@example.org",
        f"{client.client_id}@clients.auth.globus.org",
    ]
    by_name = auth.get_identities(usernames=["ALICE@example.org", "nobody@example.org"])
    assert [i["id"] for i in by_name["identities"]] == [DEFAULT_IDENTITY_ID]
    # A client's own credentials may ask too.
    as_client = client.get("/v2/api/identities", query_params={"ids": DEFAULT_IDENTITY_ID})
    assert as_client["identities"][0]["name"] == "Alice"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"ids": DEFAULT_IDENTITY_ID, "usernames": "alice@example.org"}, "not both"),
        ({}, "ids or usernames"),
        ({"ids": "alice"}, "not an identity id"),
    ],
)
def test_bad_identity_queries_are_400(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
    params: dict[str, str],
    says: str,
) -> None:
    _, tokens = cli_login
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth_client(tokens).get("/v2/api/identities", query_params=params)
    assert (caught.value.http_status, caught.value.code) == (400, "BAD_REQUEST")
    assert says in caught.value.message


def test_introspect_reports_the_session(
    cli_login: tuple[globus_sdk.ConfidentialAppAuthClient, globus_sdk.OAuthTokenResponse],
) -> None:
    client, tokens = cli_login
    token = tokens.by_resource_server[AUTH_RESOURCE_SERVER]["access_token"]
    info = client.oauth2_token_introspect(token, include="session_info")
    authentications = info["session_info"]["authentications"]
    assert list(authentications) == [DEFAULT_IDENTITY_ID]
    assert abs(authentications[DEFAULT_IDENTITY_ID]["auth_time"] - time.time()) < 600
    own = client.oauth2_client_credentials_tokens(requested_scopes="openid")["access_token"]
    assert (
        client.oauth2_token_introspect(own, include="session_info")["session_info"][
            "authentications"
        ]
        == {}
    )
