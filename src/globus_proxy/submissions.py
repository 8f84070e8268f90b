"""Submissions whose answer was lost, so that the caller's retry cannot run the work twice.

A transfer or delete is submitted to Globus with a submission id; Globus runs one task per
id, and answers a resubmission with that task (`Duplicate`). The proxy's own retries reuse
the id. But when every attempt loses its answer until the deadline, the caller gets a 502 or
504 and sends the same request again: here that request finds the id of the lost submission
and reuses it, so Globus deduplicates and the caller gets the one task. A success forgets
the id (a user may run the same transfer twice on purpose), and so does time: an id is
kept `LOST_SUBMISSION_SECONDS`.

Records are keyed by a hash of the caller's identity (client id and refresh token) and the
exact request; no token is kept. With a shared store (Redis) every replica sees them, so a
retry that lands on another replica is matched too; when the store fails, this process's
memory stands in.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson

from globus_proxy.lru import LRU
from globus_proxy.shared_state import SharedState, Unavailable

LOST_SUBMISSION_SECONDS = 600.0
LOST_SUBMISSIONS_SIZE = 10_000
# The answers after which a submission may have been carried out without the caller knowing.
ANSWER_LOST_STATUSES = frozenset({502, 504})
KIND = "lost-submission"


def request_key(client_id: str, refresh_token: str, operation: str, request: Any) -> str:
    """One hash of who asks (client id, refresh token) and exactly what (canonical JSON)."""
    digest = hashlib.sha256()
    for part in (client_id, refresh_token, operation):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(orjson.dumps(request, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


class LostSubmissions:
    """Submission ids by request key, for `LOST_SUBMISSION_SECONDS`; bounded in memory."""

    def __init__(
        self,
        shared: SharedState | None = None,
        size: int = LOST_SUBMISSIONS_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._local: LRU[str, tuple[str, float]] = LRU(size)
        self._shared = shared
        self._clock = clock
        # For metrics: answers lost after submitting, and retries that found their id.
        self.remembered = 0
        self.recalled = 0

    def __len__(self) -> int:
        return len(self._local)

    def recall(self, key: str) -> str | None:
        """The id of this request's lost submission, if one is recorded."""
        found = self._recall(key)
        if found is not None:
            self.recalled += 1
        return found

    def _recall(self, key: str) -> str | None:
        if self._shared is not None:
            try:
                found = self._shared.get(self._shared.name(KIND, key))
                return found.decode() if found is not None else None
            except Unavailable:
                pass
        entry = self._local.get(key, lambda e: e[1] > self._clock())
        return entry[0] if entry is not None else None

    def remember(self, key: str, submission_id: str) -> None:
        self.remembered += 1
        if self._shared is not None:
            try:
                self._shared.put(
                    self._shared.name(KIND, key), submission_id.encode(), LOST_SUBMISSION_SECONDS
                )
                return
            except Unavailable:
                pass
        self._local.put(key, (submission_id, self._clock() + LOST_SUBMISSION_SECONDS))

    def forget(self, key: str) -> None:
        self._local.pop(key)
        if self._shared is not None:
            with contextlib.suppress(Unavailable):
                self._shared.delete(self._shared.name(KIND, key))
