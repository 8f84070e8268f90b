"""A minimal keep-alive HTTP/1.1 client, so that client overhead stays small in the timings."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit


class KeepAliveClient:
    """One persistent connection to one loopback server; not shared between threads."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path_and_query: str) -> tuple[int, bytes]:
        try:
            return self._get(path_and_query)
        except (http.client.HTTPException, ConnectionError):
            # The server closed an idle connection: reconnect once.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            return self._get(path_and_query)

    def _get(self, path_and_query: str) -> tuple[int, bytes]:
        self.connection.request("GET", path_and_query)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()
