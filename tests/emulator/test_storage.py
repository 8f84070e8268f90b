"""Storage rules the HTTP tests rely on: path normalisation, containment, filters, formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from globus_emulator import listing, storage
from globus_emulator.world import Collection


@pytest.fixture
def coll(tmp_path: Path) -> Collection:
    root = tmp_path / "root"
    (root / "home" / "alice").mkdir(parents=True)
    return Collection(
        id="c", display_name="c", entity_type="GCSv5_mapped_collection",
        root=root.resolve(), home="/home/alice",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "/home/alice"),
        ("/~/", "/home/alice"),
        ("/~", "/home/alice"),
        ("~/x/y", "/home/alice/x/y"),
        ("x", "/home/alice/x"),
        ("/x//y/./z/", "/x/y/z"),
        ("/../../..", "/"),
        ("/~/../../../etc", "/etc"),
        ("//etc/passwd", "/etc/passwd"),
    ],
)
def test_collection_paths_never_climb_above_root(
    coll: Collection, given: str | None, expected: str
) -> None:
    assert storage.collection_path(coll, given) == expected


def test_resolve_keeps_everything_under_root(coll: Collection, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (coll.root / "out").symlink_to(outside)
    (coll.root / "in").symlink_to(coll.root / "home")
    assert storage.resolve(coll, "/etc/passwd") == coll.root / "etc" / "passwd"
    assert storage.resolve(coll, "/in/alice") == coll.root / "home" / "alice"
    with pytest.raises(storage.PathNotAllowed):
        storage.resolve(coll, "/out")
    with pytest.raises(storage.PathNotAllowed):
        storage.resolve(coll, "/out/anything", follow_final=False)
    assert storage.resolve(coll, "/out", follow_final=False) == coll.root / "out"


def test_prefix_sibling_is_not_inside(coll: Collection) -> None:
    sibling = Path(str(coll.root) + "-evil")
    sibling.mkdir()
    (coll.root / "s").symlink_to(sibling)
    with pytest.raises(storage.PathNotAllowed):
        storage.resolve(coll, "/s")


def test_last_modified_format() -> None:
    assert listing.format_mtime(0) == "1970-01-01 00:00:00+00:00"
    assert listing.format_mtime(1_653_403_016.9) == "2022-05-24 14:36:56+00:00"


@pytest.mark.parametrize(
    "bad", ["name", "colour:x", "size:>a", ":x", "size:x,y"]
)  # fmt: skip
def test_bad_filters_are_rejected(bad: str) -> None:
    with pytest.raises(listing.BadFilter):
        listing.parse_filter([bad])


def test_orderby_parsing() -> None:
    assert listing.parse_orderby(None) == [("name", False)]
    assert listing.parse_orderby("type, size DESC") == [("type", False), ("size", True)]
    with pytest.raises(listing.BadFilter):
        listing.parse_orderby("name UP")


def test_delete_refuses_root_and_directories_without_recursive(coll: Collection) -> None:
    with pytest.raises(storage.PathNotAllowed):
        storage.delete_path(coll, "/", recursive=True)
    with pytest.raises(IsADirectoryError):
        storage.delete_path(coll, "/home", recursive=False)
    assert storage.delete_path(coll, "/home", recursive=True) == (0, 2)
