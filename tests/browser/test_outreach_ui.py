"""End-to-end: a compliance officer sets up the notification campaign of the PIPA notice, records
a batch, sees the progress beside the deadline and in the section, and downloads the Korean text
draft, in English and Korean; axe-core finds no serious or critical violation; screenshots."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from incidents.models import Deadline
from outreach.models import NoticeBatch, NoticeCampaign
from tests.browser import test_ui
from tests.browser.conftest import ROOT, sign_in
from tests.browser.test_search_audit_ui import korean
from tests.browser.test_ui import _serious

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
CASE = "INC-2025-0001"
PIPA_NOTICE = "kr-pipa-34-subject-notice"
officer = test_ui.officer
demo = test_ui.demo

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "set_up": "Set up the campaign",
        "batch": "Record a batch",
        "progress": re.compile(r"2,000 of [\d,]+ notified"),
        "saved": "Batch recorded.",
    },
    "ko": {
        "set_up": "통지 계획 세우기",
        "batch": "발송 건 기록",
        "progress": re.compile(r"명 중 2,000명 통지"),
        "saved": "발송 건을 기록했습니다.",
    },
}


def _notice(page):
    return page.locator(f"article.notice-campaign:has(code:text-is('{PIPA_NOTICE}'))")


def _run_campaign(page, base: str, language: str) -> None:
    text = TEXT[language]
    page.goto(f"{base}/incidents/{CASE}/")
    notice = _notice(page)
    notice.get_by_role("link", name=re.compile(text["set_up"])).click()
    page.wait_for_url(re.compile(r".*/notices/\d+/campaign/$"))
    # First a substitute notice without its reason: refused, the choice kept.
    page.select_option("#id_method", "website")
    page.check("#id_substitute_notice")
    page.fill("#id_notes", "e-mail first, website for members without an address")
    page.click("form.form-panel button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#id_notes") == "e-mail first, website for members without an address"
    page.select_option("#id_method", "email")
    page.fill("#id_substitute_reason", "no contact details for former members")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(re.compile(rf".*/incidents/{CASE}/#notice-\d+$"))
    assert NoticeCampaign.objects.filter(deadline__code=PIPA_NOTICE).exists()
    _notice(page).get_by_role("link", name=re.compile(text["batch"])).click()
    page.wait_for_url(re.compile(r".*/batches/new/$"))
    page.select_option("#id_jurisdiction", "KR")
    page.select_option("#id_method", "sms")
    page.fill("#id_sent_date", "2025-11-30")
    page.fill("#id_sent_time", "10:00")
    page.fill("#id_count", "2100")
    page.fill("#id_failures", "100")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(re.compile(rf".*/incidents/{CASE}/#notice-\d+$"))
    assert text["saved"] in page.inner_text("main")
    assert NoticeBatch.objects.get().notified == 2000
    deadline = Deadline.objects.get(incident__reference=CASE, code=PIPA_NOTICE)
    beside = page.locator(f"#deadline-{deadline.pk} .deadline-note")
    assert text["progress"].search(beside.inner_text())
    assert beside.locator("progress").count() == 1


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_officer_runs_the_campaign_and_downloads_the_korean_text(
    page, live_server, demo, language
):
    sign_in(page, live_server.url, "officer")
    if language == "ko":
        korean(page)
    _run_campaign(page, live_server.url, language)
    with page.expect_download() as download:
        _notice(page).locator("a[href$='/draft-ko.txt']").click()
    path = download.value.path()
    body = Path(path).read_text(encoding="utf-8")
    assert body.startswith("개인정보 유출 사실 안내")
    for heading in ("1. 유출된 개인정보 항목", "5. 피해 신고·상담 부서 및 연락처"):
        assert heading in body


@pytest.mark.parametrize("language", ["en", "ko"])
def test_outreach_pages_have_no_serious_accessibility_violation(
    audit_page, live_server, demo, axe_source, language
):
    page = audit_page
    sign_in(page, live_server.url, "officer")
    if language == "ko":
        korean(page)
    _run_campaign(page, live_server.url, language)
    problems = {}
    campaign = NoticeCampaign.objects.get()
    batch = NoticeBatch.objects.get()
    for url in [
        f"/incidents/{CASE}/",
        f"/incidents/{CASE}/notices/{campaign.deadline_id}/campaign/",
        f"/incidents/{CASE}/notices/campaigns/{campaign.pk}/batches/new/",
        f"/incidents/{CASE}/notices/batches/{batch.pk}/failures/",
    ]:
        page.goto(live_server.url + url)
        found = _serious(page, axe_source)
        if found:
            problems[url] = found
    # A form with errors.
    page.goto(f"{live_server.url}/incidents/{CASE}/notices/campaigns/{campaign.pk}/batches/new/")
    page.fill("#id_count", "0")
    page.click("form.form-panel button[type=submit]")
    found = _serious(page, axe_source)
    if found:
        problems["batch form with errors"] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_screenshots_of_the_notification_section(audit_page, live_server, demo, language):
    """outreach-en.png and outreach-ko.png: into docs/screenshots/ when UPDATE_SCREENSHOTS=1."""
    page = audit_page
    target = (
        ROOT / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else Path(tempfile.gettempdir()) / "incident-clock-screenshots"
    )
    target.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "officer")
    if language == "ko":
        korean(page)
    _run_campaign(page, live_server.url, language)
    # The machine may lack CJK fonts: use the font the PDFs ship (this tab bypasses the CSP).
    page.add_style_tag(
        content="@font-face{font-family:ICKR;src:url('/static/fonts/IncidentClockKR-Regular.woff2')}"
        " body{font-family:ICKR,sans-serif}"
    )
    page.evaluate("document.fonts.ready")
    section = page.locator("#outreach")
    section.scroll_into_view_if_needed()
    name = f"outreach-{language}.png"
    section.screenshot(path=str(target / name))
    assert (target / name).stat().st_size > 10_000
