"""Issue #15 items 1-2 in the browser, as a compliance officer, in English and in Korean: from an
empty system to an incident with two legal entities, a team, running deadlines, a filed KISA
report with its reference number and acknowledgement, then a closed incident, without leaving
the browser; axe-core on every new page (also with errors); the new pages' screenshots."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from incidents import services
from incidents.models import Deadline, Filing, Incident, IncidentStatus, LegalEntity, Profile
from tests.browser.conftest import ROOT, sign_in
from tests.browser.test_ui import _serious
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SUBMIT = "form.form-panel button[type=submit].btn-primary"


@pytest.fixture
def empty_system(transactional_db):
    """The rules catalogue and three accounts; no incident at all."""
    call_command("load_catalogue", verbosity=0)
    officer = UserFactory(username="officer", role="compliance")
    Profile.objects.filter(user=officer).update(time_zone="Asia/Seoul")
    UserFactory(username="colleague", role="compliance")
    UserFactory(username="counsel", role="legal")
    UserFactory(username="intern", role="viewer")
    return officer


class Axe:
    """Runs axe-core on the current page and collects serious or critical violations."""

    def __init__(self, page, source: str) -> None:
        self.page = page
        self.source = source
        self.problems: dict[str, list[str]] = {}

    def check(self, label: str) -> None:
        found = _serious(self.page, self.source)
        if found:
            self.problems[label] = found


def _switch_language(page, language: str) -> None:
    if language == "ko":
        page.click("button[lang=ko]")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "ko"


def _fill_entity(page, n: int, **values: str) -> None:
    for name, value in values.items():
        selector = f"#id_entity-{n}-{name}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


FACTS_NO = {
    fact: "false"
    for fact in (
        "hipaa_covered_entity",
        "eu_financial_entity",
        "nis2_entity",
        "kr_financial_company",
        "credit_information_company",
        "app_entity_au",
    )
}


def _open_incident(page, base: str, axe: Axe) -> str:
    page.goto(f"{base}/incidents/")
    page.click("a[href='/incidents/new/']")
    page.wait_for_url(f"{base}/incidents/new/")
    axe.check("opening form")
    # A first try without a title: the error says what to fix and keeps what was typed.
    page.fill("#id_event_title", "CISO confirms the leak")
    page.click(SUBMIT)
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#id_event_title") == "CISO confirms the leak"
    axe.check("opening form with errors")

    page.fill("#id_title", "Token abuse at Example Korea")
    page.select_option("#id_severity", "critical")
    page.fill("#id_summary", "A signing key was used to read customer accounts.")
    page.fill("#id_team", "CERT")
    page.fill("#id_members", "colleague")
    page.select_option("#id_external_attack", "true")
    page.select_option("#id_sensitive_data", "false")
    page.select_option("#id_unique_identifiers", "false")
    _fill_entity(
        page,
        0,
        name="Example Korea Co.",
        country="KR",
        ict_service_provider="true",
        sec_registrant="false",
        jurisdictions="KR",
        **FACTS_NO,
    )
    page.click("button[name=add_entity]")
    page.wait_for_load_state()
    # The new row came without losing the first one.
    assert page.input_value("#id_entity-0-name") == "Example Korea Co."
    assert page.locator("#error-summary").count() == 0
    _fill_entity(
        page,
        1,
        name="Example Holdings Inc.",
        country="US",
        role="US-listed parent",
        ict_service_provider="false",
        sec_registrant="true",
        jurisdictions="US",
        reference_tz="America/New_York",
        **FACTS_NO,
    )
    page.fill("#id_count-0-jurisdiction", "KR")
    page.fill("#id_count-0-count", "1000")
    page.select_option("#id_event_kind", "awareness")
    page.fill("#id_occurred_date", "2026-03-02")
    page.fill("#id_occurred_time", "10:00")
    page.select_option("#id_entered_tz", "Asia/Seoul")
    page.select_option("#id_precision", "exact")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}/#deadlines-h$"))
    return page.url.split("/incidents/")[1].split("/")[0]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_from_an_empty_system_to_a_closed_incident_in_the_browser(
    audit_page, live_server, empty_system, axe_source, language
):
    page, base = audit_page, live_server.url
    axe = Axe(page, axe_source)
    sign_in(page, base, "officer")
    _switch_language(page, language)
    assert not Incident.objects.exists()
    page.goto(f"{base}/")
    assert page.locator("a[href='/incidents/new/']").is_visible()  # from the dashboard too

    reference = _open_incident(page, base, axe)
    opened = page.inner_text(".messages")
    assert ("opened" in opened) if language == "en" else ("등록했습니다" in opened)
    incident = Incident.objects.get(reference=reference)
    korea = LegalEntity.objects.get(incident=incident, name="Example Korea Co.")
    assert LegalEntity.objects.filter(incident=incident).count() == 2
    network = Deadline.objects.get(legal_entity=korea, code="kr-network-act-48-3-initial")
    # 24 clock hours from awareness on 2026-03-02 10:00 KST.
    assert network.due_at == datetime(2026, 3, 3, 10, 0, tzinfo=KST)
    row = page.locator(f"#deadline-{network.pk}")
    assert "2026-03-03" in row.inner_text()
    assert "10:00 KST +09:00" in row.inner_text()
    assert page.locator("#applicability-h").is_visible()
    axe.check("incident page after opening")

    # The team: the colleague came with the form; add counsel on the team page.
    page.click(f"a[href='/incidents/{reference}/team/']")
    page.wait_for_url(f"{base}/incidents/{reference}/team/")
    assert "colleague" in page.inner_text("main")
    page.fill("#id_username", "counsel")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(f"{base}/incidents/{reference}/team/")
    assert page.locator("tr", has_text="counsel").count() == 1
    axe.check("team page")
    # Add someone by mistake, take them off again; hand the incident to the colleague.
    page.fill("#id_username", "intern")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_url(f"{base}/incidents/{reference}/team/")
    page.locator("tr", has_text="intern").locator("form:has(input[value=remove]) button").click()
    page.wait_for_url(f"{base}/incidents/{reference}/team/")
    assert page.locator("tr", has_text="intern").count() == 0
    page.locator("tr", has_text="colleague").locator("form:has(input[value=owner]) button").click()
    page.wait_for_url(f"{base}/incidents/{reference}/team/")
    owner_row = page.locator("tr", has_text="colleague").inner_text()
    assert ("owner" in owner_row) if language == "en" else ("책임자" in owner_row)

    # File the Network Act report to KISA with its reference number.
    page.goto(f"{base}/incidents/{reference}/")
    page.locator(f"#deadline-{network.pk} a[href*='/filings/new/?deadline=']").click()
    page.fill("#id_submitted_date", "2026-03-03")
    page.fill("#id_submitted_time", "09:30")
    page.select_option("#id_submitted_tz", "Asia/Seoul")
    page.fill("#id_channel", "KISA portal")
    page.fill("#id_reference_number", "KISA-2026-0042")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(rf".*#deadline-{network.pk}$"))
    filing = Filing.objects.get(deadline=network)

    # Its acknowledgement, recorded afterwards.
    page.click(f"#filing-{filing.pk} a[href$='/acknowledgement/']")
    page.wait_for_url(re.compile(r".*/acknowledgement/$"))
    assert page.input_value("#id_reference_number") == "KISA-2026-0042"
    page.fill("#id_acknowledged_date", "2026-03-03")
    page.fill("#id_acknowledged_time", "09:20")  # before the submission: refused
    page.click(SUBMIT)
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    axe.check("acknowledgement with errors")
    page.fill("#id_acknowledged_time", "09:45")
    page.fill("#id_acknowledgement", "접수 완료 / received")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(rf".*#filing-{filing.pk}$"))
    filing_row = page.locator(f"#filing-{filing.pk}").inner_text()
    assert "KISA-2026-0042" in filing_row
    assert "접수 완료 / received" in filing_row
    assert "09:45" in filing_row

    # Close it: what closing does is said before confirming.
    page.click(f"a[href='/incidents/{reference}/status/']")
    page.wait_for_url(f"{base}/incidents/{reference}/status/")
    assert page.locator("#consequences-h").is_visible()
    consequences = page.inner_text(".consequences")
    assert ("pending reminder" in consequences) if language == "en" else ("알림" in consequences)
    page.select_option("#id_status", "closed")
    page.click(SUBMIT)  # no reason yet
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    axe.check("status form with errors")
    page.fill("#id_reason", "Reports filed and acknowledged; investigation finished.")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*#status$"))
    assert "Reports filed and acknowledged" in page.inner_text("main")
    axe.check("closed incident page")

    incident.refresh_from_db()
    filing.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.owner.username == "colleague"
    # The previous owner stays on the team; the intern was taken off again.
    assert set(incident.memberships.values_list("user__username", flat=True)) == {
        "colleague",
        "counsel",
        "officer",
    }
    assert filing.reference_number == "KISA-2026-0042"
    assert filing.acknowledged_at == datetime(2026, 3, 3, 9, 45, tzinfo=KST)
    assert axe.problems == {}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_changing_an_entity_fact_shows_what_changed(
    audit_page, live_server, empty_system, axe_source, language
):

    incident = IncidentFactory(owner=empty_system, title="Token abuse")
    entity = add_korean_entity(incident)
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="aware",
    )
    page, base = audit_page, live_server.url
    axe = Axe(page, axe_source)
    sign_in(page, base, "officer")
    _switch_language(page, language)
    page.goto(f"{base}/incidents/{incident.reference}/")
    page.click(f"a[href='/incidents/{incident.reference}/entities/{entity.pk}/edit/']")
    axe.check("entity form")
    page.select_option("#id_ict_service_provider", "false")
    page.fill("#id_country", "K")
    page.click(SUBMIT)
    page.wait_for_load_state()
    assert page.input_value("#id_ict_service_provider") == "false"  # kept on error
    axe.check("entity form with errors")
    page.fill("#id_country", "KR")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(rf".*#entity-{entity.pk}$"))
    messages = page.inner_text(".messages")
    expected = "No longer runs: Network Act" if language == "en" else "더 이상 진행하지 않음"
    assert expected in messages
    page.goto(f"{base}/incidents/{incident.reference}/entities/new/")
    axe.check("new entity form")
    assert axe.problems == {}


def test_screenshots_of_the_new_pages(page, live_server, empty_system):
    """incident-new.png, incident-team.png, incident-status.png, filing-acknowledgement.png into
    docs/screenshots/ when UPDATE_SCREENSHOTS=1 (`make screenshots`), else a temporary dir."""

    target = (
        ROOT / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else Path(tempfile.gettempdir()) / "incident-clock-screenshots"
    )
    target.mkdir(parents=True, exist_ok=True)
    incident = IncidentFactory(owner=empty_system, title="Token abuse at Example Korea")
    add_korean_entity(incident)
    services.membership_add(incident=incident, user=UserFactory(username="colleague"))
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="CISO confirms the leak",
    )
    network = Deadline.objects.get(incident=incident, code="kr-network-act-48-3-initial")
    filing = services.filing_submit(
        incident=incident,
        deadline=network,
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 9, 30, tzinfo=KST),
        reference_number="KISA-2026-0042",
    )
    sign_in(page, live_server.url, "officer")
    ref = incident.reference
    shots = {
        "incident-new.png": "/incidents/new/",
        "incident-team.png": f"/incidents/{ref}/team/",
        "incident-status.png": f"/incidents/{ref}/status/",
        "filing-acknowledgement.png": f"/incidents/{ref}/filings/{filing.pk}/acknowledgement/",
    }
    for name, url in shots.items():
        page.goto(live_server.url + url)
        page.screenshot(path=str(target / name), full_page=name == "incident-new.png")
        assert (target / name).stat().st_size > 10_000
