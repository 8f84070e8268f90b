"""Globus ``file`` documents: the stat of one path, and directory listings.

Listings apply Globus's ``filter`` and ``orderby`` before ``offset`` and ``limit``. Paths are
resolved with ``storage``, so nothing here reaches outside a collection's root.
"""

from __future__ import annotations

import fnmatch
import grp
import os
import posixpath
import pwd
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from globus_emulator.storage import NotADirectory, PathNotFound, resolve, to_collection_path
from globus_emulator.world import Collection

LS_MAX_LIMIT = 100_000


class BadFilter(ValueError):
    """A listing ``filter`` or ``orderby`` the emulator cannot parse."""


@lru_cache(maxsize=256)
def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@lru_cache(maxsize=256)
def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def format_mtime(timestamp: float) -> str:
    """Globus's listing time format, exactly ``YYYY-MM-DD HH:MM:SS+00:00``."""
    return _format_second(int(timestamp))


@lru_cache(maxsize=8192)
def _format_second(second: int) -> str:
    # strftime is the costliest step of a listing; files written together share a second.
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


def _stat_fields(st: os.stat_result) -> dict[str, Any]:
    return {
        "group": _group(st.st_gid),
        "last_modified": format_mtime(st.st_mtime),
        "permissions": f"{stat.S_IMODE(st.st_mode):04o}",
        "size": st.st_size,
        "type": "dir" if stat.S_ISDIR(st.st_mode) else "file",
        "user": _user(st.st_uid),
    }


def file_document(
    collection: Collection, local: str, name: str, st: os.stat_result
) -> dict[str, Any]:
    """One Globus ``file`` document; ``st`` is the entry's own lstat.

    A symlink inside the root reports its target's fields plus ``link_*`` for the link
    itself; a dangling link or one pointing outside the root is ``invalid_symlink``.
    """
    mode = st.st_mode
    if not stat.S_ISLNK(mode):
        return {
            "DATA_TYPE": "file",
            "group": _group(st.st_gid),
            "last_modified": _format_second(int(st.st_mtime)),
            "link_group": None,
            "link_last_modified": None,
            "link_size": None,
            "link_target": None,
            "link_user": None,
            "name": name,
            "permissions": f"{stat.S_IMODE(mode):04o}",
            "size": st.st_size,
            "type": "dir" if stat.S_ISDIR(mode) else "file",
            "user": _user(st.st_uid),
        }
    doc: dict[str, Any] = {
        "DATA_TYPE": "file",
        "link_group": None,
        "link_last_modified": None,
        "link_size": None,
        "link_target": None,
        "link_user": None,
        "name": name,
    }
    real = os.path.realpath(local)
    target = to_collection_path(collection, real)
    target_st = None
    if target is not None:
        try:
            target_st = os.stat(real)
        except OSError:
            target_st = None
    if target_st is None:
        doc.update(_stat_fields(st))
        doc["type"] = "invalid_symlink"
        return doc
    doc.update(_stat_fields(target_st))
    doc.update(
        link_group=_group(st.st_gid),
        link_last_modified=format_mtime(st.st_mtime),
        link_size=st.st_size,
        link_target=target,
        link_user=_user(st.st_uid),
    )
    return doc


def stat_path(collection: Collection, cpath: str) -> dict[str, Any]:
    """The ``file`` document of one path (operation_stat)."""
    local = resolve(collection, cpath, follow_final=False)
    try:
        st = os.lstat(local)
    except FileNotFoundError as err:
        raise PathNotFound(cpath) from err
    if stat.S_ISLNK(st.st_mode):
        resolve(collection, cpath)  # refuse links that leave the root
    name = posixpath.basename(cpath) or "/"
    return file_document(collection, str(local), name, st)


# ---------------------------------------------------------------------------------------------
# Listing: filter, orderby, paging
# ---------------------------------------------------------------------------------------------

_OPERATORS = ("!~", "!=", ">=", "<=", "~", "=", ">", "<")
_FIELDS = ("name", "type", "size", "last_modified", "permissions", "user", "group")
_NUMERIC = ("size",)

Predicate = Callable[[dict[str, Any]], bool]


def _clause(text: str) -> Predicate:
    field, sep, rest = text.partition(":")
    field = field.strip()
    if not sep or field not in _FIELDS:
        raise BadFilter(f"Invalid filter clause '{text}'")
    op = next((o for o in _OPERATORS if rest.startswith(o)), "")
    values = rest[len(op) :].split(",")
    if field == "last_modified" and not op and len(values) == 2:
        start, end = values
        return lambda e: (not start or e[field] >= start) and (not end or e[field] < end)
    op = op or "="
    if field in _NUMERIC:
        try:
            numbers = [int(v) for v in values]
        except ValueError as err:
            raise BadFilter(f"Invalid filter clause '{text}': {field} needs an integer") from err
        return _compare(field, op, numbers)
    return _compare(field, op, values)


def _compare(field: str, op: str, values: list[Any]) -> Predicate:
    if op == "=":
        return lambda e: e[field] in values
    if op == "!=":
        return lambda e: e[field] not in values
    if op == "~":
        return lambda e: any(fnmatch.fnmatchcase(str(e[field]), v) for v in values)
    if op == "!~":
        return lambda e: not any(fnmatch.fnmatchcase(str(e[field]), v) for v in values)
    bound = values[0]
    if op == ">":
        return lambda e: e[field] > bound
    if op == ">=":
        return lambda e: e[field] >= bound
    if op == "<":
        return lambda e: e[field] < bound
    return lambda e: e[field] <= bound


def _all_of(predicates: list[Predicate]) -> Predicate:
    return lambda e: all(p(e) for p in predicates)


def parse_filter(filters: Iterable[str]) -> Predicate:
    """Globus's filter semantics: in one ``filter`` parameter, ``field:[op]v1,v2`` clauses
    joined by ``/`` must all hold (a clause's comma-separated values are alternatives); an
    entry matching any one of several ``filter`` parameters is kept. No filter keeps all.

    globus-cli's recursive ``ls --filter`` relies on the OR: it sends ``filter=type:dir`` and
    ``filter=name:<pattern>`` to keep the directories it must descend into.
    """
    alternatives = []
    for text in filters:
        clauses = [_clause(clause) for clause in text.split("/") if clause.strip()]
        if clauses:
            alternatives.append(_all_of(clauses))
    if not alternatives:
        return lambda e: True
    return lambda e: any(matches(e) for matches in alternatives)


def parse_orderby(orderby: str | None) -> list[tuple[str, bool]]:
    """``"type ASC, name DESC"`` -> ``[("type", False), ("name", True)]`` (True = descending)."""
    if not orderby:
        return [("name", False)]
    keys = []
    for part in orderby.split(","):
        words = part.split()
        if not words:
            continue
        if words[0] not in _FIELDS or len(words) > 2:
            raise BadFilter(f"Invalid orderby '{part.strip()}'")
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if direction not in ("ASC", "DESC"):
            raise BadFilter(f"Invalid orderby direction '{words[1]}'")
        keys.append((words[0], direction == "DESC"))
    return keys or [("name", False)]


# A directory whose own size is at most this (a thousand-odd entries on ext4) is listed on the
# event loop: for it a worker thread costs more than the listing, and under load, threads
# making many short syscalls fight over the GIL (throughput fell as concurrency rose).
SMALL_DIRECTORY_BYTES = 64 * 1024


def is_small_directory(local: Path) -> bool:
    try:
        return os.stat(local).st_size <= SMALL_DIRECTORY_BYTES
    except OSError:
        return True  # list_directory reports what is wrong


@dataclass
class Listing:
    entries: list[dict[str, Any]]
    total: int
    absolute_path: str


def list_directory(
    collection: Collection,
    cpath: str,
    local: Path,
    *,
    keep: Predicate,
    orderby: list[tuple[str, bool]],
    show_hidden: bool,
    limit: int,
    offset: int,
) -> Listing:
    """List a directory (``local`` is ``resolve(collection, cpath)``); filters apply before
    offset and limit, as in Globus."""
    try:
        scanner = os.scandir(local)
    except FileNotFoundError as err:
        raise PathNotFound(cpath) from err
    except NotADirectoryError as err:
        raise NotADirectory(cpath) from err
    entries = []
    with scanner:
        for dirent in scanner:
            name = dirent.name
            if not show_hidden and name.startswith("."):
                continue
            try:
                st = dirent.stat(follow_symlinks=False)
            except OSError:
                continue
            entry = file_document(collection, dirent.path, name, st)
            if keep(entry):
                entries.append(entry)
    for key, descending in reversed(orderby):
        entries.sort(key=itemgetter(key), reverse=descending)
    absolute = cpath if cpath.endswith("/") else cpath + "/"
    return Listing(entries[offset : offset + limit], len(entries), absolute)
