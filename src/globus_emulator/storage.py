"""A collection's files: safe path resolution inside its root, and the changes made to them
(mkdir, rename, delete, and the byte copying and comparing that tasks do).

Every path a client sends is a path *inside* a collection. It is normalised lexically first
(so ``..`` can never climb above the collection's ``/``), then resolved on disk, and the real
path must stay under the collection's root: a symlink that points outside is refused.
Nothing here knows about HTTP; callers map the exceptions to Globus error documents.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import stat
from pathlib import Path
from typing import Any

from globus_emulator.world import Collection


class StorageError(Exception):
    """A file operation failed; ``path`` is the collection path it failed on."""

    def __init__(self, path: str, detail: str = "") -> None:
        super().__init__(detail or path)
        self.path = path
        self.detail = detail


class PathNotFound(StorageError):
    pass


class NotADirectory(StorageError):
    pass


class PathExists(StorageError):
    pass


class PathNotAllowed(StorageError):
    """The path leaves the collection (a symlink pointing outside its root)."""


class InvalidPath(StorageError):
    """A path Globus refuses outright (a NUL byte, or the ``\\r\\n`` Globus forbids)."""


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------


def check_path(raw: str) -> None:
    """Refuse what no collection accepts: NUL bytes, and ``\\r\\n`` as Globus forbids."""
    if "\x00" in raw or "\r\n" in raw:
        raise InvalidPath(raw, "Invalid path")


def collection_path(collection: Collection, path: str | None) -> str:
    """The normalised absolute path inside the collection that ``path`` names.

    ``/~/x`` and ``~/x`` are under the collection's home; a path without a leading ``/`` is
    relative to home too (as Globus treats GCS paths); ``..`` stops at the collection's ``/``.
    """
    raw = path if path else "/~/"
    check_path(raw)
    home = collection.home or "/"
    if raw == "/~" or raw.startswith("/~/"):
        raw = home + "/" + raw[2:]
    elif raw == "~" or raw.startswith("~/"):
        raw = home + "/" + raw[1:]
    elif not raw.startswith("/"):
        raw = home + "/" + raw
    return posixpath.normpath("/" + raw.lstrip("/")).replace("//", "/")


def _inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def resolve(collection: Collection, cpath: str, *, follow_final: bool = True) -> Path:
    """The real local path for a normalised collection path, refusing anything outside root.

    With ``follow_final=False`` the last component is not followed (so rename and delete act
    on a symlink itself); its parent still must resolve inside the root.
    """
    root = str(collection.root)
    if cpath == "/":
        return collection.root
    parent, name = posixpath.split(cpath)
    parent_real = os.path.realpath(root + parent)
    if not _inside(root, parent_real):
        raise PathNotAllowed(cpath, "Path not allowed")
    candidate = os.path.join(parent_real, name)
    if not follow_final:
        return Path(candidate)
    real = os.path.realpath(candidate)
    if not _inside(root, real):
        raise PathNotAllowed(cpath, "Path not allowed")
    return Path(real)


def to_collection_path(collection: Collection, real: str) -> str | None:
    """The collection path of a real local path, or None when it lies outside the root."""
    root = str(collection.root)
    if not _inside(root, real):
        return None
    rel = real[len(root) :]
    return rel if rel.startswith("/") else "/" + rel


# ---------------------------------------------------------------------------------------------
# Changes: mkdir, rename, delete
# ---------------------------------------------------------------------------------------------


def make_directory(collection: Collection, cpath: str) -> None:
    """Create one directory; its parent must exist, as with Globus's mkdir."""
    local = resolve(collection, cpath, follow_final=False)
    if os.path.lexists(local):
        raise PathExists(cpath)
    try:
        os.mkdir(local)
    except FileNotFoundError as err:
        raise PathNotFound(posixpath.dirname(cpath)) from err
    except NotADirectoryError as err:
        raise PathNotFound(posixpath.dirname(cpath)) from err


def rename_path(collection: Collection, old: str, new: str) -> None:
    """Rename within one collection; the new path's parent must exist and it must be free."""
    if old == "/" or new == "/":
        raise PathNotAllowed(old, "Cannot rename the collection root")
    old_local = resolve(collection, old, follow_final=False)
    new_local = resolve(collection, new, follow_final=False)
    if not os.path.lexists(old_local):
        raise PathNotFound(old)
    if os.path.lexists(new_local):
        raise PathExists(new)
    if not os.path.isdir(new_local.parent):
        raise PathNotFound(posixpath.dirname(new))
    if (new_local.as_posix() + "/").startswith(old_local.as_posix() + "/"):
        raise PathNotAllowed(new, "Cannot move a directory into itself")
    os.rename(old_local, new_local)


def delete_path(collection: Collection, cpath: str, *, recursive: bool) -> tuple[int, int]:
    """Delete a file, a symlink (not its target) or a directory. Returns (files, dirs) removed."""
    if cpath == "/":
        raise PathNotAllowed(cpath, "Cannot delete the collection root")
    local = resolve(collection, cpath, follow_final=False)
    try:
        st = os.lstat(local)
    except FileNotFoundError as err:
        raise PathNotFound(cpath) from err
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(local)
        return 1, 0
    if not recursive:
        raise IsADirectoryError(cpath)
    files = dirs = 0
    for _, subdirs, names in os.walk(local):
        files += len(names)
        dirs += len(subdirs)
    shutil.rmtree(local)
    return files, dirs + 1


# ---------------------------------------------------------------------------------------------
# Copying and comparing, for tasks
# ---------------------------------------------------------------------------------------------


def in_sync(level: Any, src: Path, dst: Path) -> bool:
    """Whether sync_level lets this file be skipped (0 exists, 1 size, 2 mtime, 3 checksum)."""
    if level is None or not dst.exists():
        return False
    s, d = os.stat(src), os.stat(dst)
    if level == 0:
        return True
    if level == 1:
        return s.st_size == d.st_size
    if level == 2:
        return s.st_size == d.st_size and int(d.st_mtime) >= int(s.st_mtime)
    return s.st_size == d.st_size and md5_of(src) == md5_of(dst)


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while block := f.read(4 * 1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def copy_some(src_fd: int, dst_fd: int, count: int) -> int:
    """Up to ``count`` bytes in the kernel when it can; plain read/write otherwise."""
    try:
        return os.copy_file_range(src_fd, dst_fd, count)
    except OSError:
        data = os.read(src_fd, min(count, 8 * 1024 * 1024))
        view = memoryview(data)
        while view:
            view = view[os.write(dst_fd, view) :]
        return len(data)
