"""The one HTTP transport toward Globus, shared by every globus-sdk client of the service.

Every request to Globus goes through `DeadlineTransport.request` (inherited from globus-sdk's
RequestsTransport), whose retry loop sends each attempt through `ObservedSession.send`: the
place where every HTTP request to Globus is counted and timed. Timeouts and retry sleeps
shrink to the current call's deadline, and `new_retry_config` refuses any retry that would
outlast it. Every success answer must be a well-formed JSON object (see documents), also
those globus-sdk reads itself (submission ids, tokens).
"""

from __future__ import annotations

import http.cookiejar
import logging
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import requests
from globus_sdk.transport import RequestsTransport, RetryConfig
from globus_sdk.transport.retry import RetryCheckResult, RetryContext

from globus_proxy import request_context
from globus_proxy.gateway.call import CURRENT_CALL, MIN_ATTEMPT_SECONDS
from globus_proxy.gateway.call_names import call_name
from globus_proxy.gateway.documents import checked_kind
from globus_proxy.metrics import TIMEOUT, UNREACHABLE

NO_CONTENT = 204


def retry_after_seconds(response: requests.Response) -> int | None:
    """Globus's Retry-After on a 429 or 503, in whole seconds as globus-sdk reads it."""
    if response.status_code not in (429, 503):
        return None
    value = response.headers.get("Retry-After", "").strip()
    return int(value) if value.isdigit() else None


log = logging.getLogger("globus_proxy.gateway.calls")

# (call name, outcome, seconds) of one HTTP request to Globus
CallObserver = Callable[[str, str, float], None]


def refuse_retry_past_deadline(ctx: RetryContext) -> RetryCheckResult:
    """Runs before globus-sdk's own checks: no retry that would outlast the deadline.

    Globus asking to wait longer than the time left is answered now, not slept out: the
    caller gets Globus's status and its Retry-After.
    """
    call = CURRENT_CALL.get()
    if call is None:
        return RetryCheckResult.no_decision
    if ctx.response is not None and ctx.response.status_code == 401:
        ctx.backoff = 0.0  # the retry after a token refresh should not wait
    if ctx.response is not None:
        wait = retry_after_seconds(ctx.response)
        if wait is not None and wait > call.remaining() - MIN_ATTEMPT_SECONDS:
            return RetryCheckResult.do_not_retry
    if call.worth_another_attempt():
        return RetryCheckResult.no_decision
    if ctx.exception is not None or (ctx.response is not None and ctx.response.status_code >= 400):
        call.out_of_time = True
    return RetryCheckResult.do_not_retry


def new_retry_config() -> RetryConfig:
    """Each client gets its own: globus-sdk appends its default checks to the one it is given."""
    config = RetryConfig()
    config.checks.register_check(refuse_retry_past_deadline)
    return config


class ObservedSession(requests.Session):
    """Reports every HTTP request it sends: its globus-sdk name, outcome and duration (body
    included), to the metrics, the current request's record and a DEBUG line."""

    def __init__(self, observe: CallObserver) -> None:
        super().__init__()
        self._observe = observe

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        start = time.monotonic()
        outcome = UNREACHABLE
        try:
            response = super().send(request, **kwargs)
            status = response.status_code
            outcome = "ok" if status < 400 else str(status)
            return response
        except requests.Timeout:
            outcome = TIMEOUT
            raise
        finally:
            seconds = time.monotonic() - start
            name = call_name(request)
            self._observe(name, outcome, seconds)
            request_context.count_globus_call()
            if log.isEnabledFor(logging.DEBUG):
                milliseconds = round(seconds * 1000, 1)
                log.debug(
                    "globus %s %s %.1fms",
                    name,
                    outcome,
                    milliseconds,
                    extra={"call": name, "outcome": outcome, "duration_ms": milliseconds},
                )


def ignore_call(name: str, outcome: str, seconds: float) -> None:
    """The observer of a transport nobody watches."""


class DeadlineTransport(RequestsTransport):
    """A shared transport whose timeouts and retry sleeps shrink to the current deadline."""

    def __init__(
        self, http_timeout: float, pool_size: int, observe: CallObserver = ignore_call
    ) -> None:
        super().__init__(http_timeout=http_timeout)
        self.session = ObservedSession(observe)
        adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # requests re-reads proxy variables and ~/.netrc from the environment on every request
        # (a scan of os.environ each time); skip that unless a proxy is actually configured.
        self.session.trust_env = bool(urllib.request.getproxies())
        # One session serves every user: a cookie kept from one answer must never ride along
        # with another user's request.
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """globus-sdk's request, retries included; a success must be one JSON object."""
        response = super().request(method, url, **kwargs)
        if 200 <= response.status_code < 300 and response.status_code != NO_CONTENT:
            body = response.content
            kind = checked_kind(body, response.status_code)
            call = CURRENT_CALL.get()
            if call is not None:
                call.checked_body = (body, kind)
        return response

    @property
    def http_timeout(self) -> float | None:
        call = CURRENT_CALL.get()
        if call is None:
            return self._base_http_timeout
        left = max(call.remaining(), 0.001)
        return left if self._base_http_timeout is None else min(self._base_http_timeout, left)

    @http_timeout.setter
    def http_timeout(self, value: float | None) -> None:
        self._base_http_timeout = value

    def _retry_sleep(self, retry_config: RetryConfig, ctx: RetryContext) -> None:
        period = min(retry_config.backoff(ctx), retry_config.max_sleep)
        call = CURRENT_CALL.get()
        if call is not None:
            period = min(period, max(call.remaining() - MIN_ATTEMPT_SECONDS, 0.0))
        if period > 0:
            time.sleep(period)
