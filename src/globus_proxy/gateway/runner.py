"""Runs each call toward Globus in a worker thread under its deadline.

globus-sdk is synchronous, so every call runs in a bounded thread pool with its `Call` in the
contextvar, in a copy of the request's context (`run_in_executor` would not carry it: the
request id and the request's record must reach the worker's log lines and transport).
Retries stop, sleeps shrink and HTTP timeouts tighten as the deadline nears (see
transport); an outer `asyncio.timeout` guards the whole call. Whatever Globus's side raises
leaves as a ProxyError worded by errors.globus; when Globus says the login lacks something, the
answer is a 407 with a new login, made after the call by `login_for` (it may ask Globus whether
a collection needs a data_access consent, so it runs outside the failed call).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from globus_sdk.gare import GARE

from globus_proxy.errors import ProxyError
from globus_proxy.errors import globus as globus_errors
from globus_proxy.errors import login as login_errors
from globus_proxy.gateway.call import CURRENT_CALL, Call, TokenPair
from globus_proxy.metrics import Metrics
from globus_proxy.token_cache import TokenCache

T = TypeVar("T")

# The outer guard fires this long after the deadline, so the inner one normally answers first.
OUTER_GRACE_SECONDS = 0.25
# (the call, what Globus said its login lacks) -> the 407 with a login that has it
LoginFor = Callable[[Call, GARE], Awaitable[ProxyError]]


class CallRunner:
    def __init__(
        self,
        worker_threads: int,
        deadline_seconds: float,
        tokens: TokenCache,
        login_for: LoginFor,
        metrics: Metrics,
    ) -> None:
        self.deadline_seconds = deadline_seconds
        self.executor = ThreadPoolExecutor(worker_threads, thread_name_prefix="globus")
        self._tokens = tokens
        self._login_for = login_for
        self._queued = metrics.worker_queue
        self._busy = metrics.workers_busy

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def new_call(self, client_id: str, pair: TokenPair | None = None) -> Call:
        """A call whose deadline starts now, for `pair` (its best token is looked up in `run`)."""
        call = Call(client_id=client_id, deadline=time.monotonic() + self.deadline_seconds)
        if pair is not None:
            call.caller_access_token = pair.access_token
            call.refresh_token = pair.refresh_token
            call.access_token = pair.access_token
        return call

    async def run(self, call: Call, work: Callable[[], T]) -> T:
        """`work()` in a worker thread with `call` current; Globus failures -> ProxyError."""

        def in_thread() -> T:
            self._queued.dec()
            self._busy.inc()
            reset = CURRENT_CALL.set(call)
            try:
                if call.refresh_token:
                    # In the thread: a token cache shared by replicas may ask the network.
                    call.access_token = self._tokens.access_token_for(
                        call.refresh_token, call.caller_access_token
                    )
                return work()
            except globus_errors.CALL_FAILURES as err:
                raise globus_errors.translate(
                    err,
                    secrets=call.secrets(),
                    out_of_time=call.ran_out_of_time(),
                    deadline_seconds=self.deadline_seconds,
                ) from None
            finally:
                CURRENT_CALL.reset(reset)
                self._busy.dec()

        self._queued.inc()
        submitted = self.executor.submit(contextvars.copy_context().run, in_thread)
        # A call cancelled before a worker took it (timed out in the queue) never runs.
        submitted.add_done_callback(self._unqueue_if_cancelled)
        future = asyncio.wrap_future(submitted)
        try:
            async with asyncio.timeout(max(call.remaining(), 0.0) + OUTER_GRACE_SECONDS):
                return await future
        except TimeoutError:
            raise globus_errors.timed_out(self.deadline_seconds) from None
        except login_errors.LoginRequired as needed:
            raise await self._login_for(call, needed.requirement) from None

    def _unqueue_if_cancelled(self, submitted: Future[Any]) -> None:
        if submitted.cancelled():
            self._queued.dec()
