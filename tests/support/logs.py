"""Capturing every log line the code under test writes, whichever logger writes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

# The suite's own HTTP client (httpx) logs the URLs it sends,
# tokens included; those lines are the caller's, not the proxy's, so they are left out.
CALLER_LOGGERS = ("httpx", "httpcore")


class EveryLogLine(logging.Handler):
    """Collects every record from every logger, propagating or not, at DEBUG."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        # What format() adds is no extra either.
        self.plain_keys = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
        # One line per record, however many loggers it passes (records kept: ids stay unique).
        self.seen: dict[int, logging.LogRecord] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in CALLER_LOGGERS or id(record) in self.seen:
            return
        self.seen[id(record)] = record
        text = self.format(record)
        # Structured extras (e.g. JSON loggers) may hold values outside the message.
        extras = {k: v for k, v in vars(record).items() if k not in self.plain_keys}
        self.lines.append(f"{text} {extras!r}" if extras else text)


@contextmanager
def every_log_line() -> Iterator[list[str]]:
    """Every line any logger writes inside the block, at DEBUG, propagating or not."""
    handler = EveryLogLine()
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    for name in (
        "globus_sdk",
        "globus_proxy",
        "globus_proxy.access",
        "uvicorn",
        "uvicorn.error",
        "fastapi",
        "starlette",
        "urllib3",
        "requests",
    ):
        loggers.append(logging.getLogger(name))
    # uvicorn switches its own access log on whenever "uvicorn.access" has a handler. The
    # service runs uvicorn with access_log=False and writes its own redacting access log, so a
    # handler there would switch on a log the service never writes.
    loggers = [lg for lg in loggers if lg.name != "uvicorn.access"]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
        lg.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for lg, level, disabled in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.disabled = disabled
