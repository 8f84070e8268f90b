"""Globus documents fitted to the Tapis generated clients' types."""

from __future__ import annotations

import orjson

from globus_proxy.compat import INT32_MAX, cancel_for_tapis, task_for_tapis


def test_small_task_is_passed_through_untouched() -> None:
    raw = b'{"status": "ACTIVE", "bytes_transferred": 1048576, "task_id": "t"}'
    assert task_for_tapis(raw) == (raw, {})


def test_big_counters_are_capped_and_kept_exactly_in_metadata() -> None:
    raw = orjson.dumps(
        {
            "status": "SUCCEEDED",
            "bytes_transferred": 5_000_000_000,
            "files": 3,
            "bytes_checksummed": 5_000_000_000,
        }
    )
    body, metadata = task_for_tapis(raw)
    task = orjson.loads(body)
    assert task["bytes_transferred"] == INT32_MAX
    assert task["bytes_checksummed"] == 5_000_000_000  # not in the spec's model: left alone
    assert task["files"] == 3
    assert metadata == {"exact_counters": {"bytes_transferred": 5_000_000_000}}


def test_cancel_codes_use_the_spec_enum() -> None:
    for globus, tapis in [
        ("TaskComplete", "COMPLETE"),
        ("Canceled", "CANCELLED"),
        ("CancelAccepted", "ACCEPTED"),
    ]:
        answer = orjson.loads(cancel_for_tapis(orjson.dumps({"code": globus, "message": "m"})))
        assert answer == {"code": tapis, "globus_code": globus, "message": "m"}
