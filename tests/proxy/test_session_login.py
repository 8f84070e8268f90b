"""Collections that require a login session (MFA, an identity from a domain): the whole loop
over HTTP. The proxy answers 407 with a login URL asking Globus Auth for exactly that session;
the user logs in through it; the session id finishes the login at auth/tokens; the new pair
works where the old one did not.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, world_from_document
from tests.contract.spec import validate_answer
from tests.proxy.support import API_PREFIX, ProxyClient, ProxyFactory, Tokens

ALICE = "b7c1f1de-2f34-4c7e-9d1a-5d4b2f8e9c01"  # alice@example.org, offered first
BOB = "5b0b5b0b-1111-4222-8333-444455556666"  # bob@partner.edu
MFA_ID = "3fa00000-1111-4222-8333-444455556666"
DOMAIN_ID = "d0d0d0d0-1111-4222-8333-444455556666"
OPEN_ID = "0be00000-1111-4222-8333-444455556666"
OPS = f"{API_PREFIX}/ops/{{client_id}}/{{endpoint_id}}/{{path}}"


@pytest.fixture(scope="module")
def world_proxy(
    tmp_path_factory: pytest.TempPathFactory, proxy_factory: ProxyFactory
) -> ProxyClient:
    data = tmp_path_factory.mktemp("session-world")
    for name in ("mfa", "domain", "open"):
        (data / name / "data").mkdir(parents=True)
        (data / name / "data" / "f.txt").write_text(name)
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID, "name": "Emulated Tapis native app"}],
            "identities": [
                {"id": ALICE, "username": "alice@example.org"},
                {"id": BOB, "username": "bob@partner.edu"},
            ],
            "collections": [
                {"id": MFA_ID, "root": str(data / "mfa"), "session_required_mfa": True},
                {
                    "id": DOMAIN_ID,
                    "root": str(data / "domain"),
                    "session_required_single_domain": ["partner.edu"],
                },
                {"id": OPEN_ID, "root": str(data / "open")},
            ],
        }
    )
    return proxy_factory.start_world(world)


@pytest.fixture
def plain(world_proxy: ProxyClient) -> Tokens:
    """A pair from an ordinary login: alice, without MFA."""
    return world_proxy.login()


def asked(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def transfer(proxy: ProxyClient, tokens: Tokens, source: str) -> httpx.Response:
    return proxy.transfer(
        tokens,
        {
            "source_endpoint": source,
            "destination_endpoint": OPEN_ID,
            "transfer_items": [
                {"source_path": "/data/f.txt", "destination_path": f"/from-{source[:4]}.txt"}
            ],
        },
    )


def test_an_mfa_collection_is_a_407_whose_login_gets_in(
    world_proxy: ProxyClient, plain: Tokens
) -> None:
    answer = world_proxy.ls(MFA_ID, "/data", plain)
    assert answer.status_code == 407, answer.text
    validate_answer(OPS, "GET", 407, answer.json())  # the spec's RespEndpointArray
    result = answer.json()["result"]
    assert result["names"] == [MFA_ID]
    assert result["globus_code"] == "ExternalError.DirListingFailed.LoginFailed"
    assert result["session_required_mfa"] is True
    url = asked(result["url"])
    assert (url["session_required_mfa"], url["prompt"]) == ("True", "login")
    message = answer.json()["message"]
    assert message.startswith(
        f"Globus needs the user to log in again to use collection {MFA_ID}: log in with "
        "multi-factor authentication"
    )
    assert f"login: {result['url']} then exchange the code at auth/tokens/" in message

    renewed = world_proxy.finish_login(result["url"], result["session_id"])
    listed = world_proxy.ls(MFA_ID, "/data", renewed)
    assert listed.status_code == 200, listed.text
    assert [e["name"] for e in listed.json()["result"]["DATA"]] == ["f.txt"]


def test_a_domain_collection_is_a_407_on_transfer_whose_login_picks_the_domain(
    world_proxy: ProxyClient, plain: Tokens
) -> None:
    answer = transfer(world_proxy, plain, DOMAIN_ID)
    assert answer.status_code == 407, answer.text
    result = answer.json()["result"]
    assert result["globus_code"] == "AuthPolicyFailed"
    assert result["session_required_single_domain"] == ["partner.edu"]
    assert result["names"] == [DOMAIN_ID, OPEN_ID]  # the call's collections
    assert asked(result["url"])["session_required_single_domain"] == "partner.edu"
    assert "an identity from partner.edu" in answer.json()["message"]

    renewed = world_proxy.finish_login(result["url"], result["session_id"])  # bob, offered alone
    submitted = transfer(world_proxy, renewed, DOMAIN_ID)
    assert submitted.status_code == 200, submitted.text
    task = world_proxy.wait_for_task(
        submitted.json()["result"]["task_id"], renewed, until={"SUCCEEDED", "FAILED"}
    )
    assert task["status"] == "SUCCEEDED", task


def test_the_407_session_id_finishes_with_the_same_client_id(
    world_proxy: ProxyClient, plain: Tokens
) -> None:
    """The 407's session id is an auth/url session id: it is finished with the client id it
    was made for (Tapis Systems calls auth/tokens with the same one), and no other."""
    result = world_proxy.ls(MFA_ID, "/data", plain).json()["result"]
    code = world_proxy.log_in_at_globus(result["url"])
    other_client = "00000000-1111-4222-8333-444455556666"
    refused = world_proxy.exchange(result["session_id"], code, client_id=other_client)
    assert refused.status_code == 400, refused.text
    assert "another client id" in refused.json()["message"]
    finished = world_proxy.exchange(result["session_id"], code)
    assert finished.status_code == 200, finished.text
