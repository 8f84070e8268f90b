"""A bad setting stops the service with one line naming the variable, never its value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from globus_proxy.settings import SettingsError, load_settings

SECRET_LOOKING = "not-base64-but-secret!!"


def test_the_message_names_each_bad_variable_and_no_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GLOBUS_PROXY_SESSION_KEY", SECRET_LOOKING)
    monkeypatch.setenv("GLOBUS_PROXY_GLOBUS_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "GLOBUS_PROXY_SESSION_KEY" in message
    assert "GLOBUS_PROXY_GLOBUS_TIMEOUT_SECONDS" in message
    assert SECRET_LOOKING not in message and "soon" not in message


def test_serve_exits_with_that_line_and_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "globus_proxy.cli", "serve", "--port", "0"],
        env={"GLOBUS_PROXY_SESSION_KEY": SECRET_LOOKING, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "globus-proxy serve: invalid settings: GLOBUS_PROXY_SESSION_KEY" in done.stderr
    assert "Traceback" not in done.stderr and SECRET_LOOKING not in done.stderr


def test_an_unknown_log_format_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_PROXY_LOG_FORMAT", "yaml")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "GLOBUS_PROXY_LOG_FORMAT: Input should be 'text' or 'json'" in str(raised.value)
