"""The request being answered: its id, and how many calls to Globus it has made.

Set by the observing middleware for the life of one request, read by the envelope, every log
record and the transport. globus-sdk runs in worker threads: the runner runs each call in a
copy of the request's context, so the same record is current there.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from dataclasses import dataclass

# What a caller's X-Request-Id may be to be taken as is (and written to logs and headers).
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
HEADER = b"x-request-id"


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    globus_calls: int = 0


CURRENT_REQUEST: ContextVar[RequestRecord | None] = ContextVar("globus_proxy_request", default=None)


def new_request_id() -> str:
    return os.urandom(16).hex()


def request_id_from(header: bytes | None) -> str:
    """The caller's id when it is a safe token, else a fresh one."""
    if header is not None:
        text = header.decode("latin-1")
        if SAFE_REQUEST_ID.fullmatch(text):
            return text
    return new_request_id()


def current_request_id() -> str | None:
    record = CURRENT_REQUEST.get()
    return None if record is None else record.request_id


def count_globus_call() -> None:
    """One more HTTP request to Globus on behalf of the current request (if any)."""
    record = CURRENT_REQUEST.get()
    if record is not None:
        record.globus_calls += 1
