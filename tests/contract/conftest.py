"""The contract tests drive the same proxy-in-front-of-emulator set-up as tests/proxy."""

from tests.proxy.conftest import calls, fresh_tokens, proxy, scratch, tokens

__all__ = ["calls", "fresh_tokens", "proxy", "scratch", "tokens"]
