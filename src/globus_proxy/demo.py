"""`globus-proxy demo`: the proxy in the foreground, an emulated Globus beside it.

The only module of the service that knows the emulator exists.
"""

from __future__ import annotations

import base64
import os
import socket
import sys
from pathlib import Path

from globus_proxy.settings import Settings


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def run_demo(settings: Settings, port: int, emulator_port: int, data_dir: Path) -> None:
    # Both ports are checked before anything starts, so a busy one gets a next step rather
    # than a traceback half-way through start-up.
    for host, wanted, flag in (
        ("0.0.0.0", port, "--port"),
        ("127.0.0.1", emulator_port, "--emulator-port"),
    ):
        if port_taken(host, wanted):
            sys.exit(
                f"globus-proxy demo: port {wanted} is already in use (another demo?). Stop that "
                f"process, or pick another port: globus-proxy demo {flag} <port>"
                + (" (with make: make demo PORT=<port>)" if flag == "--port" else "")
            )

    if not settings.session_key:
        # One process, so a key of its own is right here; no warning for newcomers.
        settings = settings.model_copy(
            update={"session_key": base64.b64encode(os.urandom(32)).decode()}
        )
    from globus_emulator.app import create_app as create_emulator_app
    from globus_emulator.server import ServerThread
    from globus_emulator.state import Emulator
    from globus_emulator.world import default_world
    from globus_proxy.server import serve

    data_dir = data_dir.resolve()
    world = default_world(data_dir)
    emulator = Emulator.from_world(world)
    with ServerThread(create_emulator_app(emulator), port=emulator_port) as globus:
        os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] = globus.url + "/"
        os.environ["GLOBUS_SDK_SERVICE_URL_TRANSFER"] = globus.url + "/"
        proxy = f"http://localhost:{port}/v3/globus-proxy"
        client_id = next(iter(world.clients))
        lines = [
            "",
            f"globus-proxy demo: the proxy on port {port}, an emulated Globus at {globus.url}",
            f"  data directory: {data_dir}",
            f"  client id:      {client_id}",
        ]
        for collection in world.collections.values():
            mode = "read-only" if collection.read_only else "writable"
            lines.append(f"  collection:     {collection.id}  {collection.display_name} ({mode})")
        lines += [
            "",
            "First step of the walkthrough: get a login URL",
            f"  curl {proxy}/auth/url/{client_id}",
            "Open result.url in a browser (the emulator's login page, at "
            f"{globus.url}/v2/oauth2/authorize?...), allow access, copy the code it shows, then",
            f"  curl {proxy}/auth/tokens/{client_id}/<session_id>/<auth code>",
            f"API docs: {proxy}/docs",
            "",
        ]
        print("\n".join(lines), flush=True)
        serve(settings, "0.0.0.0", port)
