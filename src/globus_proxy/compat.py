"""Where Globus's documents meet the types of the clients generated from the Tapis spec.

Tapis Files uses a Java client generated (okhttp-gson) from the spec. There, the task's
counters (`type: integer`, no int64 format) are 32-bit ints, and the cancel `code` is the enum
COMPLETE/CANCELLED/ACCEPTED: a value outside either makes deserialisation throw. So a task
document keeps every Globus field, but counters above 2**31-1 are capped (the exact values go
to `metadata.exact_counters`), and a cancel answer's `code` is the spec's enum (Globus's own
code stays in `globus_code`).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

BIG_NUMBER = re.compile(rb":\s*\d{10,}")

INT32_MAX = 2**31 - 1
# GlobusTransferTask's `type: integer` properties in the Tapis spec.
INT32_TASK_FIELDS = (
    "bytes_transferred",
    "directories",
    "effective_bytes_per_second",
    "faults",
    "files",
    "files_skipped",
    "files_transferred",
    "symlinks",
    "sync_level",
)
CANCEL_CODES = {"TaskComplete": "COMPLETE", "Canceled": "CANCELLED", "CancelAccepted": "ACCEPTED"}


def task_for_tapis(raw: bytes) -> tuple[bytes, dict[str, Any]]:
    """The task document with 32-bit-safe counters, and the exact values that were capped."""
    if BIG_NUMBER.search(raw) is None:
        return raw, {}  # the usual case: nothing to cap, nothing parsed
    document = orjson.loads(raw)
    if not isinstance(document, dict):
        return raw, {}
    exact = {
        field: document[field]
        for field in INT32_TASK_FIELDS
        if isinstance(document.get(field), int) and document[field] > INT32_MAX
    }
    if not exact:
        return raw, {}
    for field in exact:
        document[field] = INT32_MAX
    return orjson.dumps(document), {"exact_counters": exact}


def cancel_for_tapis(raw: bytes) -> bytes:
    document = orjson.loads(raw)
    if not isinstance(document, dict):
        return raw
    globus_code = document.get("code")
    if globus_code in CANCEL_CODES:
        document["globus_code"] = globus_code
        document["code"] = CANCEL_CODES[globus_code]
    return orjson.dumps(document)
