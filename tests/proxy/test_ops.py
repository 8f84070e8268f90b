"""File operations through the proxy, checked against the emulator's backing directories."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import (
    TAPIPY_HEADERS,
    CallCounter,
    ProxyClient,
    Scratch,
    Tokens,
    encoded_segment,
)

LAST_MODIFIED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$")


def names(answer: Any) -> list[str]:
    return sorted(entry["name"] for entry in answer.json()["result"]["DATA"])


def source_root(proxy: ProxyClient) -> Path:
    return proxy.globus.root(DEFAULT_SOURCE_ID)


# --- listFiles ---------------------------------------------------------------------------


def test_list_matches_the_backing_directory(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1/tree", tokens)
    assert answer.status_code == 200, answer.text
    on_disk = sorted(p.name for p in (source_root(proxy) / "data1" / "tree").iterdir())
    assert names(answer) == on_disk


def test_every_entry_has_the_fields_files_reads(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    entries = answer.json()["result"]["DATA"]
    assert entries
    for entry in entries:
        assert isinstance(entry["name"], str) and entry["name"]
        assert entry["type"] in {"file", "dir"}
        assert isinstance(entry["size"], int) and not isinstance(entry["size"], bool)
        for key in ("user", "group", "permissions"):
            assert isinstance(entry[key], str), (key, entry)
        assert LAST_MODIFIED.match(entry["last_modified"]), entry["last_modified"]
    by_name = {e["name"]: e for e in entries}
    assert by_name["1M.dat"]["size"] == 1024 * 1024
    assert by_name["1M.dat"]["type"] == "file"
    assert by_name["tree"]["type"] == "dir"


def test_stat_by_filter_finds_one_entry(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(
        DEFAULT_SOURCE_ID,
        "/data1",
        tokens,
        query={"limit": 1, "offset": 0, "filter": "name:=10M.dat"},
    )
    assert answer.status_code == 200, answer.text
    assert names(answer) == ["10M.dat"]


def test_filter_matching_nothing_in_existing_dir_is_empty_200(
    proxy: ProxyClient, tokens: Tokens
) -> None:
    answer = proxy.ls(
        DEFAULT_SOURCE_ID,
        "/data1",
        tokens,
        query={"limit": 1, "offset": 0, "filter": "name:=no-such-file"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["DATA"] == []


def test_listing_a_file_path_gives_its_one_entry(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1/1M.dat", tokens)
    assert answer.status_code == 200, answer.text
    data = answer.json()["result"]["DATA"]
    assert len(data) == 1
    entry = data[0]
    assert entry["name"] == "1M.dat"
    assert entry["type"] == "file"
    assert entry["size"] == 1024 * 1024
    assert LAST_MODIFIED.match(entry["last_modified"])


def test_java_internal_limit_is_clamped(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, query={"limit": 2147483647})
    assert answer.status_code == 200, answer.text
    assert names(answer) == ["10M.dat", "1M.dat", "tree"]


def test_limit_and_offset_page_through(proxy: ProxyClient, tokens: Tokens) -> None:
    full = names(proxy.ls(DEFAULT_SOURCE_ID, "/data1/tree", tokens))
    pages = []
    for offset in range(len(full)):
        page = proxy.ls(
            DEFAULT_SOURCE_ID, "/data1/tree", tokens, query={"limit": 1, "offset": offset}
        )
        assert page.status_code == 200, page.text
        assert len(page.json()["result"]["DATA"]) == 1
        pages += names(page)
    assert sorted(pages) == full


# --- paths: how the clients spell them ---------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "encoded"),
    [
        ("/data1/tree", True),
        ("data1/tree", True),
        ("//data1/tree", True),
        ("/data1/tree/", True),
        ("/~/data1/tree", True),
        ("data1/tree", False),
        ("/data1/tree", False),
        ("data1//tree", False),
        ("data1/tree/", False),
        ("~/data1/tree", False),
    ],
)
def test_every_path_spelling_reaches_the_same_place_in_one_call(
    proxy: ProxyClient, tokens: Tokens, calls: CallCounter, spelling: str, encoded: bool
) -> None:
    calls.start()
    answer = proxy.ls(DEFAULT_SOURCE_ID, spelling, tokens, encoded=encoded)
    assert answer.status_code == 200, answer.text
    assert names(answer) == ["README.txt", "a", "b"]
    assert calls.total() == 1, calls.by_route()


def test_double_slash_after_the_endpoint_id(proxy: ProxyClient, tokens: Tokens) -> None:
    raw = f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}//data1/tree"
    answer = proxy.call("GET", raw, tokens=tokens)
    assert answer.status_code == 200, answer.text
    assert names(answer) == ["README.txt", "a", "b"]


@pytest.mark.parametrize("encoded", [True, False])
def test_tilde_means_home(proxy: ProxyClient, tokens: Tokens, encoded: bool) -> None:
    home = proxy.ls(DEFAULT_SOURCE_ID, "/~" if encoded else "~", tokens, encoded=encoded)
    assert home.status_code == 200, home.text
    assert names(home) == sorted(p.name for p in source_root(proxy).iterdir())


def test_the_files_example_path_spelling(proxy: ProxyClient, tokens: Tokens) -> None:
    """What Tapis Files sends for `/~/data1`: `%2F%7E%2Fdata1`."""
    raw = f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/%2F%7E%2Fdata1"
    assert raw.endswith(encoded_segment("/~/data1"))
    answer = proxy.call("GET", raw, tokens=tokens)
    assert answer.status_code == 200, answer.text
    assert "1M.dat" in names(answer)


@pytest.mark.parametrize(
    ("method", "raw", "status"),
    [
        ("GET", "/healthcheck/", 404),
        ("GET", "/no-such-thing", 404),
        ("GET", f"/transfers/{DEFAULT_CLIENT_ID}/", 404),
        ("POST", "/healthcheck", 405),
    ],
)
def test_unknown_routes_are_envelopes_not_redirects(
    proxy: ProxyClient, method: str, raw: str, status: int
) -> None:
    """`proxy.call` also checks that nothing redirects, and that every answer is an envelope."""
    answer = proxy.call(method, raw)
    assert answer.status_code == status, answer.text
    expected = "No such route" if status == 404 else f"Method {method} is not allowed"
    assert answer.json()["message"].startswith(expected), answer.json()["message"]


# --- makeDir, renamePath, deletePath -----------------------------------------------------


def test_mkdir_with_empty_body_creates_the_directory(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    path, backing = scratch
    answer = proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{path}/made", tokens)
    assert answer.status_code == 200, answer.text
    assert (backing / "made").is_dir()


def test_mkdir_plain_path_and_json_body(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    path, backing = scratch
    answer = proxy.ops(
        "POST",
        DEFAULT_DESTINATION_ID,
        f"{path}/plain".lstrip("/"),
        tokens,
        encoded=False,
        json_body={"not_used": "x"},
    )
    assert answer.status_code == 200, answer.text
    assert (backing / "plain").is_dir()


def test_mkdir_existing_is_409(proxy: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    path, backing = scratch
    (backing / "there").mkdir()
    answer = proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{path}/there", tokens)
    assert answer.status_code == 409, answer.text
    assert "exist" in answer.json()["message"].lower()


def test_rename_moves_the_file(proxy: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    path, backing = scratch
    (backing / "old.txt").write_text("payload")
    answer = proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{path}/old.txt",
        tokens,
        json_body={"destination": f"{path}/new.txt"},
    )
    assert answer.status_code == 200, answer.text
    assert not (backing / "old.txt").exists()
    assert (backing / "new.txt").read_text() == "payload"


def test_rename_missing_source_is_404(proxy: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    path, _ = scratch
    answer = proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{path}/absent",
        tokens,
        json_body={"destination": f"{path}/whatever"},
    )
    assert answer.status_code == 404, answer.text


def wait_for_delete(proxy: ProxyClient, tokens: Tokens, answer: Any) -> None:
    assert answer.status_code == 200, answer.text
    task_id = answer.json()["result"]["task_id"]
    final = proxy.wait_for_task(task_id, tokens, until={"SUCCEEDED", "FAILED"})
    assert final["status"] == "SUCCEEDED", final
    assert final["type"] == "DELETE"


def test_delete_recurse_true_removes_a_tree(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    path, backing = scratch
    (backing / "tree" / "sub").mkdir(parents=True)
    (backing / "tree" / "sub" / "f.txt").write_text("x")
    answer = proxy.ops(
        "DELETE", DEFAULT_DESTINATION_ID, f"{path}/tree", tokens, query={"recurse": "true"}
    )
    wait_for_delete(proxy, tokens, answer)
    assert not (backing / "tree").exists()


@pytest.mark.parametrize("recurse", ["false", "False", "0"])
def test_delete_recurse_false_keeps_a_non_empty_tree(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch, recurse: str
) -> None:
    """The old service deleted recursively on the string "false"; this one must not."""
    path, backing = scratch
    (backing / "tree").mkdir()
    (backing / "tree" / "keep.txt").write_text("x")
    answer = proxy.ops(
        "DELETE", DEFAULT_DESTINATION_ID, f"{path}/tree", tokens, query={"recurse": recurse}
    )
    assert answer.status_code == 200, answer.text
    task_id = answer.json()["result"]["task_id"]
    final = proxy.wait_for_task(task_id, tokens, until={"SUCCEEDED", "FAILED"})
    assert final["status"] == "FAILED", final
    assert (backing / "tree" / "keep.txt").exists()


@pytest.mark.parametrize("recurse", ["True", "1", "true"])
def test_delete_file_with_each_true_spelling(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch, recurse: str
) -> None:
    path, backing = scratch
    (backing / "gone.txt").write_text("x")
    answer = proxy.ops(
        "DELETE", DEFAULT_DESTINATION_ID, f"{path}/gone.txt", tokens, query={"recurse": recurse}
    )
    wait_for_delete(proxy, tokens, answer)
    assert not (backing / "gone.txt").exists()


def test_delete_without_recurse_removes_a_file(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    path, backing = scratch
    (backing / "single.txt").write_text("x")
    answer = proxy.ops("DELETE", DEFAULT_DESTINATION_ID, f"{path}/single.txt", tokens)
    wait_for_delete(proxy, tokens, answer)
    assert not (backing / "single.txt").exists()


# --- how tapipy sends the same calls -------------------------------------------------------


def test_tapipy_style_requests_without_content_type(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    """tapipy sends the path unencoded and no Content-Type on bodiless calls."""
    path, backing = scratch
    listed = proxy.ls(DEFAULT_SOURCE_ID, "data1", tokens, encoded=False, headers=TAPIPY_HEADERS)
    assert listed.status_code == 200, listed.text
    assert "1M.dat" in names(listed)
    made = proxy.ops(
        "POST",
        DEFAULT_DESTINATION_ID,
        f"{path}/tapipy".lstrip("/"),
        tokens,
        encoded=False,
        headers=TAPIPY_HEADERS,
    )
    assert made.status_code == 200, made.text
    assert (backing / "tapipy").is_dir()
    deleted = proxy.ops(
        "DELETE",
        DEFAULT_DESTINATION_ID,
        f"{path}/tapipy".lstrip("/"),
        tokens,
        encoded=False,
        headers=TAPIPY_HEADERS,
        query={"recurse": "true"},
    )
    wait_for_delete(proxy, tokens, deleted)
    assert not (backing / "tapipy").exists()


ODD_NAMES = ["with space.txt", "a+b.txt", "100%.txt", "100%2F.txt", "hash#q?.txt", "ünï ç.txt"]


def test_odd_names_survive_the_one_segment_encoding(
    proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    """The generated Java client escapes the path like URLEncoder, spaces as %20; no name may be
    decoded twice (`100%2F.txt` is a name, not a path) or lose its `+`."""
    path, backing = scratch
    for name in ODD_NAMES:
        (backing / name).write_text(name)
    listed = proxy.ls(DEFAULT_DESTINATION_ID, path, tokens)
    assert names(listed) == sorted(ODD_NAMES)
    for name in ODD_NAMES:
        stat = proxy.ls(DEFAULT_DESTINATION_ID, f"{path}/{name}", tokens)
        assert stat.status_code == 200, (name, stat.text)
        assert [e["name"] for e in stat.json()["result"]["DATA"]] == [name]
    renamed = proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{path}/a+b.txt",
        tokens,
        json_body={"destination": f"{path}/c d+e%.txt"},
    )
    assert renamed.status_code == 200, renamed.text
    assert (backing / "c d+e%.txt").read_text() == "a+b.txt"
    made = proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{path}/dir 100%2F", tokens)
    assert made.status_code == 200, made.text
    assert (backing / "dir 100%2F").is_dir()


def test_files_style_mkdir_p(proxy: ProxyClient, tokens: Tokens, scratch: Scratch) -> None:
    """Files builds `mkdir -p` from stat-by-filter on each parent and one mkdir per level."""
    path, backing = scratch
    parent = path
    for component in ("a", "b", "c"):
        stat = proxy.ls(
            DEFAULT_DESTINATION_ID,
            parent,
            tokens,
            query={"limit": 1, "offset": 0, "filter": f"name:={component}"},
        )
        assert stat.status_code == 200, stat.text
        assert stat.json()["result"]["DATA"] == []
        made = proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{parent}/{component}", tokens)
        assert made.status_code == 200, made.text
        assert made.json()["status"] == "success"
        parent = f"{parent}/{component}"
        again = proxy.ls(
            DEFAULT_DESTINATION_ID,
            parent.rsplit("/", 1)[0],
            tokens,
            query={"limit": 1, "offset": 0, "filter": f"name:={component}"},
        )
        assert [e["type"] for e in again.json()["result"]["DATA"]] == ["dir"]
    assert (backing / "a" / "b" / "c").is_dir()
