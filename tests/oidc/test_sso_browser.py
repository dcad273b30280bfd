"""SSO in Chromium: the button, the provider round trip and sign-out at the provider under CSP.

The product is served at http://localhost:⟨port⟩ and the provider at http://127.0.0.1:⟨port⟩/o:
two origins, so the browser keeps two cookie jars as it would for a real provider. Sign-out is a
POST whose response redirects to the provider, and Chromium checks such redirects against CSP
``form-action``; the settings add the issuer's origin (``config.settings.oidc.wire``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import AuditEntry
from config.settings.oidc import wire
from tests.factories import UserFactory
from tests.oidc import provider

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("sso")]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '')));
"""


@pytest.fixture
def issuer(live_server: Any) -> str:
    # Overrides conftest's: the provider on another origin than the product.
    return f"{live_server.url.replace('localhost', '127.0.0.1')}/o"


@pytest.fixture
def browser(monkeypatch: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
        pytest.skip(f"Chromium is not at {CHROMIUM} (required when CI=true)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are not async.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright  # only where a browser is wanted

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def signed_in_at_provider(
    browser: Any, live_server: Any, issuer: str, oidc_provider: Any
) -> tuple[Any, str]:
    """A page whose browser already has a session at the provider (as after its own login)."""
    product = live_server.url
    oidc_provider.redirect_uris = f"{product}/accounts/oidc/callback/"
    oidc_provider.post_logout_redirect_uris = f"{product}/accounts/login/"
    oidc_provider.save()
    account = UserFactory(username="idp-moon")
    provider.CLAIMS["idp-moon"] = {"preferred_username": "moon", "groups": ["ic-viewer"]}
    at_provider = Client()
    at_provider.force_login(account)
    session_key = at_provider.cookies["sessionid"].value
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": session_key, "url": issuer}])
    context.add_init_script(RECORD_VIOLATIONS)
    return context.new_page(), session_key


def _csp_with_provider(settings: Any, issuer: str) -> None:
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    wire(["django_otp.middleware.OTPMiddleware"], [], csp, issuer=issuer)
    settings.CONTENT_SECURITY_POLICY = csp


def test_sign_in_with_the_provider_and_sign_out_there_too(
    signed_in_at_provider, live_server, issuer, settings
) -> None:
    _csp_with_provider(settings, issuer)
    page, provider_session = signed_in_at_provider
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#sso-sign-in")  # "Sign in with Loopback IdP"
    page.wait_for_url(f"{live_server.url}/")
    assert AuditEntry.objects.get(action="login", actor_repr="moon").changes == {"method": "oidc"}

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.evaluate("window.__csp") == []
    assert not Session.objects.filter(session_key=provider_session).exists()
    assert AuditEntry.objects.filter(action="logout", actor_repr="moon").exists()


def test_without_the_provider_in_form_action_the_browser_blocks_the_sign_out_redirect(
    signed_in_at_provider, live_server, issuer, settings
) -> None:
    page, provider_session = signed_in_at_provider
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#sso-sign-in")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_function("window.__csp && window.__csp.length > 0")
    assert any(v.startswith("form-action") for v in page.evaluate("window.__csp"))
    assert Session.objects.filter(session_key=provider_session).exists()
