"""HTTP/1.1 over a raw socket: for sending exactly the bytes a client sends, split into the
TCP segments it writes, and reading the answers as they come."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

# What java.net.http (JDK 17, `HttpClient.newBuilder().build()`) sends for every request of a
# client generated with openapi-generator's `java`/`native`: an h2c upgrade offer, the head in
# one write and the body in the next.
JAVA_HEAD = (
    "{method} {target} HTTP/1.1\r\n"
    "Connection: Upgrade, HTTP2-Settings\r\n"
    "Content-Length: {length}\r\n"
    "Host: {host}\r\n"
    "HTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA\r\n"
    "Upgrade: h2c\r\n"
    "User-Agent: Java-http-client/17.0.15\r\n"
    "Accept: application/json\r\n"
    "Content-Type: application/json\r\n"
    "\r\n"
)
# Between the head and the body: java.net.http's writes come ~0.1-0.8 ms apart.
SEGMENT_PAUSE_SECONDS = 0.02


def java_request(method: str, target: str, host: str, body: bytes) -> list[bytes]:
    """The segments java.net.http writes: the head, then the body when there is one."""
    head = JAVA_HEAD.format(method=method, target=target, length=len(body), host=host).encode()
    return [head, body] if body else [head]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def read_response(stream: BinaryIO) -> RawResponse:
    """One response (Content-Length framed, as the servers under test send them)."""
    status_line = stream.readline()
    assert status_line, "the connection closed before an answer"
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawResponse(status, headers, stream.read(int(headers.get("content-length", "0"))))


class Connection:
    """One TCP connection: send segments, read answers."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.stream = sock.makefile("rb")

    def send(self, *segments: bytes, pause: float = SEGMENT_PAUSE_SECONDS) -> None:
        for n, segment in enumerate(segments):
            if n:
                time.sleep(pause)
            self.sock.sendall(segment)

    def read(self) -> RawResponse:
        return read_response(self.stream)

    def closed_by_peer(self) -> bool:
        """Whether the server closed the connection (reads end), waiting up to the timeout."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True


@contextmanager
def connect(root: str, timeout: float = 10.0) -> Iterator[Connection]:
    """A connection to `root` (http://host:port), Nagle off so every segment goes at once."""
    host, port = root.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock)
        try:
            yield connection
        finally:
            connection.stream.close()
