"""The broken answers the emulator can inject (a body cut short, an HTML page with a 200), and
a caller that leaves during an injected delay, which is normal and logged as one quiet line."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID
from tests.support.emulated_globus import RunningEmulator
from tests.support.logs import every_log_line
from tests.support.transfer import issue_token, ls_data1


def test_truncate_sends_half_of_the_real_answer_as_a_whole_message(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    token = issue_token(private_emulator.emulator)
    whole = ls_data1(private_http, token).content
    private_http.post(
        "/_emulator/faults", json={"match": "/ls", "truncate": True}
    ).raise_for_status()
    cut = ls_data1(private_http, token)
    assert cut.status_code == 200
    assert cut.content == whole[: len(whole) // 2]
    assert cut.headers["content-length"] == str(len(whole) // 2)
    assert ls_data1(private_http, token).content == whole  # used up


def test_text_answers_an_html_page_with_the_status_given(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    page = "<html><body>Bad gateway</body></html>"
    private_http.post(
        "/_emulator/faults", json={"match": "/ls", "status": 200, "text": page}
    ).raise_for_status()
    answer = ls_data1(private_http, issue_token(private_emulator.emulator))
    assert (answer.status_code, answer.text) == (200, page)
    assert answer.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"match": "/ls", "text": 3}, "'text' must be a string or null"),
        ({"match": "/ls", "content_type": ""}, "'content_type' must be a media type"),
        ({"match": "/ls", "truncate": "yes"}, "'truncate' must be true or false"),
    ],
)
def test_a_bad_broken_answer_fault_is_400_naming_the_field(
    private_http: httpx.Client, doc: dict[str, Any], problem: str
) -> None:
    answer = private_http.post("/_emulator/faults", json=doc)
    assert (answer.status_code, answer.json()) == (400, {"error": problem})


DELAY_SECONDS = 0.3
CALLER_PATIENCE_SECONDS = 0.05


def test_a_caller_leaving_during_a_delay_is_one_quiet_line(
    private_emulator: RunningEmulator, private_http: httpx.Client
) -> None:
    """The token endpoint reads its form body after the delay, from a caller long gone."""
    private_http.post(
        "/_emulator/faults", json={"match": "/v2/oauth2/token", "delay_seconds": DELAY_SECONDS}
    ).raise_for_status()
    with every_log_line() as lines:
        with (
            pytest.raises(httpx.ReadTimeout),
            httpx.Client(base_url=private_emulator.url) as caller,
        ):
            caller.post(
                "/v2/oauth2/token",
                data={"grant_type": "refresh_token", "refresh_token": "x"},
                auth=(DEFAULT_CLIENT_ID, ""),
                timeout=CALLER_PATIENCE_SECONDS,
            )
        give_up = time.monotonic() + 10
        while not any("/v2/oauth2/token" in line for line in lines):
            assert time.monotonic() < give_up, lines
            time.sleep(0.02)
        time.sleep(0.1)  # anything the server would log after its access line
    token_lines = [line for line in lines if "/v2/oauth2/token" in line]
    assert len(token_lines) == 1, token_lines
    assert " POST /v2/oauth2/token caller left before the answer " in token_lines[0]
    assert not [line for line in lines if "ERROR" in line or "Traceback" in line], lines
