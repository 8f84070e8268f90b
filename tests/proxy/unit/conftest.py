"""An emulator with a consent-requiring collection, and proxies in front of it, per module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from globus_emulator.login import headless_login
from globus_emulator.server import ServerThread
from globus_emulator.state import Emulator
from globus_emulator.world import world_from_document
from globus_proxy.app import create_app as create_proxy
from globus_proxy.settings import Settings
from tests.support.emulated_globus import running_emulator

CLIENT = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
OTHER_CLIENT = "1c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
DATA = "2c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
CONSENT = "3c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
SESSION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 ASCII bytes


@dataclass
class Globus:
    url: str
    emulator: Emulator
    root: Path

    def calls(self) -> int:
        return int(self.emulator.stats.snapshot()["total"])

    def expire_all_access_tokens(self) -> None:
        self.emulator.tokens.expire_access_tokens()

    def fault(self, **fault: object) -> None:
        httpx.post(f"{self.url}/_emulator/faults", json=fault, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_emulator/faults", timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def globus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Globus]:
    root = tmp_path_factory.mktemp("proxy-unit-data")
    (root / "data" / "sub").mkdir(parents=True)
    (root / "data" / "a.txt").write_text("hello")
    (root / "consent").mkdir()
    world = world_from_document(
        {
            "clients": [{"id": CLIENT, "name": "test app"}, {"id": OTHER_CLIENT, "name": "other"}],
            "identities": [
                {"id": "4c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5", "username": "bob@example.org"}
            ],
            "collections": [
                {"id": DATA, "display_name": "data", "root": str(root / "data")},
                {
                    "id": CONSENT,
                    "display_name": "needs consent",
                    "root": str(root / "consent"),
                    "requires_data_access_consent": True,
                },
            ],
        }
    )
    with running_emulator(world) as (url, emulator):
        yield Globus(url, emulator, root)


@dataclass
class Proxy:
    url: str
    http: httpx.Client

    def login(self, client_id: str = CLIENT, endpoint: str | None = None, **query: str) -> dict:
        path = f"/auth/url/{client_id}" + (f"/{endpoint}" if endpoint else "")
        started = self.http.get(path, params=query).json()["result"]
        code = headless_login(started["url"])
        answer = self.http.get(f"/auth/tokens/{client_id}/{started['session_id']}/{code}")
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]


def start_proxy(**settings: object) -> Iterator[Proxy]:
    config = Settings(session_key=SESSION_KEY, **settings)  # type: ignore[arg-type]
    with (
        ServerThread(create_proxy(config)) as server,
        httpx.Client(base_url=f"{server.url}/v3/globus-proxy", timeout=30) as http,
    ):
        yield Proxy(server.url, http)


@pytest.fixture(scope="module")
def proxy(globus: Globus) -> Iterator[Proxy]:
    yield from start_proxy()


@pytest.fixture(scope="module")
def tokens(proxy: Proxy) -> dict:
    return proxy.login()
