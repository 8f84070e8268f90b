"""What wraps every request: its id, its metrics and its access-log line, in one pure ASGI
middleware (the outermost), so that it costs one small object and a few counters.

The request id is the caller's `X-Request-Id` when it is a safe token, else a fresh one; it is
sent back as `X-Request-Id`, is current (request_context) while the request is answered, so
the envelope's `metadata.request_id` and every log record carry it, and goes in the access
line. The operation label is the matched route's operationId, or `unmatched`: a path never
becomes a label.
"""

from __future__ import annotations

import time

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from globus_proxy import access_log
from globus_proxy.asgi import ResponseStatus
from globus_proxy.metrics import UNMATCHED, Metrics
from globus_proxy.request_context import CURRENT_REQUEST, HEADER, RequestRecord, request_id_from

NOT_MATCHED = (UNMATCHED, UNMATCHED)


class TaggedResponse(ResponseStatus):
    """Notes the status, and adds `X-Request-Id` to the response's headers."""

    __slots__ = ("_header",)

    def __init__(self, send: Send, request_id: str) -> None:
        super().__init__(send)
        self._header = (HEADER, request_id.encode())

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message = {**message, "headers": [*message.get("headers", ()), self._header]}
        await self._send(message)


def header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value  # type: ignore[no-any-return]
    return None


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # id(route) -> ((operationId, template), its methods); routes live as long as the app.
        self._routes: dict[int, tuple[tuple[str, str], set[str] | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        record = RequestRecord(request_id_from(header(scope, HEADER)))
        reset = CURRENT_REQUEST.set(record)
        response = TaggedResponse(send, record.request_id)
        in_flight = self.metrics.in_flight
        in_flight.inc()
        try:
            await self.app(scope, receive, response)
        finally:
            in_flight.dec()
            seconds = time.perf_counter() - start
            status = 500 if response.status is None else response.status
            operation, route = self.route_of(scope)
            self.metrics.count_request(operation, status, seconds)
            access_log.write(scope, status, seconds, operation, route, record.globus_calls)
            CURRENT_REQUEST.reset(reset)

    def route_of(self, scope: Scope) -> tuple[str, str]:
        """(operationId, route template) of the route that answered, or `unmatched` twice.

        A route that matched the path but not the method (a 405) is `unmatched` too.
        """
        route: BaseRoute | None = scope.get("route")
        if route is None:
            return NOT_MATCHED
        known = self._routes.get(id(route))
        if known is None:
            operation = getattr(route, "operation_id", None) or getattr(route, "name", None)
            template = getattr(route, "path_format", None) or getattr(route, "path", None)
            known = self._routes[id(route)] = (
                (str(operation or UNMATCHED), str(template or UNMATCHED)),
                getattr(route, "methods", None),
            )
        names, methods = known
        if methods is not None and scope["method"] not in methods:
            return NOT_MATCHED
        return names
