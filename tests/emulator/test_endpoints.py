"""Transfer's endpoint documents as a GCSv5 deployment has them: collections owned by their
endpoint, the endpoint itself, and activation that is never needed."""

from __future__ import annotations

import uuid
from pathlib import Path

import globus_sdk
import httpx
import pytest

from globus_emulator.transfer.documents import globus_username
from globus_emulator.world import (
    DEFAULT_DESTINATION_ID,
    DEFAULT_ENDPOINT_ID,
    DEFAULT_SOURCE_ID,
    SeedError,
    world_from_document,
)
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import api_error, issue_token, transfer_client, wait_done


def test_globus_usernames_are_the_owner_ids_base32() -> None:
    # As Transfer shows the owner of the GCSv5 endpoint c574170d-...
    assert globus_username("c574170d-3690-4343-bd16-2c9e49bd1ab0") == "u_yv2bodjwsbbuhpiwfspetpi2wa"


def test_a_collection_is_owned_by_its_gcsv5_endpoint(tc: globus_sdk.TransferClient) -> None:
    doc = tc.get_endpoint(DEFAULT_SOURCE_ID)
    username = globus_username(DEFAULT_ENDPOINT_ID)
    assert doc["owner_id"] == DEFAULT_ENDPOINT_ID
    assert doc["owner_string"] == f"{DEFAULT_ENDPOINT_ID}@clients.auth.globus.org"
    assert (doc["username"], doc["canonical_name"]) == (username, f"{username}#{DEFAULT_SOURCE_ID}")
    assert doc["non_functional_endpoint_id"] == DEFAULT_ENDPOINT_ID
    manager = httpx.URL(doc["gcs_manager_url"])
    assert manager.scheme == "https"
    assert manager.host.endswith(".invalid")
    assert doc["tlsftp_server"].startswith("tlsftp://m-")
    assert doc["tlsftp_server"].endswith(f".{manager.host}:443")
    # GCSv5 needs no activation: not activated, and an activation that never expires.
    assert (doc["activated"], doc["expires_in"], doc["expire_time"]) == (False, -1, None)
    [server] = doc["DATA"]
    assert (server["hostname"], server["is_connected"]) == (manager.host, True)


def test_the_gcsv5_endpoint_has_a_document_of_its_own(tc: globus_sdk.TransferClient) -> None:
    doc = tc.get_endpoint(DEFAULT_ENDPOINT_ID)
    collection = tc.get_endpoint(DEFAULT_SOURCE_ID)
    assert (doc["id"], doc["owner_id"]) == (DEFAULT_ENDPOINT_ID, DEFAULT_ENDPOINT_ID)
    assert (doc["entity_type"], doc["non_functional"]) == ("GCSv5_endpoint", True)
    assert doc["gcs_manager_url"] == collection["gcs_manager_url"]
    assert doc["display_name"] == collection["non_functional_endpoint_display_name"]


def autoactivate(tc: globus_sdk.TransferClient, endpoint_id: str) -> globus_sdk.GlobusHTTPResponse:
    """What globus-sdk 3's TransferClient.endpoint_autoactivate sends."""
    return tc.post(
        f"/v0.10/endpoint/{endpoint_id}/autoactivate", query_params={"if_expires_in": 3600}
    )


@pytest.mark.parametrize("endpoint_id", [DEFAULT_SOURCE_ID, DEFAULT_ENDPOINT_ID])
def test_autoactivate_says_already_activated(
    tc: globus_sdk.TransferClient, endpoint_id: str
) -> None:
    answer = autoactivate(tc, endpoint_id)
    assert answer.http_status == 200
    assert (answer["DATA_TYPE"], answer["code"]) == ("activation_result", "AlreadyActivated")
    assert answer["message"]
    assert answer["resource"] == f"/v0.10/endpoint/{endpoint_id}/autoactivate"


def test_autoactivate_of_an_unknown_endpoint_is_404(tc: globus_sdk.TransferClient) -> None:
    err = api_error(lambda: autoactivate(tc, str(uuid.uuid4())))
    assert (err.http_status, err.code) == (404, "EndpointNotFound")


def test_autoactivate_needs_a_token(globus_env: RunningEmulator) -> None:
    answer = httpx.post(
        f"{globus_env.url}/v0.10/endpoint/{DEFAULT_SOURCE_ID}/autoactivate", timeout=10
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "AuthenticationFailed"


def test_a_seed_names_a_collections_endpoint(tmp_path: Path) -> None:
    endpoint_id, collection_id = str(uuid.uuid4()), str(uuid.uuid4())
    doc = {
        "clients": [{"id": str(uuid.uuid4())}],
        "identities": [{"id": str(uuid.uuid4()), "username": "a@example.org"}],
        "collections": [{"id": collection_id, "root": str(tmp_path), "endpoint_id": endpoint_id}],
    }
    assert world_from_document(doc).collections[collection_id].endpoint_id == endpoint_id
    doc["collections"][0]["endpoint_id"] = collection_id
    with pytest.raises(SeedError, match="names a collection as its endpoint_id"):
        world_from_document(doc)


# --- endpoint search --------------------------------------------------------------------------


EVERYTHING = [DEFAULT_SOURCE_ID, DEFAULT_DESTINATION_ID, DEFAULT_ENDPOINT_ID]


def found_ids(tc: globus_sdk.TransferClient, **params: object) -> list[str]:
    answer = tc.endpoint_search(**params)  # type: ignore[arg-type]
    assert answer["DATA_TYPE"] == "endpoint_list"
    return [doc["id"] for doc in answer["DATA"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("emulated", EVERYTHING),
        ("ESnet, Starlight!", [DEFAULT_SOURCE_ID]),  # punctuation dropped, all terms
        ("star", [DEFAULT_SOURCE_ID]),  # the start of a word
        ("tarlight", []),  # not the middle of one
        ("destination esnet", []),
        ("gcs.globus-emulator.invalid", EVERYTHING),  # domains
    ],
)  # fmt: skip
def test_full_text_search(tc: globus_sdk.TransferClient, text: str, expected: list[str]) -> None:
    assert found_ids(tc, filter_fulltext=text) == expected


def test_search_filters(tc: globus_sdk.TransferClient) -> None:
    endpoints_only = [DEFAULT_ENDPOINT_ID]
    assert found_ids(tc, filter_fulltext="emulated", filter_entity_type="GCSv5_endpoint") == (
        endpoints_only
    )
    assert found_ids(tc, filter_fulltext="emulated", filter_non_functional=True) == endpoints_only
    assert found_ids(tc, filter_fulltext="emulated", filter_owner_id=str(uuid.uuid4())) == []
    assert found_ids(tc, filter_scope="my-endpoints") == []
    assert found_ids(tc, filter_scope="shared-with-me") == []


def test_search_pages(tc: globus_sdk.TransferClient) -> None:
    first = tc.endpoint_search("emulated", limit=2)
    assert (len(first["DATA"]), first["has_next_page"], first["limit"]) == (2, True, 2)
    last = tc.endpoint_search("emulated", limit=2, offset=2)
    assert (len(last["DATA"]), last["has_next_page"], last["offset"]) == (1, False, 2)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"filter_scope": "all"}, "filter_fulltext is required"),
        ({"filter_scope": "everything", "filter_fulltext": "x"}, "Invalid filter_scope"),
        ({"filter_fulltext": "x", "limit": 0}, "limit must be"),
        ({"filter_fulltext": "x", "limit": 101}, "between 0 and 100"),
        ({"filter_fulltext": "x", "offset": 950, "limit": 100}, "at most 1000"),
    ],
)
def test_bad_searches_are_400(
    tc: globus_sdk.TransferClient, params: dict[str, object], says: str
) -> None:
    err = api_error(lambda: tc.get("/v0.10/endpoint_search", query_params=params))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")
    assert says in err.message


def test_recently_used_and_in_use(globus_env: RunningEmulator, workdir: tuple[str, Path]) -> None:
    own = transfer_client(issue_token(globus_env.emulator, identity=str(uuid.uuid4())))
    assert found_ids(own, filter_scope="recently-used") == []
    data = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    data.add_item("/data1/1M.dat", f"{workdir[0]}/1M.dat")
    wait_done(globus_env.emulator, own, own.submit_transfer(data)["task_id"])
    assert found_ids(own, filter_scope="recently-used") == [
        DEFAULT_SOURCE_ID,
        DEFAULT_DESTINATION_ID,
    ]
    assert found_ids(own, filter_scope="in-use") == []
