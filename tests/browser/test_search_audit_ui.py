"""End-to-end: search from the top bar and the incident's audit trail with "verify", in English
and Korean, with axe-core (no serious or critical violation), and their screenshots."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from audit.services import chain_head
from incidents import services
from tests.browser import test_ui
from tests.browser.conftest import ROOT, sign_in
from tests.browser.test_ui import _serious
from tests.factories import IncidentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
CASE = "INC-2025-0001"
# The demo data and the officer who is a member of its incidents, shared with test_ui.
officer = test_ui.officer
demo = test_ui.demo


def korean(page) -> None:
    page.click("button[lang=ko]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"


def search_from_top_bar(page, words: str) -> None:
    page.fill("#topsearch-q", words)
    page.press("#topsearch-q", "Enter")
    page.wait_for_url(re.compile(r".*/search/\?q=.*"))


@pytest.mark.parametrize(("language", "heading"), [("en", "Search"), ("ko", "검색")])
def test_an_officer_searches_from_the_top_bar(page, live_server, demo, language, heading):
    secret = IncidentFactory(title="유출 not for the officer")
    sign_in(page, live_server.url, "officer")
    if language == "ko":
        korean(page)
    page.goto(f"{live_server.url}/incidents/")
    search_from_top_bar(page, "유출")
    assert page.locator("h1").inner_text() == heading
    hits = page.locator(".search-hit")
    assert hits.count() >= 1
    assert page.locator(".search-hit mark").first.inner_text() == "유출"
    assert secret.reference not in page.inner_text("main")  # need-to-know
    # Narrow to regulator requests: the form keeps the words; only request hits remain.
    page.select_option("#id_kind", "request")
    page.click("form[role=search].filters button[type=submit]")
    page.wait_for_load_state()
    kinds = set(page.locator(".search-hit").evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert kinds == {"request"}
    page.locator(".search-hit h3 a").first.click()
    page.wait_for_url(re.compile(r".*/incidents/INC-\d+-\d+/#event-\d+$"))


@pytest.mark.parametrize(
    ("language", "intact"),
    [("en", "The audit chain is intact"), ("ko", "감사 체인이 온전합니다")],
)
def test_legal_counsel_reads_the_audit_trail_and_verifies_the_chain(
    page, live_server, demo, language, intact
):
    counsel = UserFactory(username="counsel", role="legal")
    services.membership_add(incident=services.Incident.objects.get(reference=CASE), user=counsel)
    sign_in(page, live_server.url, "counsel")
    if language == "ko":
        korean(page)
    page.goto(f"{live_server.url}/incidents/{CASE}/")
    page.click(f"a[href='/incidents/{CASE}/audit/']")
    page.wait_for_url(f"{live_server.url}/incidents/{CASE}/audit/")
    assert page.locator("[data-testid=audit-row]").count() > 0
    page.select_option("#id_action", "create")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    actions = page.locator("[data-testid=audit-row] td:nth-child(4)").all_inner_texts()
    assert actions
    assert len(set(actions)) == 1
    page.click("form[action$='/audit/verify/'] button[type=submit]")
    page.wait_for_load_state()
    assert intact in page.inner_text("[data-testid=verify-result]")
    assert page.inner_text("[data-testid=head-hash]") == chain_head()["hash"]


def test_the_officer_gets_no_audit_link_and_a_403(page, live_server, demo):
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/incidents/{CASE}/")
    assert page.locator(f"a[href='/incidents/{CASE}/audit/']").count() == 0
    response = page.goto(f"{live_server.url}/incidents/{CASE}/audit/")
    assert response is not None
    assert response.status == 403


@pytest.mark.parametrize("language", ["en", "ko"])
def test_search_and_audit_pages_have_no_serious_accessibility_violation(
    audit_page, live_server, demo, axe_source, language
):
    page = audit_page
    counsel = UserFactory(username="counsel", role="legal")
    services.membership_add(incident=services.Incident.objects.get(reference=CASE), user=counsel)
    sign_in(page, live_server.url, "counsel")
    if language == "ko":
        korean(page)
    problems = {}
    for url in [
        "/search/?q=%EC%9C%A0%EC%B6%9C",
        "/search/?q=KISA&kind=filing&date_from=2025-01-01",
        "/search/?q=x&date_from=bad",  # with form errors
        f"/incidents/{CASE}/audit/",
        f"/incidents/{CASE}/audit/?date_from=bad",
    ]:
        page.goto(live_server.url + url)
        found = _serious(page, axe_source)
        if found:
            problems[url] = found
    page.goto(f"{live_server.url}/incidents/{CASE}/audit/")
    page.click("form[action$='/audit/verify/'] button[type=submit]")
    page.wait_for_load_state()
    found = _serious(page, axe_source)
    if found:
        problems["verified"] = found
    assert problems == {}


def test_screenshots_of_search_and_the_audit_trail(page, live_server, demo):
    """search.png and audit-trail.png: into docs/screenshots/ when UPDATE_SCREENSHOTS=1."""
    target = (
        ROOT / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else Path(tempfile.gettempdir()) / "incident-clock-screenshots"
    )
    target.mkdir(parents=True, exist_ok=True)
    counsel = UserFactory(username="counsel", role="legal")
    services.membership_add(incident=services.Incident.objects.get(reference=CASE), user=counsel)
    sign_in(page, live_server.url, "counsel")
    page.goto(f"{live_server.url}/search/?q=breach")  # Latin: the machine may lack CJK fonts
    page.screenshot(path=str(target / "search.png"))
    page.goto(f"{live_server.url}/incidents/{CASE}/audit/")
    page.click("form[action$='/audit/verify/'] button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(target / "audit-trail.png"))
    for name in ("search.png", "audit-trail.png"):
        assert (target / name).stat().st_size > 10_000
