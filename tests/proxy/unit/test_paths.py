"""Caller paths normalise to one Globus path; `..` never passes."""

from __future__ import annotations

import pytest

from globus_proxy.paths import PathError, PathProblem, collection_path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "/~/"),
        ("~", "/~/"),
        ("/~", "/~/"),
        ("/~/", "/~/"),
        ("//~/data/a", "/~/data/a"),
        ("/~/data/a", "/~/data/a"),
        ("data/a", "/~/data/a"),
        ("~/data/a", "/~/data/a"),
        ("/data//a/", "/data/a/"),
        ("data/./a", "/~/data/a"),
        ("/", "/"),
        ("a..b", "/~/a..b"),
    ],
)
def test_paths_normalise(raw: str, expected: str) -> None:
    assert collection_path(raw) == expected


@pytest.mark.parametrize("raw", ["..", "/~/../etc", "data/../../x", "/a/b/.."])
def test_dot_dot_is_refused(raw: str) -> None:
    with pytest.raises(PathError) as refused:
        collection_path(raw)
    assert refused.value.problem is PathProblem.DOT_DOT


def test_nul_is_refused() -> None:
    with pytest.raises(PathError) as refused:
        collection_path("a\x00b")
    assert refused.value.problem is PathProblem.NUL


@pytest.mark.parametrize("name", ["a" * 256, "é" * 128, "Ṱ̺o͞" * 40])
def test_a_name_longer_than_255_bytes_is_refused(name: str) -> None:
    with pytest.raises(PathError) as refused:
        collection_path(f"/data/{name}/x")
    assert refused.value.problem is PathProblem.NAME_TOO_LONG


def test_a_name_of_255_bytes_passes() -> None:
    assert collection_path("a" * 255) == "/~/" + "a" * 255
