"""Collection bookmarks through globus-sdk: each identity's own, with Globus's checks."""

from __future__ import annotations

import uuid

import globus_sdk
import pytest

from globus_emulator.bookmarks import MAX_BOOKMARKS
from globus_emulator.world import DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import api_error, issue_token, transfer_client


@pytest.fixture
def own_tc(globus_env: RunningEmulator) -> globus_sdk.TransferClient:
    """A client of an identity of its own, so that bookmarks of other tests do not mix in."""
    return transfer_client(issue_token(globus_env.emulator, identity=str(uuid.uuid4())))


def make(tc: globus_sdk.TransferClient, name: str, path: str = "/data1/") -> dict[str, object]:
    body = {"endpoint_id": DEFAULT_SOURCE_ID, "path": path, "name": name}
    return dict(tc.create_bookmark(body).data)


def test_a_bookmark_is_made_listed_read_renamed_and_deleted(
    own_tc: globus_sdk.TransferClient,
) -> None:
    made = make(own_tc, "data")
    assert made["DATA_TYPE"] == "bookmark"
    assert (made["endpoint_id"], made["path"], made["pinned"]) == (
        DEFAULT_SOURCE_ID,
        "/data1/",
        False,
    )
    bookmark_id = str(made["id"])
    listed = own_tc.bookmark_list()
    assert listed["DATA_TYPE"] == "bookmark_list"
    assert [b["id"] for b in listed] == [bookmark_id]
    assert own_tc.get_bookmark(bookmark_id).data == made

    renamed = own_tc.update_bookmark(bookmark_id, {"name": "renamed", "pinned": True})
    assert (renamed["name"], renamed["pinned"], renamed["path"]) == ("renamed", True, "/data1/")
    assert own_tc.get_bookmark(bookmark_id)["name"] == "renamed"

    gone = own_tc.delete_bookmark(bookmark_id)
    assert (gone["DATA_TYPE"], gone["code"]) == ("result", "Deleted")
    assert gone["message"] == f"Bookmark '{bookmark_id}' deleted successfully"
    assert own_tc.bookmark_list()["DATA"] == []
    err = api_error(lambda: own_tc.get_bookmark(bookmark_id))
    assert (err.http_status, err.code) == (404, "BookmarkNotFound")


def test_bookmarks_are_private_to_their_identity(
    own_tc: globus_sdk.TransferClient, tc: globus_sdk.TransferClient
) -> None:
    bookmark_id = str(make(own_tc, "mine")["id"])
    for call in (tc.get_bookmark, tc.delete_bookmark):
        err = api_error(lambda call=call: call(bookmark_id))  # type: ignore[misc]
        assert (err.http_status, err.code) == (404, "BookmarkNotFound")
    assert bookmark_id not in {b["id"] for b in tc.bookmark_list()}
    assert own_tc.get_bookmark(bookmark_id)["name"] == "mine"


def test_a_name_is_looked_up_as_a_missing_id(own_tc: globus_sdk.TransferClient) -> None:
    """globus-cli asks for a bookmark by name this way, then searches the list."""
    err = api_error(lambda: own_tc.get_bookmark("data"))
    assert (err.http_status, err.code) == (404, "BookmarkNotFound")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/data1", "name": "x"}, "ending in '/'"),
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/data1/"}, "'name'"),
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/", "name": "a\nb"}, "one line"),
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/", "name": "x" * 129}, "at most 128"),
        ({"path": "/", "name": "x"}, "'endpoint_id'"),
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/", "name": "x", "pinned": "yes"}, "pinned"),
        ({"endpoint_id": DEFAULT_SOURCE_ID, "path": "/", "name": "x", "colour": 1}, "colour"),
        ({"DATA_TYPE": "task", "endpoint_id": DEFAULT_SOURCE_ID, "path": "/", "name": "x"},
         "DATA_TYPE"),
    ],
)  # fmt: skip
def test_bad_bookmarks_are_400(
    own_tc: globus_sdk.TransferClient, body: dict[str, object], says: str
) -> None:
    err = api_error(lambda: own_tc.create_bookmark(body))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")
    assert says in err.message
    assert own_tc.bookmark_list()["DATA"] == []


def test_a_bookmark_of_an_unknown_collection_is_endpoint_not_found(
    own_tc: globus_sdk.TransferClient,
) -> None:
    body = {"endpoint_id": str(uuid.uuid4()), "path": "/", "name": "x"}
    err = api_error(lambda: own_tc.create_bookmark(body))
    assert (err.http_status, err.code) == (404, "EndpointNotFound")


def test_names_are_unique_per_identity(
    own_tc: globus_sdk.TransferClient, tc: globus_sdk.TransferClient
) -> None:
    make(own_tc, "same")
    other = str(make(own_tc, "other")["id"])
    err = api_error(lambda: make(own_tc, "same"))
    assert (err.http_status, err.code) == (409, "ClientError.Conflict")
    err = api_error(lambda: own_tc.update_bookmark(other, {"name": "same"}))
    assert (err.http_status, err.code) == (409, "ClientError.Conflict")
    err = api_error(lambda: own_tc.update_bookmark(other, {"path": "/elsewhere/"}))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")
    # Another identity may use the same name.
    theirs = str(make(tc, f"same-{uuid.uuid4()}")["id"])
    tc.delete_bookmark(theirs)


def test_at_most_a_hundred_bookmarks(own_tc: globus_sdk.TransferClient) -> None:
    for i in range(MAX_BOOKMARKS):
        make(own_tc, f"b{i}", path=f"/p{i}/")
    err = api_error(lambda: make(own_tc, "one too many"))
    assert (err.http_status, err.code) == (409, "ClientError.Conflict")
    assert len(own_tc.bookmark_list()["DATA"]) == MAX_BOOKMARKS


def test_a_bookmark_may_point_at_any_collection(own_tc: globus_sdk.TransferClient) -> None:
    body = {"endpoint_id": DEFAULT_DESTINATION_ID, "path": "/~/", "name": "home"}
    assert own_tc.create_bookmark(body)["endpoint_id"] == DEFAULT_DESTINATION_ID
