"""End-to-end: sign in, read the demo deadlines, record an awareness and a filing, switch to
Korean, check accessibility with axe-core, and take the README screenshots."""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from incidents import services
from incidents.models import Deadline, Profile
from tests.browser.conftest import ROOT, sign_in
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
# The keyset-paged lists and where their page sizes live (made small for the test).
PAGED_LISTS = [
    ("/deadlines/", "incidents.views.dashboard", "PAGE_SIZE"),
    ("/incidents/", "incidents.views.incidents", "INCIDENT_PAGE_SIZE"),
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def officer(transactional_db):
    call_command("load_catalogue", verbosity=0)
    user = UserFactory(username="officer", role="compliance")
    Profile.objects.filter(user=user).update(time_zone="Asia/Seoul")
    return user


@pytest.fixture
def demo(officer):
    for role in ("viewer", "compliance", "legal", "admin"):
        Group.objects.get_or_create(name=role)
    call_command("load_demo", verbosity=0)
    for incident in ("INC-2025-0001", "INC-2026-0002"):
        services.membership_add(
            incident=services.Incident.objects.get(reference=incident), user=officer
        )
    return officer


@pytest.fixture
def fresh_incident(officer):
    incident = IncidentFactory(owner=officer, title="Token abuse at Example Korea")
    add_korean_entity(incident)
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=1000,
        as_of=datetime(2026, 3, 2, 9, 0, tzinfo=KST),
    )
    return incident


def record_awareness(page, base: str, incident) -> None:
    page.goto(f"{base}/incidents/{incident.reference}/")
    page.click("text=Record an event")
    page.select_option("#id_kind", "awareness")
    page.fill("#id_title", "CISO confirms the leak")
    page.fill("#id_occurred_date", "2026-03-02")
    page.fill("#id_occurred_time", "10:00")
    page.select_option("#id_entered_tz", "Asia/Seoul")
    page.select_option("#id_precision", "exact")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/.+/#event-\d+$"))


def test_sign_in_and_see_the_demo_incidents_deadlines(page, live_server, demo):
    sign_in(page, live_server.url, "officer")
    assert page.locator("h1").first.inner_text() == "Open deadlines"
    page.goto(f"{live_server.url}/incidents/INC-2025-0001/")
    network = Deadline.objects.get(
        incident__reference="INC-2025-0001", code="kr-network-act-48-3-initial"
    )
    row = page.locator(f"#deadline-{network.pk}")
    assert "late by 29 h 35 min" in row.inner_text()
    assert "2025-11-18 (Tue) 16:00 KST +09:00" in row.inner_text()


def test_record_awareness_and_watch_the_deadlines_appear(page, live_server, fresh_incident):
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/incidents/{fresh_incident.reference}/")
    assert (
        "No deadline yet" in page.locator("#deadlines-h").locator("..").locator("..").inner_text()
    )
    record_awareness(page, live_server.url, fresh_incident)
    assert "Event recorded; deadlines recomputed." in page.inner_text(".messages")
    network = Deadline.objects.get(incident=fresh_incident, code="kr-network-act-48-3-initial")
    pipc = Deadline.objects.get(incident=fresh_incident, code="kr-pipa-34-pipc-report")
    assert (
        "2026-03-03 (Tue) 10:00 KST +09:00" in page.locator(f"#deadline-{network.pk}").inner_text()
    )
    assert "2026-03-05 (Thu) 10:00 KST +09:00" in page.locator(f"#deadline-{pipc.pk}").inner_text()


@pytest.mark.parametrize(("when", "verdict"), [("09:30", "on time"), ("11:30", "late")])
def test_record_a_filing_and_see_the_deadline_answered(
    page, live_server, fresh_incident, when, verdict
):
    sign_in(page, live_server.url, "officer")
    record_awareness(page, live_server.url, fresh_incident)
    network = Deadline.objects.get(incident=fresh_incident, code="kr-network-act-48-3-initial")
    page.locator(f"#deadline-{network.pk}").locator("text=Record filing").click()
    assert page.locator("#id_deadline").input_value() == str(network.pk)
    page.fill("#id_submitted_date", "2026-03-03")
    page.fill("#id_submitted_time", when)
    page.select_option("#id_submitted_tz", "Asia/Seoul")
    page.fill("#id_channel", "KISA portal")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(re.compile(rf".*#deadline-{network.pk}$"))
    row = page.locator(f"#deadline-{network.pk}").inner_text()
    assert verdict in row
    if verdict == "late":
        assert "late by 1 h 30 min" in row
    else:
        assert "30 min 0 s to spare" in row


def test_switch_to_korean(page, live_server, fresh_incident):
    sign_in(page, live_server.url, "officer")
    page.click("button[lang=ko]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("h1").first.inner_text() == "진행 중인 기한"
    page.goto(f"{live_server.url}/incidents/{fresh_incident.reference}/")
    assert "타임라인" in page.inner_text("main")
    page.click("button[lang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_countdown_keeps_running_in_the_browser(page, live_server, fresh_incident):
    sign_in(page, live_server.url, "officer")
    record_awareness(page, live_server.url, fresh_incident)
    page.goto(f"{live_server.url}/")
    countdown = page.locator(".countdown[data-due]").first
    first = countdown.inner_text()
    page.evaluate(
        "() => { const el = document.querySelector('.countdown[data-due]'); el.textContent = 'x'; }"
    )
    page.wait_for_timeout(1300)
    # The script rewrote it from data-due (the real clock is past 2026-03-03, so: late by).
    assert countdown.inner_text() == first or countdown.inner_text().startswith("late by")
    assert countdown.inner_text() != "x"


def _serious(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0] && v.nodes[0].target.join(' ')})); }"
    )
    return [
        f"{v['id']} ({v['impact']}, {v['nodes']} nodes, e.g. {v['target']})"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_pages_have_no_serious_accessibility_violation(
    audit_page, live_server, demo, axe_source, language
):
    page = audit_page
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    assert _serious(page, axe_source) == [], "login"
    sign_in(page, base, "officer")
    if language == "ko":
        page.click("button[lang=ko]")
        page.wait_for_load_state()
    ref = "INC-2025-0001"
    event = services.TimelineEvent.objects.filter(incident__reference=ref).first()
    deadline = Deadline.objects.filter(incident__reference="INC-2026-0002", status="open").first()
    urls = [
        "/",
        "/deadlines/",
        "/incidents/",
        f"/incidents/{ref}/",
        f"/incidents/{ref}/events/new/",
        f"/incidents/{ref}/events/{event.pk}/correct/",
        f"/incidents/{ref}/counts/new/",
        f"/incidents/{ref}/filings/new/",
        f"/incidents/{ref}/requests/new/",
        "/what-if/?obligation=us-sec-8k-1-05&trigger_date=2025-11-18&trigger_tz=America/New_York"
        "&precision=date&rule_tz=Asia/Seoul",
        "/notifications/",
    ]
    problems = {}
    for url in urls:
        page.goto(base + url)
        found = _serious(page, axe_source)
        if found:
            problems[url] = found
    # A form with errors, too.
    page.goto(f"{base}/incidents/{ref}/events/new/")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_load_state()
    found = _serious(page, axe_source)
    if found:
        problems["event form with errors"] = found
    # The not-applicable form needs the legal right: sign in as counsel.
    counsel = UserFactory(username="counsel", role="legal")
    services.membership_add(incident=deadline.incident, user=counsel)
    page.context.clear_cookies()
    sign_in(page, base, "counsel")
    page.goto(f"{base}/incidents/INC-2026-0002/deadlines/{deadline.pk}/not-applicable/")
    found = _serious(page, axe_source)
    if found:
        problems["not applicable"] = found
    assert problems == {}


@pytest.mark.parametrize(("path", "module", "size_name"), PAGED_LISTS)
def test_long_lists_page_forward_and_back_by_cursor(
    audit_page, live_server, demo, axe_source, monkeypatch, path, module, size_name
):
    """Next, previous and first-page links of the keyset pages (incidents/views/keyset.py),
    the filters kept in the links, and no serious accessibility violation on a middle page."""
    monkeypatch.setattr(importlib.import_module(module), size_name, 1)
    page = audit_page
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}{path}?q=INC" if path == "/incidents/" else live_server.url + path)
    nav = page.locator("nav.pagination")
    assert "Page 1 of" in nav.inner_text()
    first_rows = page.locator("tbody tr").all_inner_texts()
    nav.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert "Page 2 of" in page.locator("nav.pagination").inner_text()
    assert "cursor=" in page.url
    if path == "/incidents/":
        assert "q=INC" in page.url
    assert page.locator("tbody tr").all_inner_texts() != first_rows
    assert _serious(page, axe_source) == []
    page.locator("nav.pagination a[rel=prev]").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").all_inner_texts() == first_rows
    assert "Page 1 of" in page.locator("nav.pagination").inner_text()
    # A damaged link: the first page, with a message rather than an error.
    page.goto(f"{live_server.url}{path}?cursor=damaged")
    assert "could not be read" in page.inner_text("main")
    assert page.locator("tbody tr").all_inner_texts() == first_rows


def test_screenshots_of_the_main_pages(page, live_server, demo):
    """Saves dashboard.png, incident.png, incident-list.png and whatif.png: into docs/screenshots/
    when UPDATE_SCREENSHOTS=1 (what `make screenshots` does), else into a temporary directory."""
    target = (
        ROOT / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else Path(tempfile.gettempdir()) / "incident-clock-screenshots"
    )
    target.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "officer")
    shots = {
        "dashboard.png": ("/", False),
        "incident-list.png": ("/incidents/", False),
        "incident.png": ("/incidents/INC-2025-0001/", True),
        "whatif.png": (
            "/what-if/?obligation=us-sec-8k-1-05&trigger_date=2025-11-18"
            "&trigger_tz=America/New_York&precision=date&rule_tz=Asia/Seoul",
            False,
        ),
    }
    for name, (url, full) in shots.items():
        page.goto(live_server.url + url)
        if full:
            clip = {"x": 0, "y": 0, "width": 1360, "height": 2600}
            page.screenshot(path=str(target / name), full_page=True, clip=clip)
        else:
            page.screenshot(path=str(target / name))
        assert (target / name).stat().st_size > 10_000
