"""Transfer and delete tasks as Globus reports them: the task, its items and its document.

A task is ACTIVE from submission until it ends SUCCEEDED or FAILED (a cancelled task ends
FAILED with ``fatal_error.code == "CANCELED"``, as in Globus). ``engine.py`` runs them.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from globus_emulator.world import Collection

DEFAULT_DEADLINE = timedelta(days=1)
TERMINAL = ("SUCCEEDED", "FAILED")


def task_time(moment: datetime) -> str:
    """Task documents format times as ``2022-05-24T14:36:54+00:00``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def event_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


@dataclass
class TransferItem:
    source_path: str
    destination_path: str
    recursive: bool | None  # None: detect from the source's type


@dataclass
class Task:
    """One task and everything its documents report."""

    task_id: str
    type: str  # "TRANSFER" or "DELETE"
    owner_id: str
    username: str
    submission_id: str
    source: Collection
    destination: Collection | None
    items: list[Any]
    options: dict[str, Any]
    label: str | None
    request_time: datetime
    deadline: datetime
    status: str = "ACTIVE"
    nice_status: str | None = "Queued"
    completion_time: datetime | None = None
    fatal_error: dict[str, str] | None = None
    started_at: float | None = None
    files: int = 0
    directories: int = 0
    files_transferred: int = 0
    files_skipped: int = 0
    bytes_transferred: int = 0
    bytes_checksummed: int = 0
    subtasks_total: int = 0
    subtasks_succeeded: int = 0
    subtasks_failed: int = 0
    subtasks_canceled: int = 0
    subtasks_expired: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    successful: list[dict[str, str]] = field(default_factory=list)
    claimed: bool = False  # a worker (or an early cancel) has taken the task
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_event(
        self, code: str, description: str, details: str = "", error: bool = False
    ) -> None:
        with self.lock:
            self.events.append(
                {
                    "DATA_TYPE": "event",
                    "code": code,
                    "description": description,
                    "details": details,
                    "is_error": error,
                    "time": event_time(datetime.now(UTC)),
                }
            )

    def document(self) -> dict[str, Any]:
        """The whole Globus task document, as ``get_task`` and ``task_list`` return it."""
        with self.lock:
            elapsed = 0.0
            if self.started_at is not None:
                end = self.completion_time.timestamp() if self.completion_time else time.time()
                elapsed = max(end - self.started_at, 1e-6)
            opts = self.options
            dest = self.destination
            is_transfer = self.type == "TRANSFER"
            pending = max(
                self.subtasks_total
                - self.subtasks_succeeded
                - self.subtasks_failed
                - self.subtasks_canceled
                - self.subtasks_expired,
                0,
            )
            return {
                "DATA_TYPE": "task",
                "bytes_checksummed": self.bytes_checksummed,
                "bytes_transferred": self.bytes_transferred,
                "canceled_by_admin": None,
                "canceled_by_admin_message": None,
                "command": "API 0.10",
                "completion_time": task_time(self.completion_time)
                if self.completion_time
                else None,
                "deadline": task_time(self.deadline),
                "delete_destination_extra": bool(opts.get("delete_destination_extra", False)),
                "destination_endpoint": dest.display_name if dest else None,
                "destination_endpoint_display_name": dest.display_name if dest else None,
                "destination_endpoint_id": dest.id if dest else None,
                "directories": self.directories,
                "effective_bytes_per_second": int(self.bytes_transferred / elapsed)
                if elapsed
                else 0,
                "encrypt_data": bool(opts.get("encrypt_data", False)),
                "fail_on_quota_errors": bool(opts.get("fail_on_quota_errors", False)),
                "fatal_error": dict(self.fatal_error) if self.fatal_error else None,
                "faults": 0,
                "files": self.files,
                "files_skipped": self.files_skipped,
                "files_transferred": self.files_transferred,
                "filter_rules": opts.get("filter_rules"),
                "history_deleted": False,
                "is_ok": True if self.status == "ACTIVE" else None,
                "is_paused": False,
                "label": self.label,
                "nice_status": self.nice_status if self.status == "ACTIVE" else None,
                "nice_status_details": None,
                "nice_status_expires_in": None,
                "nice_status_short_description": None,
                "owner_id": self.owner_id,
                "preserve_timestamp": bool(opts.get("preserve_timestamp", False)),
                "recursive_symlinks": "ignore",
                "request_time": task_time(self.request_time),
                "skip_source_errors": bool(opts.get("skip_source_errors", False)),
                "source_endpoint": self.source.display_name,
                "source_endpoint_display_name": self.source.display_name,
                "source_endpoint_id": self.source.id,
                "status": self.status,
                "subtasks_canceled": self.subtasks_canceled,
                "subtasks_expired": self.subtasks_expired,
                "subtasks_failed": self.subtasks_failed,
                "subtasks_pending": pending,
                "subtasks_retrying": 0,
                "subtasks_skipped_errors": 0,
                "subtasks_succeeded": self.subtasks_succeeded,
                "subtasks_total": self.subtasks_total,
                "symlinks": 0,
                "sync_level": opts.get("sync_level") if is_transfer else None,
                "task_id": self.task_id,
                "type": self.type,
                "username": self.username,
                "verify_checksum": bool(opts.get("verify_checksum", False))
                if is_transfer
                else False,
            }


def new_task_id() -> str:
    return str(uuid.uuid4())
