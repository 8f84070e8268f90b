"""The task engine: a small worker pool that really copies and deletes files.

Workers copy in chunks, read the world's rate limit before every chunk, and check the task's
cancel flag between chunks, so a cancel or a shutdown stops the copying promptly.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from globus_emulator import storage
from globus_emulator.tasks import Task, TransferItem
from globus_emulator.world import Collection, World

WORKERS = 4
FAST_CHUNK = 256 * 1024 * 1024  # in-kernel copy; a cancel waits at most one chunk
RATED_CHUNK = 1024 * 1024


class TaskFailure(Exception):
    """Ends a task FAILED with this ``fatal_error``."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class Canceled(Exception):
    pass


class TaskEngine:
    """Holds every task and runs them on a few worker threads."""

    def __init__(self, world: World, workers: int = WORKERS) -> None:
        self.world = world
        self._tasks: dict[str, Task] = {}
        # (owner, submission id) -> task id: resubmitting returns the first task.
        self._by_submission: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="emulator-task")

    # -- submission and lookup ------------------------------------------------------------

    def submit(self, task: Task) -> tuple[Task, bool]:
        """Queue a task unless its submission id was used; returns (task, is_duplicate)."""
        with self._lock:
            key = (task.owner_id, task.submission_id)
            existing = self._by_submission.get(key)
            if existing is not None:
                return self._tasks[existing], True
            self._tasks[task.task_id] = task
            self._by_submission[key] = task.task_id
        task.add_event("STARTED", "started", "Task submitted")
        self._pool.submit(self._run, task)
        return task, False

    def get(self, task_id: str, owner_id: str) -> Task | None:
        """A task visible to this owner; someone else's task is as good as missing."""
        with self._lock:
            task = self._tasks.get(task_id)
        return task if task is not None and task.owner_id == owner_id else None

    def owned_by(self, owner_id: str) -> list[Task]:
        with self._lock:
            tasks = [t for t in self._tasks.values() if t.owner_id == owner_id]
        return sorted(tasks, key=lambda t: t.request_time, reverse=True)

    def cancel(self, task: Task, wait_seconds: float = 2.0) -> bool:
        """Ask a task to stop; True once it has ended within ``wait_seconds``."""
        task.cancel_requested.set()
        with task.lock:
            queued = not task.claimed
            task.claimed = True
        if queued:  # no worker has it yet: end it here
            self._end_canceled(task)
        return task.finished.wait(wait_seconds)

    def shutdown(self) -> None:
        """Stop every worker promptly: running tasks see the flag at their next chunk."""
        self._stopping.set()
        with self._lock:
            tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel_requested.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- running ------------------------------------------------------------------------

    def _check(self, task: Task) -> None:
        if task.cancel_requested.is_set() or self._stopping.is_set():
            raise Canceled
        if datetime.now(UTC) >= task.deadline:
            raise TaskFailure("EXPIRED", "The task deadline passed before it completed")

    def _run(self, task: Task) -> None:
        with task.lock:
            if task.claimed:
                return
            task.claimed = True
            task.started_at = time.time()
            task.nice_status = "OK"
        try:
            self._check(task)
            if task.type == "TRANSFER":
                self._run_transfer(task)
            else:
                self._run_delete(task)
        except Canceled:
            self._end_canceled(task)
        except TaskFailure as failure:
            task.add_event(failure.code, "fatal error", failure.description, error=True)
            fatal = {"code": failure.code, "description": failure.description}
            self._finish(task, "FAILED", fatal)
        except Exception as err:  # the emulator must never leave a task ACTIVE forever
            task.add_event("UNKNOWN", "fatal error", type(err).__name__, error=True)
            self._finish(task, "FAILED", {"code": "UNKNOWN", "description": type(err).__name__})
        else:
            task.add_event("SUCCEEDED", "succeeded", "The task completed successfully")
            self._finish(task, "SUCCEEDED", None)

    def _end_canceled(self, task: Task) -> None:
        task.add_event("CANCELED", "canceled", "The task was canceled", error=True)
        self._finish(task, "FAILED", {"code": "CANCELED", "description": "canceled"})

    @staticmethod
    def _finish(task: Task, status: str, fatal: dict[str, str] | None) -> None:
        with task.lock:
            task.status = status
            task.fatal_error = fatal
            task.completion_time = datetime.now(UTC)
            if status == "FAILED":
                remaining = (
                    task.subtasks_total
                    - task.subtasks_succeeded
                    - task.subtasks_failed
                    - task.subtasks_canceled
                )
                if fatal and fatal["code"] == "CANCELED":
                    task.subtasks_canceled += max(remaining, 0)
                elif fatal and fatal["code"] == "EXPIRED":
                    task.subtasks_expired += max(remaining, 0)
                else:
                    task.subtasks_failed += max(remaining, 0)
        task.finished.set()

    # -- transfer -----------------------------------------------------------------------

    def _run_transfer(self, task: Task) -> None:
        assert task.destination is not None
        dst = task.destination
        opts = task.options
        plans: list[tuple[TransferItem, list[tuple[str, str, int]], list[str]]] = []
        for item in task.items:
            self._check(task)
            with task.lock:
                task.subtasks_total += 1  # the item's own expansion subtask
            files, dirs = self._expand(task, item)
            plans.append((item, files, dirs))
            with task.lock:
                task.files += len(files)
                task.directories += len(dirs)
                task.subtasks_total += len(files)
        if dst.read_only:
            raise TaskFailure(
                "PERMISSION_DENIED",
                f"Permission denied: collection '{dst.display_name}' is read-only",
            )
        for item, files, dirs in plans:
            for cdir in dirs:
                self._make_dirs(dst, cdir)
            for source_cpath, dest_cpath, size in files:
                self._check(task)
                self._copy_one(task, source_cpath, dest_cpath, size)
            if opts.get("delete_destination_extra") and item.recursive is not False and dirs:
                self._delete_extra(task, dst, dirs[0], {d for _, d, _ in files} | set(dirs))
            with task.lock:
                task.subtasks_succeeded += 1

    def _expand(
        self, task: Task, item: TransferItem
    ) -> tuple[list[tuple[str, str, int]], list[str]]:
        """The files (source, destination, size) and destination dirs of one transfer item."""
        src, dst = task.source, task.destination
        assert dst is not None  # a transfer task always has one
        source_cpath = storage.collection_path(src, item.source_path)
        dest_cpath = storage.collection_path(dst, item.destination_path)
        try:
            local = storage.resolve(src, source_cpath)
            st = os.stat(local)
        except storage.PathNotAllowed as err:
            raise TaskFailure("PERMISSION_DENIED", f"Path not allowed: {source_cpath}") from err
        except (FileNotFoundError, NotADirectoryError) as err:
            if task.options.get("skip_source_errors"):
                with task.lock:
                    task.files_skipped += 1
                return [], []
            raise TaskFailure(
                "FILE_NOT_FOUND", f"No such file or directory: {source_cpath}"
            ) from err
        if not stat.S_ISDIR(st.st_mode):
            return [(source_cpath, dest_cpath, st.st_size)], []
        if item.recursive is False:
            raise TaskFailure(
                "NOT_A_FILE", f"Source '{source_cpath}' is a directory; use recursive"
            )
        rules = task.options.get("filter_rules") or []
        files: list[tuple[str, str, int]] = []
        dirs = [dest_cpath]
        stack: list[tuple[str | Path, str, str]] = [(local, source_cpath, dest_cpath)]
        while stack:
            local_dir, scpath, dcpath = stack.pop()
            with os.scandir(local_dir) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.is_symlink():
                        continue  # recursive_symlinks "ignore", as Globus defaults to
                    is_dir = entry.is_dir(follow_symlinks=False)
                    if not _included(rules, entry.name, "dir" if is_dir else "file"):
                        continue
                    s_child = posixpath.join(scpath, entry.name)
                    d_child = posixpath.join(dcpath, entry.name)
                    if is_dir:
                        dirs.append(d_child)
                        stack.append((entry.path, s_child, d_child))
                    else:
                        files.append((s_child, d_child, entry.stat(follow_symlinks=False).st_size))
        return files, dirs

    @staticmethod
    def _make_dirs(collection: Collection, cpath: str) -> Path:
        """Create a destination directory and its missing parents, never outside the root."""
        try:
            local = storage.resolve(collection, cpath)
        except storage.PathNotAllowed as err:
            raise TaskFailure("PERMISSION_DENIED", f"Path not allowed: {cpath}") from err
        try:
            local.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as err:
            raise TaskFailure("FILE_EXISTS", f"Not a directory: {cpath}") from err
        return local

    def _copy_one(self, task: Task, source_cpath: str, dest_cpath: str, size: int) -> None:
        assert task.destination is not None
        opts = task.options
        try:
            src_local = storage.resolve(task.source, source_cpath)
            self._make_dirs(task.destination, posixpath.dirname(dest_cpath))
            dst_local = storage.resolve(task.destination, dest_cpath)
        except storage.PathNotAllowed as err:
            raise TaskFailure("PERMISSION_DENIED", f"Path not allowed: {err.path}") from err
        if dst_local.is_dir():
            raise TaskFailure("FILE_EXISTS", f"Destination '{dest_cpath}' is a directory")
        if storage.in_sync(opts.get("sync_level"), src_local, dst_local):
            with task.lock:
                task.files_skipped += 1
                task.subtasks_succeeded += 1
            return
        try:
            self._copy_bytes(task, src_local, dst_local)
        except FileNotFoundError as err:
            raise TaskFailure("FILE_NOT_FOUND", f"No such file: {source_cpath}") from err
        except PermissionError as err:
            raise TaskFailure("PERMISSION_DENIED", f"Permission denied: {dest_cpath}") from err
        if opts.get("verify_checksum"):
            if storage.md5_of(src_local) != storage.md5_of(dst_local):
                raise TaskFailure("CHECKSUM_MISMATCH", f"Checksum mismatch: {dest_cpath}")
            with task.lock:
                task.bytes_checksummed += size
        if opts.get("preserve_timestamp"):
            st = os.stat(src_local)
            os.utime(dst_local, ns=(st.st_atime_ns, st.st_mtime_ns))
        with task.lock:
            task.files_transferred += 1
            task.subtasks_succeeded += 1
            task.successful.append(
                {
                    "DATA_TYPE": "successful_transfer",
                    "source_path": source_cpath,
                    "destination_path": dest_cpath,
                }
            )

    def _copy_bytes(self, task: Task, src_local: Path, dst_local: Path) -> None:
        """Chunked copy; the rate limit is read live before every chunk."""
        with open(src_local, "rb") as fsrc, open(dst_local, "wb") as fdst:
            started = time.monotonic()
            moved = 0
            while True:
                self._check(task)
                rate = self.world.transfer_rate_limit
                if rate:
                    chunk = max(4096, min(RATED_CHUNK, rate // 10))
                    data = fsrc.read(chunk)
                    if not data:
                        break
                    fdst.write(data)
                    count = len(data)
                else:
                    count = storage.copy_some(fsrc.fileno(), fdst.fileno(), FAST_CHUNK)
                    if count == 0:
                        break
                moved += count
                with task.lock:
                    task.bytes_transferred += count
                rate = self.world.transfer_rate_limit
                if rate:
                    due = moved / rate - (time.monotonic() - started)
                    if due > 0 and task.cancel_requested.wait(due):
                        raise Canceled
                else:
                    started, moved = time.monotonic(), 0

    def _delete_extra(self, task: Task, dst: Collection, top: str, keep: set[str]) -> None:
        """delete_destination_extra: remove what the source does not have under ``top``."""
        local_top = storage.resolve(dst, top)
        for dirpath, dirnames, filenames in os.walk(local_top, topdown=True):
            # Lexical paths, like ``keep``: the walk does not follow links, so it stays below top.
            rel = os.path.relpath(dirpath, local_top)
            rel_dir = top if rel == "." else posixpath.join(top, rel)
            for name in list(dirnames) + filenames:
                cpath = posixpath.join(rel_dir, name)
                if cpath not in keep:
                    self._check(task)
                    storage.delete_path(dst, cpath, recursive=True)
                    if name in dirnames:
                        dirnames.remove(name)

    # -- delete -------------------------------------------------------------------------

    def _run_delete(self, task: Task) -> None:
        collection = task.source
        if collection.read_only:
            raise TaskFailure(
                "PERMISSION_DENIED",
                f"Permission denied: collection '{collection.display_name}' is read-only",
            )
        with task.lock:
            task.subtasks_total = len(task.items)
        for path in task.items:
            self._check(task)
            cpath = storage.collection_path(collection, path)
            try:
                files, dirs = storage.delete_path(
                    collection, cpath, recursive=bool(task.options.get("recursive"))
                )
            except storage.PathNotFound as err:
                if not task.options.get("ignore_missing"):
                    raise TaskFailure(
                        "FILE_NOT_FOUND", f"No such file or directory: {cpath}"
                    ) from err
                files = dirs = 0
            except storage.PathNotAllowed as err:
                raise TaskFailure("PERMISSION_DENIED", f"Path not allowed: {cpath}") from err
            except IsADirectoryError as err:
                raise TaskFailure(
                    "NOT_A_FILE", f"'{cpath}' is a directory and recursive is not set"
                ) from err
            with task.lock:
                task.files += files
                task.directories += dirs
                task.subtasks_succeeded += 1


def _included(rules: list[dict[str, Any]], name: str, kind: str) -> bool:
    """Globus filter rules: the first matching rule decides; no match means include."""
    for rule in rules:
        rule_type = rule.get("type")
        if rule_type and rule_type != kind:
            continue
        if fnmatch.fnmatchcase(name, str(rule.get("name", ""))):
            return bool(rule.get("method", "exclude") == "include")
    return True
