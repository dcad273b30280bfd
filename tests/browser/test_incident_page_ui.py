"""End-to-end: the incident page's on-demand parts. A deadline's explanation opens from the
keyboard and is loaded into it (or, without JavaScript, is a plain link to its own page); a long
chronology shows its latest events with a plain "show all" link, and a link to an event it
leaves out lands on that event in the whole chronology."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from incidents import services
from incidents.models import Deadline, Profile
from tests.browser.conftest import sign_in
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def officer(transactional_db):
    call_command("load_catalogue", verbosity=0)
    user = UserFactory(username="officer", role="compliance")
    Profile.objects.filter(user=user).update(time_zone="Asia/Seoul", language="en")
    return user


@pytest.fixture
def incident(officer):
    incident = IncidentFactory(owner=officer, title="Token abuse at Example Korea")
    add_korean_entity(incident)
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=1000,
        as_of=datetime(2026, 3, 2, 9, 0, tzinfo=KST),
    )
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="CISO confirms the leak",
    )
    return incident


def _first_step(incident) -> str:
    deadline = Deadline.objects.get(incident=incident, code="kr-network-act-48-3-initial")
    return str(deadline.explanation[0]["en"])


def test_an_explanation_opens_from_the_keyboard_and_is_loaded_into_it(page, live_server, incident):
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/incidents/{incident.reference}/")
    row = page.locator("tr.deadline-row", has_text="Network Act")
    summary = row.locator("details.explain summary")
    summary.focus()
    page.keyboard.press("Enter")
    steps = row.locator("details.explain .explain-body ol.steps")
    steps.wait_for()
    assert _first_step(incident) in steps.inner_text()
    assert row.locator("details.explain").get_attribute("data-loaded") == "yes"
    # Still a plain disclosure: Enter folds it again.
    summary.focus()
    page.keyboard.press("Enter")
    assert not steps.is_visible()


def test_without_javascript_the_explanation_is_a_plain_link(browser, live_server, incident):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": "http://localhost"}])
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "officer")
        page.goto(f"{live_server.url}/incidents/{incident.reference}/")
        row = page.locator("tr.deadline-row", has_text="Network Act")
        row.locator("details.explain summary").click()
        row.get_by_role("link", name=re.compile("Show the explanation")).click()
        page.wait_for_url(re.compile(r".*/deadlines/\d+/explanation/$"))
        assert _first_step(incident) in page.locator("ol.steps").inner_text()
        page.get_by_role("link", name="Back to the incident").click()
        page.wait_for_url(re.compile(rf".*/incidents/{incident.reference}/#deadline-\d+$"))
    finally:
        context.close()


def test_a_long_chronology_shows_all_on_demand(page, live_server, incident, monkeypatch):
    monkeypatch.setattr("incidents.views.incident_page.CHRONOLOGY_LIMIT", 3)
    start = datetime(2026, 3, 2, 11, 0, tzinfo=KST)
    notes = [
        services.timeline_event_record(
            incident=incident,
            kind="note",
            occurred_at=start + timedelta(hours=k),
            title=f"note number {k}",
        )
        for k in range(4)
    ]
    sign_in(page, live_server.url, "officer")
    url = f"{live_server.url}/incidents/{incident.reference}/"
    page.goto(url)
    chronology = page.locator("ol.chronology")
    assert chronology.locator("li.event-item").count() == 3
    assert "note number 0" not in chronology.inner_text()
    page.get_by_role("link", name="Show all 5 events").click()
    page.wait_for_url(re.compile(r".*\?chronology=all#chronology-h$"))
    assert page.locator("ol.chronology li.event-item").count() == 5
    # A link to an event the short chronology leaves out (search results, the SVG) lands on it.
    page.goto(f"{url}#event-{notes[0].pk}")
    page.wait_for_url(re.compile(rf".*\?chronology=all#event-{notes[0].pk}$"))
    assert page.locator(f"#event-{notes[0].pk}").is_visible()
