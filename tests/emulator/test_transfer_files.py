"""Transfer v0.10 collections and file operations, driven by the real globus-sdk over HTTP."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import globus_sdk
import globus_sdk.gare
import httpx
import pytest

from globus_emulator.tokens import AUTH_RESOURCE_SERVER
from globus_emulator.world import (
    DEFAULT_DESTINATION_ID,
    DEFAULT_SOURCE_ID,
)
from tests.support.emulated_globus import RunningEmulator
from tests.support.transfer import api_error, issue_token, transfer_client

LAST_MODIFIED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$")
ENTRY_KEYS = {
    "DATA_TYPE",
    "group",
    "last_modified",
    "link_group",
    "link_last_modified",
    "link_size",
    "link_target",
    "link_user",
    "name",
    "permissions",
    "size",
    "type",
    "user",
}


# --- collections ------------------------------------------------------------------------


def test_get_endpoint_describes_the_collection(tc: globus_sdk.TransferClient) -> None:
    doc = tc.get_endpoint(DEFAULT_SOURCE_ID)
    assert doc["DATA_TYPE"] == "endpoint"
    assert doc["id"] == DEFAULT_SOURCE_ID
    assert doc["entity_type"] == "GCSv5_mapped_collection"
    assert doc["display_name"].startswith("ESnet Read-Only Test DTN")
    for key in ("organization", "public", "activated", "DATA", "non_functional"):
        assert key in doc.data


@pytest.mark.parametrize("endpoint_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_endpoint_is_endpoint_not_found(
    tc: globus_sdk.TransferClient, endpoint_id: str
) -> None:
    err = api_error(lambda: tc.get_endpoint(endpoint_id))
    assert (err.http_status, err.code) == (404, "EndpointNotFound")
    assert err.request_id
    assert err.raw_json is not None
    assert err.raw_json["resource"] == f"/v0.10/endpoint/{endpoint_id}"


# --- ls -----------------------------------------------------------------------------------


def test_ls_home_matches_globus_shape(tc: globus_sdk.TransferClient) -> None:
    listing = tc.operation_ls(DEFAULT_SOURCE_ID, path="/~/data1/")
    assert listing["DATA_TYPE"] == "file_list"
    assert listing["path"] == "/~/data1/"
    assert listing["absolute_path"] == "/data1/"
    assert listing["endpoint"] == DEFAULT_SOURCE_ID
    assert listing["length"] == listing["total"] == 3
    assert listing["rename_supported"] is True
    assert listing["symlink_supported"] is False
    entries = {e["name"]: e for e in listing}
    assert set(entries) == {"1M.dat", "10M.dat", "tree"}
    one = entries["1M.dat"]
    assert set(one) == ENTRY_KEYS
    assert one["DATA_TYPE"] == "file"
    assert (one["type"], one["size"]) == ("file", 1024 * 1024)
    assert re.fullmatch(r"0[0-7]{3}", one["permissions"])
    assert LAST_MODIFIED.match(one["last_modified"])
    assert entries["tree"]["type"] == "dir"


@pytest.mark.parametrize("path", ["/~/data1", "~/data1", "data1", "/data1/", "/data1/tree/.."])
def test_ls_path_spellings_reach_the_same_directory(
    tc: globus_sdk.TransferClient, path: str
) -> None:
    names = sorted(e["name"] for e in tc.operation_ls(DEFAULT_SOURCE_ID, path=path))
    assert names == ["10M.dat", "1M.dat", "tree"]


def test_ls_default_path_is_home(tc: globus_sdk.TransferClient) -> None:
    listing = tc.operation_ls(DEFAULT_SOURCE_ID)
    assert listing["path"] == "/~/"
    assert "data1" in [e["name"] for e in listing]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("name:=1M.dat", ["1M.dat"]),
        ("name:=missing.dat", []),
        ("name:~*.dat", ["10M.dat", "1M.dat"]),
        ("name:!~*.dat", ["tree"]),
        ("name:!=tree", ["10M.dat", "1M.dat"]),
        ("type:dir", ["tree"]),
        ("type:file,dir", ["10M.dat", "1M.dat", "tree"]),
        ("type:file/name:~1M*", ["1M.dat"]),
        ("size:>2000000", ["10M.dat"]),
        ("size:<=1048576/type:file", ["1M.dat"]),
        ("name:~1*.dat,tr*", ["10M.dat", "1M.dat", "tree"]),
        ("last_modified:2000-01-01,", ["10M.dat", "1M.dat", "tree"]),
        ("last_modified:,2000-01-01", []),
    ],
)
def test_ls_filters(tc: globus_sdk.TransferClient, flt: str, expected: list[str]) -> None:
    listing = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter=flt)
    assert sorted(e["name"] for e in listing) == expected
    assert listing["total"] == len(expected)


def test_ls_filter_dict_and_list_forms(tc: globus_sdk.TransferClient) -> None:
    as_dict = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter={"type": ["file"]})
    assert sorted(e["name"] for e in as_dict) == ["10M.dat", "1M.dat"]
    # Clauses in one parameter must all hold; separate parameters are alternatives.
    both = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter="type:file/name:~1M*")
    assert [e["name"] for e in both] == ["1M.dat"]
    either = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", filter=["type:dir", "name:~1M*"])
    assert [e["name"] for e in either] == ["1M.dat", "tree"]
    as_dict = tc.operation_ls(
        DEFAULT_SOURCE_ID, path="/data1", filter=[{"type": "file", "name": "~1*"}, "name:=tree"]
    )
    assert [e["name"] for e in as_dict] == ["10M.dat", "1M.dat", "tree"]


def test_ls_recursive_filter_as_globus_cli_sends_it(tc: globus_sdk.TransferClient) -> None:
    """`globus ls -r --filter '~*.txt'`: directories to descend into, plus matching names."""
    found = tc.operation_ls(
        DEFAULT_SOURCE_ID, path="/data1/tree", filter=[{"type": "dir"}, {"name": "~*.txt"}]
    )
    assert [(e["name"], e["type"]) for e in found] == [
        ("README.txt", "file"),
        ("a", "dir"),
        ("b", "dir"),
    ]


def test_ls_filter_applies_before_limit_and_offset(tc: globus_sdk.TransferClient) -> None:
    # What Tapis Files does to stat a path: list the parent, limit 1, filter by name.
    hit = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", limit=1, offset=0, filter="name:=tree")
    assert [e["name"] for e in hit] == ["tree"]
    page = tc.operation_ls(
        DEFAULT_SOURCE_ID, path="/data1", limit=1, offset=1, filter="name:~*.dat"
    )
    assert [e["name"] for e in page] == ["1M.dat"]
    assert (page["length"], page["total"]) == (1, 2)


def test_ls_orderby(tc: globus_sdk.TransferClient) -> None:
    by_name = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1")
    assert [e["name"] for e in by_name] == ["10M.dat", "1M.dat", "tree"]
    by_size = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", orderby="size DESC")
    assert [e["name"] for e in by_size][:2] == ["10M.dat", "1M.dat"]
    mixed = tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", orderby=["type DESC", "name DESC"])
    assert [e["name"] for e in mixed] == ["1M.dat", "10M.dat", "tree"]


def test_ls_show_hidden(tc: globus_sdk.TransferClient, workdir: tuple[str, Path]) -> None:
    cpath, local = workdir
    (local / ".hidden").write_text("x")
    (local / "shown").write_text("y")
    default = tc.operation_ls(DEFAULT_DESTINATION_ID, path=cpath)
    assert sorted(e["name"] for e in default) == [".hidden", "shown"]
    hidden = tc.operation_ls(DEFAULT_DESTINATION_ID, path=cpath, show_hidden=False)
    assert [e["name"] for e in hidden] == ["shown"]


def test_ls_pages_through_a_large_directory(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, local = workdir
    for i in range(250):
        (local / f"f{i:04d}").touch()
    first = tc.operation_ls(DEFAULT_DESTINATION_ID, path=cpath, limit=100)
    last = tc.operation_ls(DEFAULT_DESTINATION_ID, path=cpath, limit=100, offset=200)
    assert (first["length"], first["total"]) == (100, 250)
    assert [e["name"] for e in last][-1] == "f0249"
    assert last["length"] == 50


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 100001},
        {"limit": -1},
        {"limit": "many"},
        {"offset": -5},
        {"filter": "colour:blue"},
        {"filter": "size:>big"},
        {"orderby": "colour ASC"},
        {"orderby": "name SIDEWAYS"},
        {"show_hidden": "perhaps"},
    ],
)
def test_ls_bad_parameters_are_400(tc: globus_sdk.TransferClient, params: dict) -> None:
    err = api_error(lambda: tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1", query_params=params))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")


def test_ls_of_a_file_is_not_directory(tc: globus_sdk.TransferClient) -> None:
    err = api_error(lambda: tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1/1M.dat"))
    assert (err.http_status, err.code) == (502, "ExternalError.DirListingFailed.NotDirectory")


def test_ls_of_a_missing_path_is_not_found(tc: globus_sdk.TransferClient) -> None:
    err = api_error(lambda: tc.operation_ls(DEFAULT_SOURCE_ID, path="/no/such/dir"))
    assert (err.http_status, err.code) == (404, "ClientError.NotFound")
    assert err.raw_json is not None
    assert set(err.raw_json) >= {"code", "message", "request_id", "resource"}


def test_concurrent_listings(globus_env: RunningEmulator) -> None:
    token = issue_token(globus_env.emulator)
    url = f"{globus_env.url}/v0.10/operation/endpoint/{DEFAULT_SOURCE_ID}/ls"
    with httpx.Client(
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        limits=httpx.Limits(max_connections=64),
    ) as client:

        def one(_: int) -> int:
            response = client.get(url, params={"path": "/data1"})
            return response.status_code if response.json()["total"] == 3 else -1

        with ThreadPoolExecutor(64) as pool:
            statuses = list(pool.map(one, range(256)))
    assert statuses == [200] * 256


# --- stat, mkdir, rename ------------------------------------------------------------------


def test_stat_file_and_directory(tc: globus_sdk.TransferClient) -> None:
    doc = tc.operation_stat(DEFAULT_SOURCE_ID, path="/~/data1/1M.dat")
    assert set(doc.data) == ENTRY_KEYS
    assert (doc["name"], doc["type"], doc["size"]) == ("1M.dat", "file", 1024 * 1024)
    assert tc.operation_stat(DEFAULT_SOURCE_ID, path="/data1/tree")["type"] == "dir"


def test_stat_missing_is_not_found(tc: globus_sdk.TransferClient) -> None:
    err = api_error(lambda: tc.operation_stat(DEFAULT_SOURCE_ID, path="/data1/nope"))
    assert (err.http_status, err.code) == (404, "NotFound")


def test_mkdir_then_exists(tc: globus_sdk.TransferClient, workdir: tuple[str, Path]) -> None:
    cpath, local = workdir
    made = tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/new")
    assert (made["DATA_TYPE"], made["code"]) == ("mkdir_result", "DirectoryCreated")
    assert (local / "new").is_dir()
    err = api_error(lambda: tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/new"))
    assert (err.http_status, err.code) == (502, "ExternalError.MkdirFailed.Exists")


def test_mkdir_with_missing_parent_is_not_found(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, local = workdir
    err = api_error(lambda: tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/a/b"))
    assert (err.http_status, err.code) == (404, "ClientError.NotFound")
    assert not (local / "a").exists()


def test_writes_to_a_read_only_collection_are_denied(tc: globus_sdk.TransferClient) -> None:
    mkdir = api_error(lambda: tc.operation_mkdir(DEFAULT_SOURCE_ID, "/data1/new"))
    rename = api_error(
        lambda: tc.operation_rename(DEFAULT_SOURCE_ID, "/data1/1M.dat", "/data1/2M.dat")
    )
    for err in (mkdir, rename):
        assert (err.http_status, err.code) == (403, "EndpointPermissionDenied")
    assert tc.operation_stat(DEFAULT_SOURCE_ID, path="/data1/1M.dat")["size"] == 1024 * 1024


def test_rename(tc: globus_sdk.TransferClient, workdir: tuple[str, Path]) -> None:
    cpath, local = workdir
    (local / "a.txt").write_text("a")
    (local / "taken").write_text("b")
    done = tc.operation_rename(DEFAULT_DESTINATION_ID, f"{cpath}/a.txt", f"{cpath}/b.txt")
    assert (done["DATA_TYPE"], done["code"]) == ("result", "FileRenamed")
    assert (local / "b.txt").read_text() == "a"
    assert not (local / "a.txt").exists()
    missing = api_error(
        lambda: tc.operation_rename(DEFAULT_DESTINATION_ID, f"{cpath}/a.txt", f"{cpath}/c")
    )
    assert (missing.http_status, missing.code) == (404, "ClientError.NotFound")
    clash = api_error(
        lambda: tc.operation_rename(DEFAULT_DESTINATION_ID, f"{cpath}/b.txt", f"{cpath}/taken")
    )
    assert (clash.http_status, clash.code) == (502, "ExternalError.RenameFailed.Exists")


@pytest.mark.parametrize(
    ("op", "body"),
    [
        ("mkdir", b"not json"),
        ("mkdir", b"[1, 2]"),
        ("mkdir", b'{"DATA_TYPE": "mkdir"}'),
        ("mkdir", b'{"DATA_TYPE": "rename", "path": "/x"}'),
        ("mkdir", b""),
        ("rename", b'{"DATA_TYPE": "rename", "old_path": "/a"}'),
        ("rename", b'{"DATA_TYPE": "rename", "old_path": 1, "new_path": "/b"}'),
    ],
)
def test_malformed_operation_bodies_are_400(
    globus_env: RunningEmulator, op: str, body: bytes
) -> None:
    token = issue_token(globus_env.emulator)
    response = httpx.post(
        f"{globus_env.url}/v0.10/operation/endpoint/{DEFAULT_DESTINATION_ID}/{op}",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "ClientError.BadRequest"


# --- bearer tokens ------------------------------------------------------------------------


def test_missing_authorization_header_is_authentication_failed(
    globus_env: RunningEmulator,
) -> None:
    response = httpx.get(f"{globus_env.url}/v0.10/endpoint/{DEFAULT_SOURCE_ID}")
    assert response.status_code == 401
    doc = response.json()
    assert doc["code"] == "AuthenticationFailed"
    assert set(doc) >= {"message", "request_id", "resource"}


def test_bad_expired_revoked_and_foreign_tokens_are_401(globus_env: RunningEmulator) -> None:
    emu = globus_env.emulator
    expired = issue_token(emu)
    emu.tokens.expire_access_tokens(expired)
    revoked = issue_token(emu)
    emu.tokens.revoke(revoked)
    foreign = issue_token(emu, resource_server=AUTH_RESOURCE_SERVER)
    for token in ("not-a-token", expired, revoked, foreign):
        err = api_error(lambda t=token: transfer_client(t).get_endpoint(DEFAULT_SOURCE_ID))
        assert (err.http_status, err.code) == (401, "AuthenticationFailed")
        assert token not in err.message


def test_invalid_paths_are_400(tc: globus_sdk.TransferClient, globus_env: RunningEmulator) -> None:
    err = api_error(lambda: tc.operation_ls(DEFAULT_SOURCE_ID, path="/data1/a\r\nb"))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")
    data = globus_sdk.TransferData(
        source_endpoint=DEFAULT_SOURCE_ID, destination_endpoint=DEFAULT_DESTINATION_ID
    )
    data.add_item("/data1/1M.dat", "/bad\x00name")
    err = api_error(lambda: tc.submit_transfer(data))
    assert (err.http_status, err.code) == (400, "ClientError.BadRequest")


def test_filesystem_refusals_are_not_500(
    tc: globus_sdk.TransferClient, workdir: tuple[str, Path]
) -> None:
    cpath, _ = workdir
    err = api_error(lambda: tc.operation_mkdir(DEFAULT_DESTINATION_ID, f"{cpath}/{'n' * 300}"))
    assert (err.http_status, err.code) == (502, "ExternalError")
    assert "name too long" in err.message.lower()


def test_ls_echoes_the_path_as_a_directory(tc: globus_sdk.TransferClient) -> None:
    listing = tc.operation_ls(DEFAULT_SOURCE_ID, path="/~/data1")
    assert (listing["path"], listing["absolute_path"]) == ("/~/data1/", "/data1/")


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v0.10/no/such/thing"), ("DELETE", "/v0.10/transfer")]
)
def test_unknown_resources_get_a_globus_error_document(
    globus_env: RunningEmulator, method: str, path: str
) -> None:
    response = httpx.request(method, globus_env.url + path)
    assert response.status_code == 404
    assert response.json()["code"] == "ClientError.NotFound"
