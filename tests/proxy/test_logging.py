"""No token, auth code or session id in any log line; the access log redacts token queries."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, Scratch, Tokens, encoded_segment, full_walkthrough

# The suite's own HTTP client (httpx) logs the URLs it sends,
# tokens included; those lines are the caller's, not the proxy's, so they are left out.
CALLER_LOGGERS = ("httpx", "httpcore")


class EveryLogLine(logging.Handler):
    """Collects every record from every logger, propagating or not, at DEBUG."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.plain_keys = set(vars(logging.makeLogRecord({})))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in CALLER_LOGGERS:
            return
        text = self.format(record)
        # Structured extras (e.g. JSON loggers) may hold values outside the message.
        extras = {k: v for k, v in vars(record).items() if k not in self.plain_keys}
        self.lines.append(f"{text} {extras!r}" if extras else text)


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
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


def test_no_secret_in_any_log_line(
    proxy: ProxyClient, scratch: Scratch, log_lines: list[str]
) -> None:
    secrets = full_walkthrough(proxy, scratch.path)
    assert len(log_lines) > 10, "the capture saw too little to prove anything"
    assert any("/v3/globus-proxy/" in line for line in log_lines), "no access log captured"
    for secret in secrets:
        leaked = [line for line in log_lines if secret in line]
        assert not leaked, f"a secret appears in {len(leaked)} log lines, e.g. {leaked[0][:300]}"


def test_access_log_redacts_token_query_values(
    proxy: ProxyClient, tokens: Tokens, log_lines: list[str]
) -> None:
    marker = "redaction-probe"
    raw = f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/data1')}"
    proxy.call("GET", raw, tokens=tokens, query={"filter": f"name:={marker}"})
    access = [line for line in log_lines if marker in line and "/v3/globus-proxy/ops/" in line]
    assert access, "no access log line for the request"
    line = access[0]
    assert tokens.access_token not in line and tokens.refresh_token not in line
    assert "access_token=REDACTED" in line, line
    assert "refresh_token=REDACTED" in line, line
    assert "200" in line, line


def test_access_log_redacts_login_segments(proxy: ProxyClient, log_lines: list[str]) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    assert proxy.exchange(session_id, code).status_code == 200
    lines = [line for line in log_lines if "/auth/tokens/" in line]
    assert lines, "no access log line for auth/tokens"
    for line in lines:
        assert code not in line, line
        assert session_id not in line, line
        assert "/auth/tokens/" + DEFAULT_CLIENT_ID + "/REDACTED/REDACTED " in line, line
