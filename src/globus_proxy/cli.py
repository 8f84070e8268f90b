"""`globus-proxy serve | demo | emulator`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from globus_proxy.settings import Settings, SettingsError, load_settings


def serve(settings: Settings, host: str, port: int) -> None:
    """Production: real Globus unless the globus-sdk environment variables say otherwise."""
    from globus_proxy import serving

    serving.run(settings, host, port)


def settings_or_exit(command: str) -> Settings:
    try:
        return load_settings()
    except SettingsError as err:
        sys.exit(f"globus-proxy {command}: {err}")


def run_emulator(host: str, port: int, seed: Path | None, data_dir: Path | None) -> None:
    from globus_emulator.server import serve as serve_emulator

    serve_emulator(host, port, seed, data_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="globus-proxy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p_serve = commands.add_parser("serve", help="serve the API (production)")
    p_serve.add_argument("--host", default="0.0.0.0")
    p_serve.add_argument("--port", type=int, default=5000)

    p_demo = commands.add_parser("demo", help="serve the API with an embedded Globus emulator")
    p_demo.add_argument("--port", type=int, default=5000)
    p_demo.add_argument("--emulator-port", type=int, default=8800)
    p_demo.add_argument("--data-dir", type=Path, default=Path(".emulator-data"))

    p_emu = commands.add_parser("emulator", help="serve the Globus Auth + Transfer emulator")
    p_emu.add_argument("--host", default="127.0.0.1")
    p_emu.add_argument("--port", type=int, default=8800)
    p_emu.add_argument("--seed", type=Path, default=None)
    p_emu.add_argument("--data-dir", type=Path, default=None)

    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(settings_or_exit("serve"), args.host, args.port)
    elif args.command == "demo":
        from globus_proxy.demo import run_demo

        run_demo(settings_or_exit("demo"), args.port, args.emulator_port, args.data_dir)
    else:
        run_emulator(args.host, args.port, args.seed, args.data_dir)


if __name__ == "__main__":
    main()
