"""The emulator's server serves a request offering an h2c upgrade whole, as the proxy does
(both run guarded_http's protocol): a control call from java.net.private_http or curl --http2 keeps
its body."""

from __future__ import annotations

import json

import pytest

from tests.support.emulated_globus import RunningEmulator
from tests.support.raw_http import connect, java_request


@pytest.mark.parametrize("coalesced", [False, True], ids=["split", "one-segment"])
def test_a_fault_added_by_javas_bytes_keeps_its_body(
    private_emulator: RunningEmulator, coalesced: bool
) -> None:
    body = json.dumps({"match": "/nothing-matches-this", "times": 1}).encode()
    host = private_emulator.url.removeprefix("http://")
    segments = java_request("POST", "/_emulator/faults", host, body)
    with connect(private_emulator.url) as connection:
        connection.send(b"".join(segments)) if coalesced else connection.send(*segments)
        added = connection.read()
        connection.send(*java_request("DELETE", "/_emulator/faults", host, b""))
        cleared = connection.read()
    assert (added.status, json.loads(added.body)) == (200, {"faults": 1})
    assert (cleared.status, json.loads(cleared.body)) == (200, {"faults": 0})
