"""The emulator's `/_emulator/` control API: call counts, token ageing, configuration."""

from __future__ import annotations

from typing import Any

import httpx


class EmulatorControl:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30.0)

    def reset_calls(self) -> None:
        self.http.post("/_emulator/stats/reset").raise_for_status()

    def calls(self) -> dict[str, Any]:
        """{"total": n, "calls": {"METHOD /path": n}}: API calls since the last reset."""
        response = self.http.get("/_emulator/stats")
        response.raise_for_status()
        return dict(response.json())

    def expire(self, access_token: str) -> None:
        """Makes the access token stale, as two hours of wall time would."""
        response = self.http.post("/_emulator/tokens/expire", json={"access_token": access_token})
        response.raise_for_status()

    def unlimit_transfers(self) -> None:
        self.http.post("/_emulator/config", json={"transfer_rate_limit": None}).raise_for_status()

    def close(self) -> None:
        self.http.close()
