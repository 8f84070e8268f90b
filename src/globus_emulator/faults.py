"""Injected failures: what a fault is, the book of pending ones, and how one plays out.

The control API adds faults; the middleware takes the first one matching each API request
and hands the request to :func:`play` instead of the app. A new kind of failure is a field
on :class:`Fault` (read in :meth:`Fault.from_document`) and a branch in :func:`play`.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class FaultError(ValueError):
    """A fault document the control API cannot use; the text says which field is wrong."""


@dataclass
class Fault:
    """The next ``times`` API requests whose path contains ``match`` stall and/or fail, or
    answer a broken body (``text``, ``truncate``)."""

    match: str
    times: int = 1
    status: int | None = None  # None: answer normally (after the delay)
    delay_seconds: float = 0.0
    body: dict[str, Any] | None = None  # None: a Transfer-style error document
    headers: dict[str, str] | None = None  # added to the failing answer, e.g. Retry-After
    # The request is carried out (a task is created), then its answer is lost: nothing is
    # sent, and the connection stays silent until the client gives up.
    lose_answer: bool = False
    # A body sent as is instead (an HTML page from a proxy in front of Globus, say).
    text: str | None = None
    content_type: str = "text/html; charset=utf-8"
    # Whatever the answer, only the first half of its body is sent (with a Content-Length
    # that matches, so the HTTP message itself is whole).
    truncate: bool = False

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Fault:
        match = doc.get("match")
        if not isinstance(match, str):
            raise FaultError("'match' (a path substring) is required")
        times = doc.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise FaultError("'times' must be a positive integer")
        status = doc.get("status")
        if status is not None and (
            not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
        ):
            raise FaultError("'status' must be an HTTP status code (100-599) or null")
        delay = doc.get("delay_seconds", 0.0)
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            raise FaultError("'delay_seconds' must be a number of seconds, 0 or more")
        body = doc.get("body")
        if body is not None and not isinstance(body, dict):
            raise FaultError("'body' must be a JSON object or null")
        headers = doc.get("headers")
        if headers is not None and not (
            isinstance(headers, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            raise FaultError("'headers' must be an object of strings or null")
        lose_answer = doc.get("lose_answer", False)
        if not isinstance(lose_answer, bool):
            raise FaultError("'lose_answer' must be true or false")
        text = doc.get("text")
        if text is not None and not isinstance(text, str):
            raise FaultError("'text' must be a string or null")
        content_type = doc.get("content_type", cls.content_type)
        if not isinstance(content_type, str) or not content_type:
            raise FaultError("'content_type' must be a media type")
        truncate = doc.get("truncate", False)
        if not isinstance(truncate, bool):
            raise FaultError("'truncate' must be true or false")
        return cls(
            match=match,
            times=times,
            status=status,
            delay_seconds=delay,
            body=body,
            headers=headers,
            lose_answer=lose_answer,
            text=text,
            content_type=content_type,
            truncate=truncate,
        )


@dataclass
class FaultBook:
    """The pending faults, shared by the control API's thread and the server's."""

    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> int:
        """Queue a fault; returns how many are pending."""
        with self._lock:
            self._faults.append(fault)
            return len(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        """The first fault matching ``path``, used up once."""
        with self._lock:
            for fault in self._faults:
                if fault.match in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


async def play(fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one request as ``fault`` says: stall, then fail or let ``app`` answer."""
    if fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    if fault.lose_answer:
        await lose_answer(app, scope, receive)
        return
    if fault.truncate:
        send = half_body(send)
    if fault.text is not None:
        answer: Response = Response(
            fault.text, status_code=fault.status or 200, media_type=fault.content_type
        )
    elif fault.status is None:
        await app(scope, receive, send)
        return
    else:
        answer = JSONResponse(
            fault.body
            or {
                "code": "ServiceUnavailable",
                "message": "Injected fault",
                "request_id": "injected",
                "resource": scope["path"],
            },
            status_code=fault.status,
            headers=fault.headers,
        )
    await answer(scope, receive, send)


async def lose_answer(app: ASGIApp, scope: Scope, receive: Receive) -> None:
    """Let ``app`` do the work, drop what it answers, and wait for the client to hang up."""

    async def discard(_: Message) -> None:
        return None

    await app(scope, receive, discard)
    while (await receive())["type"] != "http.disconnect":
        pass


def half_body(send: Send) -> Send:
    """A `send` that holds the answer back and sends it with only the first half of its body."""
    start: Message = {}
    chunks: list[bytes] = []

    async def send_half(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        whole = b"".join(chunks)
        body = whole[: len(whole) // 2]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return send_half
