"""Collections that require a login session (an identity from a domain, a given identity, MFA):
Transfer answers Globus's session errors, which globus-sdk reads as GAREs, until the tokens
come from a login whose session satisfies the collection; the login page offers only the
identities that can, and asks for MFA when the authorize URL does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import globus_sdk
import globus_sdk.gare
import pytest

from globus_emulator.login import LoginError, headless_login
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID, SeedError, world_from_document
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.transfer import api_error, issue_token, transfer_client

ALICE = "b7c1f1de-2f34-4c7e-9d1a-5d4b2f8e9c01"  # alice@example.org, the first identity
BOB = "5b0b5b0b-1111-4222-8333-444455556666"  # bob@partner.edu
DOMAIN_ID = "d0d0d0d0-1111-4222-8333-444455556666"
MFA_ID = "3fa00000-1111-4222-8333-444455556666"
BOB_ONLY_ID = "b0b00000-1111-4222-8333-444455556666"
REQUIREMENTS: dict[str, dict[str, Any]] = {
    DOMAIN_ID: {"session_required_single_domain": ["partner.edu"]},
    MFA_ID: {"session_required_mfa": True},
    BOB_ONLY_ID: {"session_required_identities": [BOB]},
}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    root = tmp_path_factory.mktemp("sessions")
    collections = []
    for collection_id, requirement in REQUIREMENTS.items():
        (root / collection_id / "data").mkdir(parents=True)
        (root / collection_id / "data" / "f.txt").write_text("hello")
        collections.append({"id": collection_id, "root": str(root / collection_id), **requirement})
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [
                {"id": ALICE, "username": "alice@example.org"},
                {"id": BOB, "username": "bob@partner.edu"},
            ],
            "collections": collections,
        }
    )
    with serving(world) as running:
        yield running


def login(
    emulator: RunningEmulator,
    *,
    identity: str | None = None,
    mfa: bool | None = None,
    **session: Any,
) -> tuple[globus_sdk.TransferClient, dict[str, Any]]:
    """A login through the page with these session parameters: Transfer with its token."""
    auth = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID, base_url=emulator.url + "/")
    auth.oauth2_start_flow(TRANSFER_SCOPE, refresh_tokens=True)
    url = auth.oauth2_get_authorize_url(**session)
    tokens = auth.oauth2_exchange_code_for_tokens(headless_login(url, identity=identity, mfa=mfa))
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    return transfer_client(transfer["access_token"], emulator.url + "/"), transfer


def listed(tc: globus_sdk.TransferClient, collection_id: str) -> list[str]:
    return [e["name"] for e in tc.operation_ls(collection_id, path="/data")]


@pytest.mark.parametrize("collection_id", list(REQUIREMENTS))
def test_a_session_requirement_is_globus_login_failed_gare(
    sessions: RunningEmulator, collection_id: str
) -> None:
    tc, _ = login(sessions)  # alice, without MFA
    err = api_error(lambda: tc.operation_ls(collection_id, path="/data"))
    assert (err.http_status, err.code) == (502, "ExternalError.DirListingFailed.LoginFailed")
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    params = gare.authorization_parameters
    assert params.session_message == "Session reauthentication required (Globus Transfer)"
    requirement = REQUIREMENTS[collection_id]
    assert params.session_required_single_domain == requirement.get(
        "session_required_single_domain", []
    )
    assert params.session_required_identities == requirement.get("session_required_identities", [])
    assert params.session_required_mfa is requirement.get("session_required_mfa", False)
    mkdir = api_error(lambda: tc.operation_mkdir(collection_id, "/data/new"))
    assert mkdir.code == "ExternalError.MkdirFailed.LoginFailed"


def test_a_submission_fails_the_policy_check(sessions: RunningEmulator) -> None:
    tc, _ = login(sessions)
    data = globus_sdk.TransferData(source_endpoint=MFA_ID, destination_endpoint=MFA_ID)
    data.add_item("/data/f.txt", "/data/g.txt")
    err = api_error(lambda: tc.submit_transfer(data))
    assert (err.http_status, err.code) == (403, "AuthPolicyFailed")
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.session_required_mfa is True


def test_a_login_from_the_domain_gets_in(sessions: RunningEmulator) -> None:
    tc, _ = login(sessions, session_required_single_domain="partner.edu")
    assert listed(tc, DOMAIN_ID) == ["f.txt"]
    assert listed(tc, BOB_ONLY_ID) == ["f.txt"]  # it was bob: the only one from partner.edu


def test_the_page_offers_only_identities_that_satisfy(sessions: RunningEmulator) -> None:
    with pytest.raises(LoginError, match="no identity 'alice@example\\.org' on the login page"):
        login(sessions, identity="alice@example.org", session_required_identities=[BOB])
    with pytest.raises(LoginError, match="No identity here"):
        login(sessions, session_required_single_domain="nowhere.example")


def test_an_mfa_login_gets_in_and_its_refreshed_tokens_too(sessions: RunningEmulator) -> None:
    tc, transfer = login(sessions, session_required_mfa=True)
    assert listed(tc, MFA_ID) == ["f.txt"]
    auth = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID, base_url=sessions.url + "/")
    refreshed = auth.oauth2_refresh_token(transfer["refresh_token"]).by_resource_server
    again = transfer_client(
        refreshed["transfer.api.globus.org"]["access_token"], sessions.url + "/"
    )
    assert listed(again, MFA_ID) == ["f.txt"]


def test_mfa_is_a_choice_unless_required(sessions: RunningEmulator) -> None:
    with pytest.raises(LoginError, match="multi-factor"):
        login(sessions, mfa=False, session_required_mfa=True)
    tc, _ = login(sessions, mfa=True)
    assert listed(tc, MFA_ID) == ["f.txt"]
    plain, _ = login(sessions)
    assert api_error(lambda: plain.operation_ls(MFA_ID, path="/data")).http_status == 502


def test_tokens_of_no_login_satisfy_no_session(sessions: RunningEmulator) -> None:
    tc = transfer_client(issue_token(sessions.emulator, identity=BOB), sessions.url + "/")
    assert api_error(lambda: tc.operation_ls(BOB_ONLY_ID, path="/data")).http_status == 502
    assert tc.get_endpoint(BOB_ONLY_ID)["id"] == BOB_ONLY_ID  # reads no data: no session needed


@pytest.mark.parametrize(
    "requirement",
    [
        {"session_required_mfa": "maybe"},
        {"session_required_identities": ["not-a-uuid"]},
        {"session_required_single_domain": [1]},
    ],
)
def test_a_bad_session_requirement_in_a_seed_says_so(
    tmp_path_factory: pytest.TempPathFactory, requirement: dict[str, Any]
) -> None:
    root = tmp_path_factory.mktemp("bad-seed")
    with pytest.raises(SeedError, match="session_required"):
        world_from_document(
            {
                "clients": [{"id": DEFAULT_CLIENT_ID}],
                "identities": [{"id": ALICE, "username": "alice@example.org"}],
                "collections": [{"id": MFA_ID, "root": str(root), **requirement}],
            }
        )
