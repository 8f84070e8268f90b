"""Every Prometheus metric of the service, in one registry per app.

One registry per `Metrics`, not prometheus-client's global one: several apps in one process
(the tests start many) each count their own. Labels only ever take values from bounded sets
(operationIds, HTTP statuses, Globus call names, outcomes): never a token, a path, a user or
an id. Other modules add their own series with `counter` / `gauge`, in the same registry.

The hot paths (`count_request`, `count_globus_call`) keep each label combination's series in
a dict, so a request costs a dict lookup and an increment, not prometheus-client's label
resolution.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

NAMESPACE = "globus_proxy"
# The operation label of a request no route matched (or a route matched but not its method).
UNMATCHED = "unmatched"
# Globus call outcomes besides "ok" and an HTTP status.
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
# Seconds; from a 1 ms listing to a request at the 8 s deadline and past it.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class GlobusReachability:
    """What the last call to Globus says about Globus, for humans: "ok 3 s ago"."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: tuple[str, float] | None = None  # (outcome, clock time)

    def record(self, outcome: str) -> None:
        # One reference assignment: atomic, so worker threads need no lock.
        self._last = (outcome, self._clock())

    def describe(self) -> str:
        last = self._last
        if last is None:
            return "unknown (no call to Globus yet)"
        outcome, at = last
        # Any answer below 500, a 404 included, says Globus is there and working.
        answered = outcome == "ok" or (outcome.isdigit() and int(outcome) < 500)
        return f"{'ok' if answered else outcome} {max(self._clock() - at, 0.0):.0f} s ago"


class CountRead(Collector):
    """A counter whose value another object keeps (a plain int it increments), read at scrape."""

    def __init__(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self._name = name
        self._documentation = documentation
        self._read = read

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self._name, self._documentation, value=self._read())


class Metrics:
    """The service's metrics, and the text `GET /metrics` answers."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # No `_created` series: they double every counter's series and dashboards never use
        # them (a process-wide switch of prometheus-client; this process is the service).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self._counters: dict[str, Counter] = {}
        self._gauges: dict[str, Gauge] = {}
        self.requests = self.counter(
            "requests",
            "Requests answered, by operationId (`unmatched`: no route) and HTTP status.",
            ("operation", "status"),
        )
        self.request_duration = Histogram(
            f"{NAMESPACE}_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by operationId.",
            ("operation",),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.in_flight = self.gauge("requests_in_flight", "Requests being answered now.")
        self.globus_calls = self.counter(
            "globus_calls",
            "HTTP requests to Globus Auth and Transfer, retries included, by globus-sdk method "
            "and outcome (`ok`, Globus's HTTP status, `timeout`, `unreachable`).",
            ("call", "outcome"),
        )
        self.globus_call_duration = Histogram(
            f"{NAMESPACE}_globus_call_duration_seconds",
            "Duration of one HTTP request to Globus (one attempt), by globus-sdk method.",
            ("call",),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.token_refreshes = self.counter(
            "token_refreshes",
            "Refreshes of an access token at Globus Auth, by result "
            "(`ok`, `rejected`: log in again, `failed`: Globus failed or did not answer).",
            ("result",),
        )
        self.token_cache_size = self.gauge(
            "token_cache_size", "Refreshed access tokens kept in memory."
        )
        self.worker_queue = self.gauge(
            "worker_queue_depth", "Calls toward Globus waiting for a free worker thread."
        )
        self.workers_busy = self.gauge(
            "worker_threads_busy", "Worker threads running a call toward Globus now."
        )
        self.globus = GlobusReachability(clock)
        self._request_series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        self._call_series: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """`globus_proxy_<name>_total` in this registry; the same object when asked again."""
        if name not in self._counters:
            self._counters[name] = Counter(
                f"{NAMESPACE}_{name}", documentation, labels, registry=self.registry
            )
        return self._counters[name]

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """`globus_proxy_<name>` in this registry; the same object when asked again."""
        if name not in self._gauges:
            self._gauges[name] = Gauge(
                f"{NAMESPACE}_{name}", documentation, labels, registry=self.registry
            )
        return self._gauges[name]

    def count_read(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """`globus_proxy_<name>_total`, read from `read()` at each scrape."""
        self.registry.register(CountRead(f"{NAMESPACE}_{name}", documentation, read))

    def count_request(self, operation: str, status: int, seconds: float) -> None:
        series = self._request_series.get((operation, status))
        if series is None:
            series = self._request_series[(operation, status)] = (
                self.requests.labels(operation, str(status)),
                self.request_duration.labels(operation),
            )
        series[0].inc()
        series[1].observe(seconds)

    def count_globus_call(self, call: str, outcome: str, seconds: float) -> None:
        series = self._call_series.get((call, outcome))
        if series is None:
            series = self._call_series[(call, outcome)] = (
                self.globus_calls.labels(call, outcome),
                self.globus_call_duration.labels(call),
            )
        series[0].inc()
        series[1].observe(seconds)
        self.globus.record(outcome)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The registry as the scraper asked for it (Prometheus text, or OpenMetrics)."""
        encode, content_type = choose_encoder(accept or "")
        return encode(self.registry), content_type
