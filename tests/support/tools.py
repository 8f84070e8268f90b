"""Programs the suite runs as they are, each in a virtualenv of its own under `.tools/`.

A tool pins its own dependencies (globus-cli its own globus-sdk, an old globus-sdk program
an old one), which must never meet the project's. Each virtualenv is made on first use and
kept until its requirements change; a lock lets parallel test processes share it.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / ".tools"
INSTALL_TIMEOUT_SECONDS = 600


def tool_venv(name: str, *requirements: str) -> Path:
    """The `bin/` folder of `.tools/<name>`, with `requirements` installed from PyPI."""
    home = TOOLS / name
    stamp = home / ".requirements"
    wanted = "\n".join(requirements)
    TOOLS.mkdir(exist_ok=True)
    with (TOOLS / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == wanted):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
            subprocess.run(
                [str(home / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
                check=True,
                timeout=INSTALL_TIMEOUT_SECONDS,
            )
            stamp.write_text(wanted)
    return home / "bin"
