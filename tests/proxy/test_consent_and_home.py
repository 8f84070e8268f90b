"""A world of its own: a collection that needs data_access consent (the 407 flow), and a
collection whose home directory is not its root (what `/~` means).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, world_from_document
from tests.proxy.support import ProxyClient, ProxyFactory, Tokens

CONSENT_ID = "c0ffee00-1111-4222-8333-444455556666"
HOMED_ID = "0a11ce00-7777-4888-9999-aaaabbbbcccc"
DATA_ACCESS_SCOPE = f"https://auth.globus.org/scopes/{CONSENT_ID}/data_access"


@pytest.fixture(scope="module")
def world_proxy(
    tmp_path_factory: pytest.TempPathFactory, proxy_factory: ProxyFactory
) -> ProxyClient:
    data = tmp_path_factory.mktemp("consent-world")
    (data / "guarded" / "inside").mkdir(parents=True)
    (data / "guarded" / "inside" / "secret.txt").write_text("behind consent")
    home = data / "homed" / "home" / "alice"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "note.txt").write_text("at home")
    (home / "top.txt").write_text("top")
    (data / "homed" / "elsewhere.txt").write_text("root level")
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID, "name": "Emulated Tapis native app"}],
            "identities": [{"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org"}],
            "collections": [
                {
                    "id": CONSENT_ID,
                    "display_name": "Needs consent",
                    "entity_type": "GCSv5_mapped_collection",
                    "root": str(data / "guarded"),
                    "requires_data_access_consent": True,
                },
                {
                    "id": HOMED_ID,
                    "display_name": "Has a home",
                    "root": str(data / "homed"),
                    "home": "/home/alice",
                },
            ],
        }
    )
    return proxy_factory.start_world(world)


@pytest.fixture(scope="module")
def plain_tokens(world_proxy: ProxyClient) -> Tokens:
    """A pair from a login that asked for no data_access scope."""
    return world_proxy.login()


def scopes_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["scope"][0]


def test_consent_required_is_407_with_a_working_consent_url(
    world_proxy: ProxyClient, plain_tokens: Tokens
) -> None:
    answer = world_proxy.ls(CONSENT_ID, "/inside", plain_tokens)
    assert answer.status_code == 407, answer.text
    result = answer.json()["result"]
    assert set(result) >= {"url", "session_id", "scopes"}, result
    assert DATA_ACCESS_SCOPE in str(result["scopes"])
    assert DATA_ACCESS_SCOPE in scopes_of(result["url"])
    assert "consent" in answer.json()["message"].lower()

    consented = world_proxy.finish_login(result["url"], result["session_id"])
    retried = world_proxy.ls(CONSENT_ID, "/inside", consented)
    assert retried.status_code == 200, retried.text
    assert [e["name"] for e in retried.json()["result"]["DATA"]] == ["secret.txt"]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_writes_also_ask_for_consent(
    world_proxy: ProxyClient, plain_tokens: Tokens, method: str
) -> None:
    answer = world_proxy.ops(
        method,
        CONSENT_ID,
        "/inside/new",
        plain_tokens,
        query={"recurse": "true"} if method == "DELETE" else None,
    )
    assert answer.status_code == 407, answer.text
    assert DATA_ACCESS_SCOPE in str(answer.json()["result"]["scopes"])


def test_transfer_from_a_consent_collection_asks_for_consent(
    world_proxy: ProxyClient, plain_tokens: Tokens
) -> None:
    answer = world_proxy.transfer(
        plain_tokens,
        {
            "source_endpoint": CONSENT_ID,
            "destination_endpoint": HOMED_ID,
            "transfer_items": [
                {
                    "source_path": "/inside/secret.txt",
                    "destination_path": "/copied.txt",
                    "recursive": False,
                }
            ],
        },
    )
    assert answer.status_code == 407, answer.text
    assert DATA_ACCESS_SCOPE in str(answer.json()["result"]["scopes"])


def test_auth_url_asks_for_data_access_when_told(world_proxy: ProxyClient) -> None:
    asked = world_proxy.auth_url(CONSENT_ID, query={"data_access": "true"})
    assert asked.status_code == 200, asked.text
    url = asked.json()["result"]["url"]
    assert asked.json()["message"] == f"Please go to this URL and login: {url}"
    assert DATA_ACCESS_SCOPE in scopes_of(url)
    tokens = world_proxy.finish_login(url, asked.json()["result"]["session_id"])
    listed = world_proxy.ls(CONSENT_ID, "/inside", tokens)
    assert listed.status_code == 200, listed.text

    for query in ({"data_access": "false"}, None):  # no confidential client: default false
        not_asked = world_proxy.auth_url(CONSENT_ID, query=query)
        assert not_asked.status_code == 200, not_asked.text
        assert DATA_ACCESS_SCOPE not in scopes_of(not_asked.json()["result"]["url"])


@pytest.mark.parametrize(("spelling", "encoded"), [("/~", True), ("~", False), ("/~/", True)])
def test_tilde_is_the_home_directory(
    world_proxy: ProxyClient, plain_tokens: Tokens, spelling: str, encoded: bool
) -> None:
    answer = world_proxy.ls(HOMED_ID, spelling, plain_tokens, encoded=encoded)
    assert answer.status_code == 200, answer.text
    assert sorted(e["name"] for e in answer.json()["result"]["DATA"]) == ["docs", "top.txt"]


@pytest.mark.parametrize(
    ("spelling", "encoded"),
    [("/~/docs", True), ("~/docs", False), ("docs", False), ("/home/alice/docs", True)],
)
def test_home_relative_and_absolute_spellings_agree(
    world_proxy: ProxyClient, plain_tokens: Tokens, spelling: str, encoded: bool
) -> None:
    answer = world_proxy.ls(HOMED_ID, spelling, plain_tokens, encoded=encoded)
    assert answer.status_code == 200, answer.text
    assert [e["name"] for e in answer.json()["result"]["DATA"]] == ["note.txt"]


def test_absolute_path_is_from_the_root(world_proxy: ProxyClient, plain_tokens: Tokens) -> None:
    answer = world_proxy.ls(HOMED_ID, "/", plain_tokens)
    assert answer.status_code == 200, answer.text
    assert sorted(e["name"] for e in answer.json()["result"]["DATA"]) == ["elsewhere.txt", "home"]


def test_mkdir_under_home(world_proxy: ProxyClient, plain_tokens: Tokens) -> None:
    root = world_proxy.globus.root(HOMED_ID)
    answer = world_proxy.ops("POST", HOMED_ID, "/~/made-at-home", plain_tokens)
    assert answer.status_code == 200, answer.text
    assert (root / "home" / "alice" / "made-at-home").is_dir()
    assert not Path(root / "made-at-home").exists()
