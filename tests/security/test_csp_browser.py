"""Django admin and the API docs really work in Chromium under the Content Security Policy.

A real browser reports every CSP violation (``securitypolicyviolation`` events); the strict
policy must produce none on the admin and the docs pages, while the drf-spectacular view that
inlines its script is blocked (which is why the API uses the split Swagger view).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.urls("tests.security.api_urls"),
    pytest.mark.django_db(transaction=True),
]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.fixture
def browser(monkeypatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are not async.
    # monkeypatch restores the environment, so later subprocess tests never inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def admin_page(browser, live_server):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from tests.factories import UserFactory

    admin_user = UserFactory(username="su", role="admin", is_staff=True, is_superuser=True)
    device = StaticDevice.objects.create(user=admin_user, name="test", confirmed=True)
    client = Client()
    client.force_login(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/incidents/incident/",
        "/admin/incidents/incident/add/",
        "/admin/audit/auditentry/",
        "/admin/axes/accessattempt/",
        "/accounts/login/",
        "/accounts/otp/backup-codes/",
    ],
)
def test_django_admin_and_sign_in_pages_run_without_csp_violations(
    admin_page, live_server, path
) -> None:
    response = admin_page.goto(live_server.url + path)
    assert response.status == 200
    admin_page.wait_for_load_state("networkidle")
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    assert _violations(admin_page) == []


def test_admin_javascript_runs_under_the_policy(admin_page, live_server) -> None:
    admin_page.goto(live_server.url + "/admin/incidents/incident/add/")
    admin_page.wait_for_load_state("networkidle")
    # The admin's own script (from /static/) sets up the inline forms: proof that it ran.
    assert admin_page.locator(".add-row a").count() >= 1
    assert _violations(admin_page) == []


def test_swagger_ui_renders_without_csp_violations(admin_page, live_server) -> None:
    admin_page.goto(live_server.url + "/api/docs/")
    admin_page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "Incident Clock API" in admin_page.inner_text(".swagger-ui .info .title")
    assert _violations(admin_page) == []


def test_redoc_renders_without_csp_violations(admin_page, live_server) -> None:
    admin_page.goto(live_server.url + "/api/redoc/")
    admin_page.wait_for_selector("h1", timeout=20000)
    assert "Incident Clock API" in admin_page.inner_text("h1")
    # Redoc's template asks for Google Fonts and a logo from cdn.redoc.ly; the policy blocks
    # those third-party fetches (fonts fall back, the logo is decoration). Nothing else.
    external = ("https://fonts.googleapis.com", "https://cdn.redoc.ly")
    assert [v for v in _violations(admin_page) if not any(h in v for h in external)] == []


def test_an_inline_script_is_really_blocked(admin_page, live_server) -> None:
    admin_page.goto(live_server.url + "/api/docs-inline/")
    admin_page.wait_for_load_state("networkidle")
    assert any(v.startswith("script-src") for v in _violations(admin_page))
    assert admin_page.locator(".swagger-ui .info .title").count() == 0
