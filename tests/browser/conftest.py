"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download is impossible here, so the system Chromium is used. In CI
(CI=true) a missing Chromium or a missing axe-core (``npm ci``) fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI.")
    pytest.skip(f"{what} is not available (required when CI=true).")


# Module scope: Playwright's event loop must be gone before the next module's ORM tests run.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while it runs, so Django would take
    # every ORM call (fixtures, database flushes) for async code. They are synchronous and safe.
    # Set for this module only and restored afterwards, so it never reaches other tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": "http://localhost"}])
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def audit_page(browser):
    """A tab for axe-core: the page's CSP (no inline scripts) would refuse the injected axe
    script, so this context bypasses CSP; the policy itself is tested in tests/security."""
    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, locale="en-GB", bypass_csp=True
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": "http://localhost"}])
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core (run `npm ci`)")
    return AXE.read_text()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form:has(#id_username) button[type=submit]")
    page.wait_for_url(f"{base_url}/")
