"""`globus-proxy demo` refuses a busy port with a next step, before starting anything."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from globus_proxy.demo import run_demo
from globus_proxy.settings import Settings


@pytest.mark.parametrize("busy", ["proxy", "emulator"])
def test_a_busy_port_is_refused_with_the_flag_to_change(tmp_path: Path, busy: str) -> None:
    with socket.socket() as holder, socket.socket() as free:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        free.bind(("127.0.0.1", 0))
        taken, other = holder.getsockname()[1], free.getsockname()[1]
        free.close()
        ports = (taken, other) if busy == "proxy" else (other, taken)
        with pytest.raises(SystemExit) as stopped:
            run_demo(Settings(), *ports, tmp_path / "data")
    message = str(stopped.value)
    assert f"port {taken} is already in use" in message
    assert ("--port" if busy == "proxy" else "--emulator-port") in message
    assert not (tmp_path / "data").exists(), "nothing was started or written"
