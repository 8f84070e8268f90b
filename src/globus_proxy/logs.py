"""The service's log lines: levels, the request id on every record, and the two formats.

`text` (the default) is for people: `time level logger [request id] message`. `json` is for
log shippers: one JSON object per line on stdout, with `time`, `level`, `logger`, `message`,
`request_id` and the structured fields of the access line (and of the DEBUG line per Globus
call). Both print the same messages, so the redaction that guards messages (see redaction)
guards both; the structured fields carry no path and no query.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from globus_proxy.request_context import current_request_id

FORMATS = ("text", "json")
# Structured fields passed as `extra` that the JSON lines carry: the access line's, and the
# transport's line per Globus call. Only these: other libraries' extras are left out.
FIELDS = (
    "method",
    "route",
    "operation",
    "status",
    "duration_ms",
    "globus_calls",
    "call",
    "outcome",
)
# uvicorn's loggers print with a handler of their own; in JSON mode they go through ours.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")


class RequestIdRecords:
    """A LogRecord factory: every record made while a request is answered, in any thread
    that runs in its context, carries `request_id` (None outside requests)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.wrapped(*args, **kwargs)
        record.request_id = current_request_id()
        return record


def install_request_ids() -> None:
    """Once per process, whichever app is built first."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, RequestIdRecords):
        logging.setLogRecordFactory(RequestIdRecords(factory))


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or "-"
        return f"{record.asctime} {record.levelname} {record.name} [{request_id}] {record.message}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        fields = record.__dict__
        for name in FIELDS:
            if name in fields:
                document[name] = fields[name]
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(document, default=str).decode()


def configure_logging(level: str, log_format: str = "text") -> None:
    """The service's level for its own loggers; globus-sdk's never below INFO (its DEBUG
    lines can carry ID tokens). A handler on the root logger only when nobody set one."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    install_request_ids()
    root = logging.getLogger()
    if not root.handlers:
        json_lines = log_format == "json"
        handler = logging.StreamHandler(sys.stdout if json_lines else sys.stderr)
        handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
        root.addHandler(handler)
    logging.getLogger("globus_proxy").setLevel(numeric)
    logging.getLogger("globus_sdk").setLevel(max(numeric, logging.INFO))


def route_uvicorn_through_root() -> None:
    """uvicorn sets its own text handler when it starts; in JSON mode its later lines
    (startup complete, shutdown, errors) go through the root handler instead."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
