"""A seeded world with a confidential client and two identities: client credentials,
introspection, HTTP Basic, and picking an identity on the login page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import globus_sdk
import httpx
import pytest

from globus_emulator.login import LoginError, headless_login
from globus_emulator.state import Emulator
from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE, AccessToken
from globus_emulator.world import world_from_document
from tests.support.auth import data_access, native_login
from tests.support.emulated_globus import running_emulator
from tests.support.recordings import assert_same_shape, recorded

NATIVE_ID = str(uuid.UUID(int=1))
SERVICE_ID = str(uuid.UUID(int=2))
SERVICE_SECRET = "s3cret-for-tests"
ALICE_ID = str(uuid.UUID(int=11))
BOB_ID = str(uuid.UUID(int=12))
COLLECTION_ID = str(uuid.UUID(int=21))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Emulator]]:
    root: Path = tmp_path_factory.mktemp("seeded")
    world = world_from_document(
        {
            "clients": [
                {"id": NATIVE_ID, "name": "Seeded native app"},
                {"id": SERVICE_ID, "name": "Seeded service", "secret": SERVICE_SECRET},
            ],
            "identities": [
                {"id": ALICE_ID, "username": "alice@example.org"},
                {"id": BOB_ID, "username": "bob@example.org", "name": "Bob"},
            ],
            "collections": [
                {
                    "id": COLLECTION_ID,
                    "display_name": "Consent-needing collection",
                    "root": str(root),
                    "requires_data_access_consent": True,
                }
            ],
        }
    )
    with running_emulator(world) as running:
        yield running


def service_client(secret: str = SERVICE_SECRET) -> globus_sdk.ConfidentialAppAuthClient:
    return globus_sdk.ConfidentialAppAuthClient(SERVICE_ID, secret)


def test_client_credentials_token_acts_as_the_client(seeded: tuple[str, Emulator]) -> None:
    _, emulator = seeded
    tokens = service_client().oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)

    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    assert "refresh_token" not in tokens.data
    found = emulator.tokens.check_access(transfer["access_token"])
    assert isinstance(found, AccessToken)
    assert found.grant.identity_id == SERVICE_ID
    assert found.grant.client_id == SERVICE_ID


def test_a_wrong_secret_is_invalid_client(seeded: tuple[str, Emulator]) -> None:
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        service_client("wrong").oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)
    assert caught.value.http_status == 401
    assert caught.value.code == "INVALID_CLIENT"


def test_a_confidential_client_must_use_basic(seeded: tuple[str, Emulator]) -> None:
    url, _ = seeded
    answer = httpx.post(
        f"{url}/v2/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": SERVICE_ID, "scope": "openid"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_client_credentials_with_an_unknown_scope_is_invalid_scope(
    seeded: tuple[str, Emulator],
) -> None:
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        service_client().oauth2_client_credentials_tokens(requested_scopes="no:such:scope")
    assert caught.value.http_status == 400
    assert caught.value.code == "INVALID_SCOPE"


def test_introspection(seeded: tuple[str, Emulator]) -> None:
    client = service_client()
    token = client.oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)["access_token"]

    info = client.oauth2_token_introspect(token)

    assert info["active"] is True
    assert info["sub"] == SERVICE_ID
    assert info["scope"] == TRANSFER_SCOPE
    assert info["exp"] > info["iat"]

    client.oauth2_revoke_token(token)
    assert client.oauth2_token_introspect(token).data == {"active": False}


def test_native_clients_cannot_introspect(seeded: tuple[str, Emulator]) -> None:
    url, _ = seeded
    answer = httpx.post(
        f"{url}/v2/oauth2/token/introspect",
        data={"client_id": NATIVE_ID, "token": "x"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "confidential" in answer.json()["error_description"]


def test_a_client_cannot_revoke_another_clients_token(seeded: tuple[str, Emulator]) -> None:
    _, emulator = seeded
    token = service_client().oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)[
        "access_token"
    ]
    globus_sdk.NativeAppAuthClient(NATIVE_ID).oauth2_revoke_token(token)
    assert isinstance(emulator.tokens.check_access(token), AccessToken)


def test_picking_an_identity_on_the_login_page(seeded: tuple[str, Emulator]) -> None:
    _, emulator = seeded
    for pick, expected in [(None, ALICE_ID), ("bob@example.org", BOB_ID), (BOB_ID, BOB_ID)]:
        _, tokens = native_login(data_access(COLLECTION_ID), client_id=NATIVE_ID, identity=pick)
        found = emulator.tokens.check_access(tokens["access_token"])
        assert isinstance(found, AccessToken)
        assert found.grant.identity_id == expected
        assert found.grant.data_access == frozenset({COLLECTION_ID})


def test_an_identity_that_is_not_offered_cannot_be_picked(seeded: tuple[str, Emulator]) -> None:
    client = globus_sdk.NativeAppAuthClient(NATIVE_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    with pytest.raises(LoginError, match=r"no identity 'carol@example\.org'"):
        headless_login(client.oauth2_get_authorize_url(), identity="carol@example.org")


def test_posting_an_unknown_identity_is_refused(seeded: tuple[str, Emulator]) -> None:
    url, _ = seeded
    client = globus_sdk.NativeAppAuthClient(NATIVE_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    params = dict(httpx.URL(client.oauth2_get_authorize_url()).params)
    answer = httpx.post(
        f"{url}/v2/oauth2/authorize",
        data={**params, "identity_id": str(uuid.uuid4()), "decision": "allow"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "Unknown identity" in answer.text


def test_client_credentials_and_introspect_match_the_recordings(
    seeded: tuple[str, Emulator],
) -> None:
    client = service_client()
    tokens = client.oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)
    exact = {"recorded_null_is_any": False}
    _, expected = recorded("auth.oauth2_client_credentials_tokens")
    assert_same_shape(expected, tokens.data, **exact)
    _, user_tokens = native_login(TRANSFER_SCOPE, client_id=NATIVE_ID, refresh_tokens=False)
    info = client.oauth2_token_introspect(user_tokens["access_token"])
    assert_same_shape(recorded("auth.oauth2_token_introspect")[1], info.data, **exact)
    assert info["username"] == "alice@example.org"
    own = client.oauth2_token_introspect(tokens["access_token"])
    assert own["username"] == f"{SERVICE_ID}@clients.auth.globus.org"
