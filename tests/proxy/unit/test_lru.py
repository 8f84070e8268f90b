"""The one LRU: bounded, most recently used kept, unusable entries dropped on read."""

from __future__ import annotations

import pytest

from globus_proxy.lru import LRU


def test_the_least_recently_used_entry_goes_first() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now "b" is the least recently used
    lru.put("c", 3)
    assert len(lru) == 2
    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c")) == (1, 3)


def test_an_entry_the_check_refuses_is_dropped() -> None:
    lru: LRU[str, int] = LRU(4)
    lru.put("old", 1)
    assert lru.get("old", lambda value: value > 1) is None
    assert len(lru) == 0
    lru.put("new", 2)
    assert lru.get("new", lambda value: value > 1) == 2


def test_false_is_a_value_not_a_miss() -> None:
    lru: LRU[str, bool] = LRU(1)
    lru.put("k", False)
    assert lru.get("k") is False
    assert lru.pop("k") is False
    assert lru.pop("k") is None


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LRU(0)
