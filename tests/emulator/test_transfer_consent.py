"""Collections that need data_access consent: a token without it gets a GARE-shaped
403 ConsentRequired that globus-sdk reads; one with it gets in."""

from __future__ import annotations

import os
from collections.abc import Iterator

import globus_sdk
import globus_sdk.gare
import pytest

from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_IDENTITY_ID,
    world_from_document,
)
from tests.support.emulated_globus import RunningEmulator, serving
from tests.support.transfer import api_error, issue_token, transfer_client

CONSENT_ID = "7d9a4c1e-1111-4a2b-9c3d-5e6f7a8b9c0d"


@pytest.fixture(scope="module")
def consent_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """An emulator whose one collection needs data_access consent."""
    root = tmp_path_factory.mktemp("consent")
    (root / "data").mkdir()
    (root / "data" / "f.txt").write_text("hello")
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [{"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org"}],
            "collections": [
                {
                    "id": CONSENT_ID,
                    "display_name": "Needs consent",
                    "root": str(root),
                    "requires_data_access_consent": True,
                }
            ],
        }
    )
    with serving(world) as running:
        yield running


def test_missing_data_access_consent_is_a_gare(consent_emulator: RunningEmulator) -> None:
    tc = transfer_client(issue_token(consent_emulator.emulator), consent_emulator.url + "/")
    err = api_error(lambda: tc.operation_ls(CONSENT_ID, path="/data"))
    assert (err.http_status, err.code) == (403, "ConsentRequired")
    scope = f"{TRANSFER_SCOPE}[*https://auth.globus.org/scopes/{CONSENT_ID}/data_access]"
    assert err.raw_json is not None
    assert err.raw_json["required_scopes"] == [scope]
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.required_scopes == [scope]
    assert globus_sdk.gare.has_gares([err])
    assert err.info.consent_required
    assert err.info.consent_required.required_scopes == [scope]
    # get_endpoint reads no data: it needs no consent.
    assert tc.get_endpoint(CONSENT_ID)["id"] == CONSENT_ID


def test_data_access_consent_lets_the_token_in(consent_emulator: RunningEmulator) -> None:
    token = issue_token(consent_emulator.emulator, data_access=frozenset({CONSENT_ID}))
    tc = transfer_client(token, consent_emulator.url + "/")
    assert [e["name"] for e in tc.operation_ls(CONSENT_ID, path="/data")] == ["f.txt"]


def test_transfer_submission_checks_consent(consent_emulator: RunningEmulator) -> None:
    tc = transfer_client(issue_token(consent_emulator.emulator), consent_emulator.url + "/")
    data = globus_sdk.TransferData(source_endpoint=CONSENT_ID, destination_endpoint=CONSENT_ID)
    data.add_item("/data/f.txt", "/data/g.txt")
    err = api_error(lambda: tc.submit_transfer(data))
    assert (err.http_status, err.code) == (403, "ConsentRequired")
    assert not os.path.exists(consent_emulator.data_dir / "data" / "g.txt")
