"""The HTTP/1.1 protocol both servers run (the proxy and the emulator): uvicorn's httptools
protocol, made to serve every request whole whatever upgrade it offers, and to refuse, with an
answer of the server's own wording, what is too big or too slow.

Imports nothing from either package, so neither depends on the other to serve.

Upgrade offers. llhttp stops at the end of the head of any request with ``Connection:
upgrade`` and an ``Upgrade`` header, as if the rest of the stream were another protocol.
uvicorn takes only WebSocket upgrades; for anything else (``Upgrade: h2c`` from curl --http2
or java.net.http, on every request) it started the app with an empty body and then parsed the
body as a new request. A server may ignore an upgrade offer (RFC 9110 section 7.8): the head is
replayed to a fresh parser without the upgrade headers, so the body and any pipelined requests
follow as usual.

Limits (each optional): the URL's length (414), the header fields' size (431), the declared or
received body size (413), and the time a connection may take to send a request head (408, or
a silent close when no byte of a request came). A refused request never reaches the app; the
connection is closed after the answer (once the client stops sending, or after a short while).

Relies on uvicorn internals (the parser callbacks, ``self.url``, ``self.headers``,
``self.cycle``, ``_get_upgrade``/``_should_upgrade``): pyproject pins uvicorn's minor version
and tests/guarded_http replays the exact bytes that broke, so an upgrade that changes them
fails loudly.
"""

from __future__ import annotations

import asyncio
import http
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal, NamedTuple

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["Guard", "Limits", "Refusal", "protocol"]

UPGRADE_HEADERS = (b"upgrade", b"http2-settings")
# A header field's framing (": " and CRLF), counted with its name and value.
FIELD_OVERHEAD = 4
# What a head may hold beyond its URL and fields before it is cut short: the request line's
# method and version, and a segment's worth of a pipelined request's body read with it.
HEAD_SLACK_BYTES = 65_536
# After a refusal, how long what the client still sends is read and dropped before the close:
# closing on unread bytes resets the connection, and a reset can wipe the answer out of the
# client's buffer before it reads it ("lingering close").
LINGER_SECONDS = 2.0

Reason = Literal["body", "url", "header", "head_timeout", "malformed"]
STATUSES: dict[Reason, int] = {
    "body": 413,
    "url": 414,
    "header": 431,
    "head_timeout": 408,
    "malformed": 400,
}


@dataclass(frozen=True)
class Limits:
    """What one request may send, and how slowly; None: no limit."""

    max_body_bytes: int | None = None
    max_url_bytes: int | None = None
    max_header_bytes: int | None = None
    header_timeout_seconds: float | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: which limit (`limit`, in bytes or seconds) it passed."""

    reason: Reason
    limit: float | None = None

    @property
    def status(self) -> int:
        return STATUSES[self.reason]

    @property
    def limit_text(self) -> str:
        """The limit as written in a setting: 67108864, not 6.71089e+07."""
        if self.limit is None:
            return ""
        return str(int(self.limit)) if float(self.limit).is_integer() else f"{self.limit:g}"


def plain_message(refusal: Refusal) -> str:
    limit = refusal.limit_text
    return {
        "body": f"The request body is larger than {limit} bytes.",
        "url": f"The URL is longer than {limit} bytes.",
        "header": f"The request's header fields are larger than {limit} bytes.",
        "head_timeout": f"The request's head did not arrive within {limit} s.",
        "malformed": "Invalid HTTP request received.",
    }[refusal.reason]


class Rendered(NamedTuple):
    """The answer to a refused request: its JSON body and any headers beyond the standard ones."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()


def plain_json(refusal: Refusal) -> Rendered:
    phrase = http.HTTPStatus(refusal.status).phrase
    return Rendered(orjson.dumps({"code": phrase, "message": plain_message(refusal)}))


@dataclass(frozen=True)
class Guard:
    limits: Limits = field(default_factory=Limits)
    # The answer to a refused request.
    render: Callable[[Refusal], Rendered] = plain_json


class Refused(Exception):
    """Raised in a parser callback: httptools stops and hands it back as the error's context."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


def protocol(
    limits: Limits | None = None, render: Callable[[Refusal], Rendered] | None = None
) -> type[GuardedProtocol]:
    """The class to give uvicorn as `http=`: uvicorn builds one per connection, so the
    limits and the wording ride on the class."""

    class Configured(GuardedProtocol):
        guard = Guard(limits or Limits(), render or plain_json)

    return Configured


class GuardedProtocol(HttpToolsProtocol):
    guard: ClassVar[Guard] = Guard()

    _replay: bytes | None = None  # the head of a request whose upgrade offer is ignored
    _head_timer: asyncio.TimerHandle | None = None
    _in_head = False  # some of a request head has come, not all of it
    _head_bytes = 0  # bytes received while a head is still coming: a bound on its size
    _field_bytes = 0
    _body_bytes = 0
    _stopped = False  # a request was refused: nothing more is read

    # --- the connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self._stopped:
            return
        while True:
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade as upgrade:
                if self._replay is None:  # WebSocket (or CONNECT): as uvicorn does
                    if self._should_upgrade():
                        self.handle_websocket_upgrade()
                    else:
                        self._unsupported_upgrade_warning()
                    return
                # A fresh parser: the old one may take the message as the connection's last.
                data, self._replay = self._replay + data[upgrade.args[0] :], None
                self.parser = httptools.HttpRequestParser(self)
                self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
                continue
            except httptools.HttpParserError as err:
                refused = err.__context__
                if isinstance(refused, Refused):
                    self._refuse(refused.refusal)
                else:
                    self.logger.warning("Invalid HTTP request received.")
                    self._refuse(Refusal("malformed"))
                return
            break
        if self._in_head:
            # A head still coming: bound what the parser holds of a field not yet complete.
            self._head_bytes += len(data)
            limits = self.guard.limits
            if limits.max_url_bytes is not None and limits.max_header_bytes is not None:
                bound = limits.max_url_bytes + limits.max_header_bytes + HEAD_SLACK_BYTES
                if self._head_bytes > bound:
                    self._refuse(Refusal("header", limits.max_header_bytes))

    def send_400_response(self, msg: str) -> None:
        self._refuse(Refusal("malformed"))

    # --- parser callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = self._field_bytes = self._body_bytes = 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        limit = self.guard.limits.max_url_bytes
        if limit is not None and len(self.url) > limit:
            raise Refused(Refusal("url", limit))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._field_bytes += len(name) + len(value) + FIELD_OVERHEAD
        limit = self.guard.limits.max_header_bytes
        if limit is not None and self._field_bytes > limit:
            raise Refused(Refusal("header", limit))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_head_timer()
        limit = self.guard.limits.max_body_bytes
        if limit is not None and self._declared_length() > limit:
            raise Refused(Refusal("body", limit))  # refused as a head: nothing started
        self._in_head = False
        if self.parser.should_upgrade() and self._get_upgrade() and not self._should_upgrade():
            self._replay = self._head_without_upgrade()
        else:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        limit = self.guard.limits.max_body_bytes
        if limit is not None and self._body_bytes > limit:
            raise Refused(Refusal("body", limit))
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._replay is None:
            super().on_message_complete()

    # --- helpers -------------------------------------------------------------------------
    def _declared_length(self) -> int:
        for name, value in self.headers:
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0  # llhttp refuses it itself
        return 0

    def _head_without_upgrade(self) -> bytes:
        version = self.parser.get_http_version().encode()
        head = [b"%s %s HTTP/%s" % (self.parser.get_method(), self.url, version)]
        for name, value in self.headers:
            if name == b"connection":
                tokens = value.split(b",")
                value = b",".join(t for t in tokens if t.strip().lower() not in UPGRADE_HEADERS)
                if not value.strip():
                    continue
            if name not in UPGRADE_HEADERS:
                head.append(name + b": " + value.strip())
        return b"\r\n".join(head) + b"\r\n\r\n"

    def _arm_head_timer(self) -> None:
        seconds = self.guard.limits.header_timeout_seconds
        if seconds is not None:
            self._head_timer = self.loop.call_later(seconds, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self._refuse(Refusal("head_timeout", self.guard.limits.header_timeout_seconds))
        elif self.cycle is None or self.cycle.response_complete:
            self.transport.close()  # not a byte of a request came: nobody to answer

    def _refuse(self, refusal: Refusal) -> None:
        """Answer `refusal` (when an answer can go out in order), then read no more."""
        self._disarm_head_timer()
        self._stopped = True
        if refusal.reason != "malformed":
            self.logger.warning("Refused a request: %s", plain_message(refusal))
        cycle = self.cycle
        in_flight = cycle is not None and not cycle.response_complete
        if cycle is not None and in_flight and not self._in_head:
            # The body of the request being served: its app is cut off from the connection.
            cycle.disconnected = True
            cycle.message_event.set()
            if not cycle.response_started:
                self.transport.write(self._answer(refusal))
            self._close_lingering()
        elif cycle is not None and in_flight:
            # A pipelined head behind an answer still going out: close after that answer.
            cycle.keep_alive = False
            self.flow.pause_reading()
        else:
            self.transport.write(self._answer(refusal))
            self._close_lingering()

    def _close_lingering(self) -> None:
        """Send the answer's end, drop what still comes in, close once the client is done."""
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def eof_received(self) -> None:
        if self._stopped:
            self.transport.close()  # the client is done sending after a refusal

    def _answer(self, refusal: Refusal) -> bytes:
        body, headers = self.guard.render(refusal)
        status = http.HTTPStatus(refusal.status)
        lines = [b"HTTP/1.1 %d %s" % (status.value, status.phrase.encode())]
        lines += [name + b": " + value for name, value in self.server_state.default_headers]
        lines += [name + b": " + value for name, value in headers]
        lines += [
            b"content-type: application/json",
            b"content-length: %d" % len(body),
            b"connection: close",
        ]
        return b"\r\n".join(lines) + b"\r\n\r\n" + body
