"""A submission whose answer is lost: the caller's identical retry gets the one task.

The emulator carries the submission out and loses its answer (`lose_answer`), so the proxy
answers 504 at its deadline; the retry reuses the lost submission id and Globus answers
`Duplicate` with the first task. After a success nothing is reused.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from globus_emulator.world import DEFAULT_DESTINATION_ID
from tests.proxy.support import (
    CallCounter,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
)
from tests.proxy.support import transfer_request as body

# Short, so that a lost answer costs little waiting.
DEADLINE_SECONDS = 1.0
SUBMIT_CALL = r"^POST /v0\.10/(transfer|delete)$"


@pytest.fixture(scope="module")
def quick(proxy_factory: ProxyFactory) -> ProxyClient:
    return proxy_factory.start(globus_timeout_seconds=DEADLINE_SECONDS)


def result(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    doc: dict[str, Any] = answer.json()["result"]
    return doc


def test_a_retried_transfer_whose_answer_was_lost_is_one_task(
    quick: ProxyClient, faults: EmulatedGlobus, tokens: Tokens, scratch: Scratch, calls: CallCounter
) -> None:
    doc = body("/data1/1M.dat", f"{scratch.path}/1M.dat")
    faults.fault(match="/v0.10/transfer", lose_answer=True)
    calls.start()
    before = quick.metrics()
    lost = quick.transfer(tokens, doc)
    assert lost.status_code == 504, lost.text
    assert calls.matching(SUBMIT_CALL) == 1, calls.by_route()

    retried = result(quick.transfer(tokens, doc))
    assert retried["code"] == "Duplicate", retried
    # Globus ran one task: the retry named the lost one's submission id.
    assert calls.matching(SUBMIT_CALL) == 2
    assert calls.matching(r"^GET /v0\.10/submission_id$") == 1, calls.by_route()
    after = quick.metrics()
    for counted in ("remembered", "recalled"):
        name = f"globus_proxy_lost_submissions_{counted}_total"
        assert after[(name, ())] - before[(name, ())] == 1, counted
    final = quick.wait_for_task(retried["task_id"], tokens, until={"SUCCEEDED", "FAILED"})
    assert final["status"] == "SUCCEEDED", final

    # After a success, the same request is a new transfer: users may repeat one on purpose.
    again = result(quick.transfer(tokens, doc))
    assert again["code"] == "Accepted", again
    assert again["task_id"] != retried["task_id"]


def test_a_retried_delete_whose_answer_was_lost_is_one_task(
    quick: ProxyClient, faults: EmulatedGlobus, tokens: Tokens, scratch: Scratch
) -> None:
    (scratch.backing / "doomed").mkdir()
    faults.fault(match="/v0.10/delete", lose_answer=True)
    target = f"{scratch.path}/doomed"
    lost = quick.ops("DELETE", DEFAULT_DESTINATION_ID, target, tokens, query={"recurse": "true"})
    assert lost.status_code == 504, lost.text
    retried = quick.ops("DELETE", DEFAULT_DESTINATION_ID, target, tokens, query={"recurse": "true"})
    assert result(retried)["code"] == "Duplicate", retried.text


def test_only_the_identical_request_of_the_same_caller_reuses_the_id(
    quick: ProxyClient, faults: EmulatedGlobus, tokens: Tokens, scratch: Scratch
) -> None:
    doc = body("/data1/1M.dat", f"{scratch.path}/first.dat")
    faults.fault(match="/v0.10/transfer", lose_answer=True)
    assert quick.transfer(tokens, doc).status_code == 504
    # Another destination is another request; another login is another caller.
    other_request = body("/data1/1M.dat", f"{scratch.path}/second.dat")
    assert result(quick.transfer(tokens, other_request))["code"] == "Accepted"
    other_caller = quick.login()
    assert result(quick.transfer(other_caller, doc))["code"] == "Accepted"
    assert result(quick.transfer(tokens, doc))["code"] == "Duplicate"


def test_a_refused_submission_is_not_remembered(
    quick: ProxyClient, faults: EmulatedGlobus, tokens: Tokens, scratch: Scratch
) -> None:
    """A 4xx from Globus means nothing ran: the retry is a new submission."""
    doc = body("/data1/1M.dat", f"{scratch.path}/refused.dat")
    faults.fault(match="/v0.10/transfer", status=403, body={"code": "PermissionDenied"})
    assert quick.transfer(tokens, doc).status_code == 403
    assert result(quick.transfer(tokens, doc))["code"] == "Accepted"
