"""The seed README's curl walkthrough, end to end over HTTP: proxy in front of the emulator."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, ProxyFactory, Tokens, encoded_segment

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def test_health_operations_answer_with_the_envelope(proxy: ProxyClient) -> None:
    for name, said, keys in (
        ("healthcheck", "I promise I'm healthy.", {"globus"}),
        ("hello", "Hello from the Globus proxy.", set()),
        ("ready", "Ready.", set()),
    ):
        answer = proxy.call("GET", f"/{name}")
        assert answer.status_code == 200, (name, answer.text)
        body = answer.json()
        assert set(body.pop("result")) == keys, name
        assert body == {
            "status": "success",
            "message": said,
            "version": "dev",
            "metadata": {"request_id": answer.headers["x-request-id"]},
        }


def test_every_answer_carries_the_configured_version(proxy_factory: ProxyFactory) -> None:
    versioned = proxy_factory.start(version="9.9")
    for method, raw, status in [
        ("GET", "/healthcheck", 200),
        ("GET", f"/auth/url/{DEFAULT_CLIENT_ID}", 200),
        ("GET", "/nowhere", 404),
        ("DELETE", "/healthcheck", 405),
        ("GET", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/')}", 401),
    ]:
        answer = versioned.call(method, raw)
        assert answer.status_code == status, (raw, answer.text)
        assert answer.json()["version"] == "9.9", raw


def test_auth_url_without_endpoint_is_the_seed_readme_call(proxy: ProxyClient) -> None:
    answer = proxy.auth_url()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    url, session_id = body["result"]["url"], body["result"]["session_id"]
    assert body["message"] == f"Please go to this URL and login: {url}"
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [DEFAULT_CLIENT_ID]
    assert TRANSFER_SCOPE in query["scope"][0].split()
    assert query["code_challenge_method"] == ["S256"]
    assert query["access_type"] == ["offline"]
    assert urlsplit(url).path.endswith("/v2/oauth2/authorize")
    assert session_id
    assert session_id not in url


def test_auth_url_with_endpoint_gives_url_and_session(proxy: ProxyClient) -> None:
    answer = proxy.auth_url(DEFAULT_DESTINATION_ID)
    assert answer.status_code == 200, answer.text
    result = answer.json()["result"]
    assert set(result) >= {"url", "session_id"}
    assert TRANSFER_SCOPE in parse_qs(urlsplit(result["url"]).query)["scope"][0]


def test_two_flows_get_different_sessions(proxy: ProxyClient) -> None:
    first = proxy.auth_url().json()["result"]
    second = proxy.auth_url().json()["result"]
    assert first["session_id"] != second["session_id"]
    assert first["url"] != second["url"], "each flow needs its own PKCE challenge"


def test_seed_readme_walkthrough(proxy: ProxyClient) -> None:
    """auth URL -> login -> code -> tokens -> ls -> transfer 1M.dat -> SUCCEEDED -> same bytes."""
    started = proxy.auth_url()
    result = started.json()["result"]
    tokens = proxy.finish_login(result["url"], result["session_id"])
    assert tokens.access_token and tokens.refresh_token
    assert tokens.access_token != tokens.refresh_token

    listing = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    assert listing.status_code == 200, listing.text
    names = {entry["name"] for entry in listing.json()["result"]["DATA"]}
    assert {"1M.dat", "10M.dat", "tree"} <= names

    target = proxy.globus.root(DEFAULT_DESTINATION_ID) / "test" / "1M.dat"
    if target.exists():
        target.unlink()
    submitted = proxy.transfer(
        tokens,
        {
            "source_endpoint": DEFAULT_SOURCE_ID,
            "destination_endpoint": DEFAULT_DESTINATION_ID,
            "transfer_items": [
                {
                    "source_path": "data1/1M.dat",
                    "destination_path": "test/1M.dat",
                    "recursive": "False",
                }
            ],
        },
    )
    assert submitted.status_code == 200, submitted.text
    accepted = submitted.json()["result"]
    assert accepted["code"] == "Accepted"
    assert accepted["DATA_TYPE"] == "transfer_result"
    task_id = accepted["task_id"]
    assert accepted["submission_id"]

    final = proxy.wait_for_task(task_id, tokens, until={"SUCCEEDED", "FAILED"})
    assert final["status"] == "SUCCEEDED", final
    assert final["task_id"] == task_id
    assert final["type"] == "TRANSFER"
    assert final["source_endpoint_id"] == DEFAULT_SOURCE_ID
    assert final["destination_endpoint_id"] == DEFAULT_DESTINATION_ID

    status = proxy.task("GET", task_id, tokens).json()
    assert status["message"] == "successfully retrieved transfer task"

    source = proxy.globus.root(DEFAULT_SOURCE_ID) / "data1" / "1M.dat"
    assert target.read_bytes() == source.read_bytes()


def test_tokens_message_matches_the_original(proxy: ProxyClient) -> None:
    url, session_id = proxy.start_login()
    answer = proxy.exchange(session_id, proxy.log_in_at_globus(url))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["message"] == "successfully authorized globus client"
    assert set(body["result"]) == {"access_token", "refresh_token"}


def test_shared_pair_lists_the_destination(proxy: ProxyClient, tokens: Tokens) -> None:
    answer = proxy.ls(DEFAULT_DESTINATION_ID, "/", tokens)
    assert answer.status_code == 200, answer.text
    listed = sorted(entry["name"] for entry in answer.json()["result"]["DATA"])
    assert listed == sorted(p.name for p in proxy.globus.root(DEFAULT_DESTINATION_ID).iterdir())
