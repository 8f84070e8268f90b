"""One operation toward Globus: its record, the contextvar that carries it into the worker
thread where globus-sdk runs, the authorizer that reads it there, and what it answers.

globus-sdk's shared clients ask their authorizer and transport for the token, the timeout
and the retry budget of "the current request"; the `Call` in `CURRENT_CALL` is that request.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from globus_sdk.authorizers import GlobusAuthorizer

from globus_proxy.token_cache import TokenCache

# Below this much time left, another attempt toward Globus is not worth starting.
MIN_ATTEMPT_SECONDS = 0.05


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def as_result(self) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token}


@dataclass(frozen=True)
class Answer:
    """A Globus document, and the token pair to hand back when it is not the caller's."""

    document: bytes
    token_metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One operation toward Globus; lives in a contextvar inside its worker thread."""

    client_id: str
    deadline: float  # time.monotonic()
    access_token: str = ""  # the token sent now; changes after a refresh
    caller_access_token: str = ""
    refresh_token: str = ""
    refresh_only: bool = False  # checkTokens: refresh on 401 but do not retry
    refreshed: bool = False
    out_of_time: bool = False  # set when a retry was refused for want of time
    collections: tuple[str, ...] = ()  # the collection ids the call uses, for a new login
    other_secrets: tuple[str, ...] = ()
    # The last success body the transport checked, and its DATA_TYPE, so that the operation
    # reading that body does not decode it a second time (a 100k listing is 26 MB).
    checked_body: tuple[bytes, str | None] | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def worth_another_attempt(self) -> bool:
        return self.remaining() > MIN_ATTEMPT_SECONDS

    def ran_out_of_time(self) -> bool:
        return self.out_of_time or not self.worth_another_attempt()

    def secrets(self) -> tuple[str, ...]:
        """Everything that must never be quoted back: the tokens and the login's secrets."""
        return (
            self.access_token,
            self.caller_access_token,
            self.refresh_token,
            *self.other_secrets,
        )

    def token_metadata(self) -> dict[str, str]:
        """The working pair, when it is not the one the caller sent."""
        if self.access_token and self.access_token != self.caller_access_token:
            return TokenPair(self.access_token, self.refresh_token).as_result()
        return {}

    def answer(self, document: bytes) -> Answer:
        return Answer(document, self.token_metadata())


CURRENT_CALL: ContextVar[Call | None] = ContextVar("globus_proxy_call", default=None)


class CallAuthorizer(GlobusAuthorizer):
    """Sends the current call's access token; on a 401, refreshes it once through the cache."""

    def __init__(self, cache: TokenCache) -> None:
        self.cache = cache

    def get_authorization_header(self) -> str | None:
        call = CURRENT_CALL.get()
        if call is None or not call.access_token:
            return None
        return f"Bearer {call.access_token}"

    def handle_missing_authorization(self) -> bool:
        call = CURRENT_CALL.get()
        if call is None or not call.refresh_token or call.refreshed:
            return False
        call.access_token = self.cache.refresh_after_failure(
            call.client_id, call.refresh_token, call.access_token, call.remaining()
        )
        call.refreshed = True
        return not call.refresh_only
