"""Issue #16 item 1 in the browser, as a compliance officer, in English and in Korean: add a task
(first with an error: nothing typed is lost), mark it done, cancel another with a reason (first
without one), take the suggestions from the open deadlines; see the task on the dashboard's "My
tasks"; axe-core on every page (also with errors); screenshots of the section."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from actions.models import ActionItem, ActionStatus
from incidents import services
from incidents.models import Profile
from tests.browser.conftest import ROOT, sign_in
from tests.browser.test_manage_ui import Axe, _switch_language
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUBMIT = "form.form-panel button[type=submit].btn-primary"


@pytest.fixture
def aware(transactional_db):
    """An incident of the compliance officer with a Korean entity and awareness: open deadlines."""
    call_command("load_catalogue", verbosity=0)
    officer = UserFactory(username="officer", role="compliance")
    Profile.objects.filter(user=officer).update(time_zone="Asia/Seoul")
    incident = IncidentFactory(owner=officer, title="Token abuse at Example Korea")
    add_korean_entity(incident)
    services.membership_add(
        incident=incident, user=UserFactory(username="colleague", role="compliance")
    )
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="CISO confirms the leak",
    )
    return incident


def _screenshot(page, name: str) -> None:
    target = (
        ROOT / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else Path(tempfile.gettempdir()) / "incident-clock-screenshots"
    )
    target.mkdir(parents=True, exist_ok=True)
    # The page's font stack names Noto Sans KR, which readers' systems have; this test machine
    # has no CJK system font, so the shipped PDF font is added as a last fallback for the shot.
    faces = "".join(
        f'@font-face{{font-family:"IncidentClock KR";font-weight:{weight};'
        f'src:url("/static/fonts/IncidentClockKR-{style}.woff2")}}'
        for weight, style in (("normal", "Regular"), ("bold", "Bold"))
    )
    page.add_style_tag(
        content=faces + ':root{--font:"Segoe UI","Noto Sans KR","IncidentClock KR",sans-serif}'
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(300)
    page.locator("#action-items").screenshot(path=str(target / name))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_adding_completing_and_cancelling_tasks_in_the_browser(
    audit_page, live_server, aware, axe_source, language
):
    page, base = audit_page, live_server.url
    axe = Axe(page, axe_source)
    ref = aware.reference
    sign_in(page, base, "officer")
    _switch_language(page, language)
    page.goto(f"{base}/incidents/{ref}/")
    assert page.locator("#action-items").is_visible()
    axe.check("incident page")

    # Add a task: first without a title (an error; the details typed stay), then properly.
    page.click(f"a[href='/incidents/{ref}/actions/new/']")
    axe.check("task form")
    page.fill("#id_description", "Export the last 30 days from both firewalls")
    page.fill("#id_due_at", "2026-03-04T18:00")
    page.click(SUBMIT)
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#id_description") == "Export the last 30 days from both firewalls"
    assert page.input_value("#id_due_at") == "2026-03-04T18:00"
    axe.check("task form with errors")
    title = "Collect the firewall logs" if language == "en" else "방화벽 로그 수집"
    page.fill("#id_title", title)
    page.select_option("#id_owner", label="colleague")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*#action-\d+$"))
    item = ActionItem.objects.get(incident=aware, title=title)
    assert item.due_at == datetime(2026, 3, 4, 18, 0, tzinfo=KST)
    row = page.locator(f"#action-{item.pk}")
    assert "colleague" in row.inner_text()
    assert "18:00 KST +09:00" in row.inner_text()
    assert row.locator(".countdown[data-due]").count() == 1

    # Take the suggestions from the open deadlines.
    page.click(f"a[href='/incidents/{ref}/actions/suggest/']")
    axe.check("suggestions")
    expected = "Prepare the report to" if language == "en" else "신고 준비"
    assert expected in page.inner_text("main")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*#action-items$"))
    suggested = ActionItem.objects.filter(incident=aware).exclude(suggestion_key="")
    assert suggested.count() >= 2

    # Mark the first task done.
    row.locator("form[action$='/complete/'] button").click()
    page.wait_for_url(re.compile(rf".*#action-{item.pk}$"))
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    assert page.locator(f"#action-{item.pk} .pill-done").is_visible()

    # Cancel a suggested one: first without a reason, then with one.
    other = suggested.first()
    assert other is not None
    page.click(f"#action-{other.pk} a[href$='/cancel/']")
    page.click(SUBMIT)
    assert page.locator(".error-summary").is_visible()
    axe.check("cancel form with errors")
    page.fill("#id_reason", "Filed directly by the parent company")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(rf".*#action-{other.pk}$"))
    other.refresh_from_db()
    assert other.status == ActionStatus.CANCELLED
    assert "Filed directly by the parent company" in page.inner_text(f"#action-{other.pk}")
    axe.check("incident page with tasks")
    _screenshot(page, f"actions-{language}.png")

    # The suggested tasks are the owner's: they are on the dashboard's "My tasks".
    page.goto(f"{base}/")
    assert page.locator("#my-tasks").is_visible()
    assert page.locator("#my-tasks li a").count() >= 1
    axe.check("dashboard")
    assert axe.problems == {}
