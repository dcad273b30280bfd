"""Cached fragments (dashboard and deadline-list rows, the incident page's chronology and SVG
timeline) are keyed by what they show: a change appears on the very next request, in the
viewer's language and zone; and the cached pages keep their query bound."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from incidents import services
from incidents.models import Deadline, LegalEntity, Profile, TimelineEvent
from regulators.models import Obligation, Regulator
from regulators.services import CATALOGUE_GENERATION_KEY, catalogue_row_save

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=KST)
pytestmark = pytest.mark.django_db


def row_of(html: str, deadline: Deadline) -> str:
    found = re.search(rf'<tr id="row-{deadline.pk}" class="row-\w+">(.*?)</tr>', html, re.S)
    assert found is not None
    return found.group(1)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("url", ["/", "/deadlines/"])
def test_a_renamed_entity_shows_in_the_cached_rows_at_once(client, alice, aware_incident, url):
    client.force_login(alice)
    deadline = Deadline.objects.filter(incident=aware_incident, status="open").first()
    assert "Example Korea Co." in row_of(client.get(url).content.decode(), deadline)
    entity = LegalEntity.objects.get(incident=aware_incident)
    services.legal_entity_update(entity=entity, name="Renamed Korea Ltd.")
    row = row_of(client.get(url).content.decode(), deadline)
    assert "Renamed Korea Ltd." in row
    assert "Example Korea Co." not in row


@time_machine.travel(NOW, tick=False)
def test_the_countdown_of_a_cached_row_is_drawn_for_now(client, alice, aware_incident):
    client.force_login(alice)
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    assert "in 22 h 0 min" in row_of(client.get("/").content.decode(), deadline)
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        row = row_of(client.get("/").content.decode(), deadline)
    assert "late by 1 h 0 min" in row


@time_machine.travel(NOW, tick=False)
def test_cached_rows_follow_the_viewers_zone(client, alice, aware_incident):
    client.force_login(alice)
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    assert "2026-03-03 (Tue) 10:00 KST +09:00" in row_of(client.get("/").content.decode(), deadline)
    Profile.objects.filter(user=alice).update(time_zone="America/New_York")
    row = row_of(client.get("/").content.decode(), deadline)
    assert "2026-03-02 (Mon) 20:00 EST -05:00" in row


@time_machine.travel(NOW, tick=False)
def test_a_new_event_and_a_correction_show_on_the_incident_page_at_once(
    client, alice, aware_incident
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    first = client.get(url).content.decode()
    assert "Firewall rule tightened" not in first
    event = services.timeline_event_record(
        incident=aware_incident,
        kind="containment",
        occurred_at=NOW - timedelta(hours=1),
        title="Firewall rule tightened",
    )
    html = client.get(url).content.decode()
    assert f'id="event-{event.pk}"' in html
    # In the chronology and as a mark on the SVG timeline.
    assert html.count("Firewall rule tightened") >= 2
    services.timeline_event_record(
        incident=aware_incident,
        kind="containment",
        occurred_at=NOW - timedelta(minutes=30),
        title="Firewall rule tightened (corrected time)",
        supersedes=event,
        correction_reason="log clock was off",
    )
    html = client.get(url).content.decode()
    item = re.search(rf'<li id="event-{event.pk}" class="([^"]*)"', html)
    assert item is not None
    assert "is-superseded" in item.group(1)
    assert "log clock was off" in html


@time_machine.travel(NOW, tick=False)
def test_the_cached_chronology_follows_the_language(client, alice, aware_incident):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    Profile.objects.filter(user=alice).update(language="en")
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    with translation.override("ko"):
        client.cookies["django_language"] = "ko"
        korean = client.get(url, headers={"accept-language": "ko"}).content.decode()
    awareness = TimelineEvent.objects.get(incident=aware_incident, kind="awareness")
    chronology = re.compile(rf'<li id="event-{awareness.pk}".*?</li>', re.S)
    en_item, ko_item = chronology.search(english), chronology.search(korean)
    assert en_item is not None
    assert ko_item is not None
    assert en_item.group(0) != ko_item.group(0)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("url", ["/", "/deadlines/", "/incidents/"])
def test_a_warm_cache_reads_no_more_than_a_cold_one(client, alice, aware_incident, url):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) <= len(cold) <= 15


def test_choice_labels_are_translated_per_language(aware_incident):
    event = TimelineEvent.objects.filter(incident=aware_incident, kind="awareness").first()
    assert event is not None
    labels = dict(TimelineEvent._meta.get_field("kind").flatchoices)
    with translation.override("en"):
        english = event.get_kind_display()
        assert english == str(labels["awareness"])
    with translation.override("ko"):
        korean = event.get_kind_display()
        assert korean == str(labels["awareness"])
    assert korean != english
    event.kind = "not-a-kind"
    assert event.get_kind_display() == "not-a-kind"


def panel_of(html: str, heading_id: str) -> str:
    found = re.search(rf'aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found is not None
    return found.group(0)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_list_panels_show_a_change_at_once(client, alice, aware_incident):
    """The "without delay", answers-owed and activity panels are cached fragments too."""
    services.legal_entity_add(
        incident=aware_incident,
        name="EU Co.",
        country="DE",
        jurisdictions=["EU"],
        ict_service_provider=True,
    )
    services.incident_update_facts(incident=aware_incident, extra_facts={"high_risk": True})
    services.timeline_event_record(
        incident=aware_incident,
        kind="regulator_request",
        occurred_at=NOW - timedelta(hours=2),
        title="Send the firewall logs",
        data={"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
    )
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "EU Co." in panel_of(html, "nodelay-h")
    assert "Send the firewall logs" in panel_of(html, "requests-h")
    assert "Send the firewall logs" in panel_of(html, "activity-h")
    entity = LegalEntity.objects.get(incident=aware_incident, name="EU Co.")
    services.legal_entity_update(entity=entity, name="EU Renamed GmbH")
    request = Deadline.objects.get(incident=aware_incident, title="Send the firewall logs")
    services.timeline_event_record(
        incident=aware_incident,
        kind="note",
        occurred_at=NOW - timedelta(minutes=5),
        title="Logs exported",
    )
    html = client.get("/").content.decode()
    assert "EU Renamed GmbH" in panel_of(html, "nodelay-h")
    assert "EU Co." not in panel_of(html, "nodelay-h")
    assert "Logs exported" in panel_of(html, "activity-h")
    # The answers-owed countdown and "recorded … ago" are drawn for now, not when cached.
    before = panel_of(html, "requests-h")
    assert f'#deadline-{request.pk}"' in before
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        later = client.get("/").content.decode()
    assert panel_of(later, "requests-h") != before
    assert "3\xa0hours" in panel_of(later, "activity-h")


@time_machine.travel(NOW, tick=False)
def test_the_incident_list_rows_and_filters_show_a_change_at_once(client, alice, aware_incident):
    client.force_login(alice)
    html = client.get("/incidents/").content.decode()
    assert "Example Korea Co." in html
    entity = LegalEntity.objects.get(incident=aware_incident)
    services.legal_entity_update(entity=entity, name="Renamed Korea Ltd.")
    services.incident_update_facts(incident=aware_incident, severity="critical")
    html = client.get("/incidents/").content.decode()
    assert "Renamed Korea Ltd." in html
    assert "Example Korea Co." not in html
    assert 'class="sev sev-critical"' in html
    # The filters keep what was asked, and their errors, per request.
    html = client.get("/incidents/", {"status": "exploded", "q": "ransom"}).content.decode()
    assert 'value="ransom"' in html
    assert 'class="error"' in html
    assert 'value="ransom"' not in client.get("/incidents/").content.decode()
    # And the viewer's language: the same filters, cached apart.
    assert ">Apply<" in client.get("/incidents/").content.decode()
    client.cookies["django_language"] = "ko"
    with translation.override("ko"):  # the request activates Korean in this thread: restore it
        assert ">적용<" in client.get("/incidents/").content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("url", ["/", "/deadlines/"])
def test_a_renamed_regulator_and_obligation_show_in_the_rows_at_once(
    client, alice, aware_incident, url
):
    """The rows take these names from the per-process catalogue rows (regulators/rows.py),
    not from a join: an edit through the catalogue service (the admin's and the API's door) must
    still show on the next request, in both languages."""
    client.force_login(alice)
    deadline = Deadline.objects.select_related("regulator", "obligation").get(
        incident=aware_incident, code="kr-network-act-48-3-initial"
    )
    row = row_of(client.get(url).content.decode(), deadline)
    assert deadline.obligation.title_en in row
    catalogue_row_save(
        model=Obligation,
        pk=deadline.obligation_id,
        values={"title_en": "Initial report (renamed)", "title_ko": "최초 신고(변경)"},
    )
    catalogue_row_save(
        model=Regulator,
        pk=deadline.regulator_id,
        values={"name_en": "Renamed Ministry", "name_ko": "변경된 부처"},
    )
    row = row_of(client.get(url).content.decode(), deadline)
    assert "Initial report (renamed)" in row
    assert "Renamed Ministry" in row
    with translation.override("ko"):
        client.cookies["django_language"] = "ko"
        row = row_of(client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode(), deadline)
    assert "최초 신고(변경)" in row
    assert "변경된 부처" in row


def deadline_row_of(html: str, deadline: Deadline) -> str:
    found = re.search(rf'<tr id="deadline-{deadline.pk}" class="[^"]*">(.*?)</tr>', html, re.S)
    assert found is not None
    return found.group(1)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("door", ["save here", "another process"])
def test_a_renamed_regulator_and_obligation_show_on_the_incident_page_at_once(
    client, alice, aware_incident, door
):
    """The page names deadlines from catalogue rows held per process (regulators.rows): a save
    in this process drops them, and another process's (seen here as the generation token it
    forgets, without this process's signals) makes the next request read them again."""
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    deadline = Deadline.objects.filter(
        incident=aware_incident, obligation__isnull=False, regulator__isnull=False
    ).first()
    assert deadline is not None
    row = deadline_row_of(client.get(url).content.decode(), deadline)
    assert escape(deadline.regulator.name_en) in row
    if door == "save here":
        deadline.regulator.name_en = "Renamed Regulator"
        deadline.regulator.save()
        deadline.obligation.title_en = "Retitled obligation"
        deadline.obligation.save()
    else:
        Regulator.objects.filter(pk=deadline.regulator_id).update(name_en="Renamed Regulator")
        Obligation.objects.filter(pk=deadline.obligation_id).update(title_en="Retitled obligation")
        cache.delete(CATALOGUE_GENERATION_KEY)
    row = deadline_row_of(client.get(url).content.decode(), deadline)
    assert "Renamed Regulator" in row
    assert "Retitled obligation" in row


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_another_processs_catalogue_edit_on_the_next_request(
    client, alice, aware_incident
):
    """The dashboard names its rows from the catalogue rows this process holds and checks their
    generation in the same round trip as its fragments (regulators.rows.held_rows): an edit made
    by another process (seen here as the token it forgets, without this process's signals)
    must still show on the next request."""
    client.force_login(alice)
    deadline = Deadline.objects.select_related("regulator", "obligation").get(
        incident=aware_incident, code="kr-network-act-48-3-initial"
    )
    assert escape(deadline.obligation.title_en) in row_of(
        client.get("/").content.decode(), deadline
    )
    Regulator.objects.filter(pk=deadline.regulator_id).update(name_en="Renamed Ministry")
    Obligation.objects.filter(pk=deadline.obligation_id).update(title_en="Retitled obligation")
    cache.delete(CATALOGUE_GENERATION_KEY)
    row = row_of(client.get("/").content.decode(), deadline)
    assert "Retitled obligation" in row
    assert "Renamed Ministry" in row


@time_machine.travel(NOW, tick=False)
def test_a_warm_dashboard_reads_the_catalogue_generation_with_its_fragments_only(
    client, alice, aware_incident, monkeypatch
):
    """Every fragment and the catalogue's generation in one round trip, the generation not on its
    own before it, and the catalogue itself not at all."""
    client.force_login(alice)
    client.get("/")
    reads: list[tuple[str, list[str]]] = []
    inside: list[bool] = []
    real_get, real_get_many = cache.get, cache.get_many

    def get(key, *args, **kwargs):
        if not inside:  # the local-memory cache's get_many calls get for each key
            reads.append(("get", [key]))
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        reads.append(("get_many", list(keys)))
        inside.append(True)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # The catalogue's own read (regulators.rows) starts with its obligations' columns.
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "regulators_')]
    # Besides the session's own read (a cached session, with Redis), one round trip.
    page_reads = [(name, keys) for name, keys in reads if "sessions" not in keys[0]]
    assert [name for name, _keys in page_reads] == ["get_many"]
    assert CATALOGUE_GENERATION_KEY in page_reads[0][1]


@pytest.mark.parametrize("door", ["catalogue service", "another process", "new regulator"])
def test_the_incident_list_filter_offers_the_regulators_as_they_are_now(
    client, alice, aware_incident, door
):
    """The drawn filter form is kept with the catalogue generation it was drawn under: a
    regulator renamed or added through any door is offered on the next request, and a list
    whose form is cached reads no regulators at all."""
    client.force_login(alice)
    regulator = Regulator.objects.order_by("code").first()
    assert regulator is not None
    html = client.get("/incidents/").content.decode()
    assert f'<option value="{regulator.code}">' in html
    with CaptureQueriesContext(connection) as queries:
        client.get("/incidents/")
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "regulators_')]
    if door == "catalogue service":
        catalogue_row_save(model=Regulator, pk=regulator.pk, values={"name_en": "Renamed Office"})
        shown = "Renamed Office"
    elif door == "another process":
        # Its save forgot the token and one of its requests has already made the next one.
        Regulator.objects.filter(pk=regulator.pk).update(name_en="Renamed Office")
        cache.set(CATALOGUE_GENERATION_KEY, "made-by-another-process", timeout=None)
        shown = "Renamed Office"
    else:
        Regulator.objects.create(
            code="ZZ-NEW", name_en="Newly Added Authority", name_ko="신설 기관"
        )
        shown = "Newly Added Authority"
    html = client.get("/incidents/").content.decode()
    assert shown in html


def test_the_incident_list_filters_by_a_regulator_and_refuses_an_unknown_one(
    client, alice, aware_incident
):
    client.force_login(alice)
    code = aware_incident.deadlines.exclude(regulator=None).values_list(
        "regulator__code", flat=True
    )[0]
    response = client.get("/incidents/", {"regulator": code})
    assert aware_incident.reference in response.content.decode()
    response = client.get("/incidents/", {"regulator": "NO-SUCH"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
