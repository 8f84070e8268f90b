"""The login page in a real headless browser: Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it is pointed at /usr/bin/chromium. Without
chromium the test is skipped, unless ``CI`` is set, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import globus_sdk
import pytest
from playwright.sync_api import BrowserContext, expect, sync_playwright

from globus_emulator.tokens import TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE, AccessToken
from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_IDENTITY_ID, DEFAULT_SOURCE_ID
from tests.support.emulated_globus import RunningEmulator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=TIMEOUT_MS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def test_login_in_a_browser_and_exchange_the_code(
    globus_env: RunningEmulator, browser_context: BrowserContext, tmp_path: Path
) -> None:
    scope = (
        f"openid {TRANSFER_SCOPE}[*https://auth.globus.org/scopes/{DEFAULT_SOURCE_ID}/data_access]"
    )
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(scope, refresh_tokens=True)
    page = browser_context.new_page()

    page.goto(client.oauth2_get_authorize_url())
    expect(page.locator("h1")).to_contain_text("Log in to")
    expect(page.locator("ul.scopes")).to_contain_text("ESnet Read-Only Test DTN")
    page.screenshot(path=str(tmp_path / "login.png"), full_page=True)
    page.select_option("#identity", DEFAULT_IDENTITY_ID)
    page.click("#allow")

    page.wait_for_url("**/v2/web/auth-code?**")
    code = page.locator("#auth-code").inner_text().strip()
    page.screenshot(path=str(tmp_path / "auth-code.png"), full_page=True)
    assert (tmp_path / "login.png").stat().st_size > 0
    assert code

    tokens = client.oauth2_exchange_code_for_tokens(code)
    transfer = tokens.by_resource_server[TRANSFER_RESOURCE_SERVER]
    found = globus_env.emulator.tokens.check_access(transfer["access_token"])
    assert isinstance(found, AccessToken)
    assert found.grant.identity_id == DEFAULT_IDENTITY_ID
    assert found.grant.data_access == frozenset({DEFAULT_SOURCE_ID})
    page.close()


def test_deny_in_a_browser(globus_env: RunningEmulator, browser_context: BrowserContext) -> None:
    client = globus_sdk.NativeAppAuthClient(DEFAULT_CLIENT_ID)
    client.oauth2_start_flow(TRANSFER_SCOPE)
    page = browser_context.new_page()

    page.goto(client.oauth2_get_authorize_url())
    page.click("#deny")

    page.wait_for_url("**/v2/web/auth-code?**")
    expect(page.locator("#auth-error")).to_contain_text("access_denied")
    assert page.locator("#auth-code").count() == 0
    page.close()
