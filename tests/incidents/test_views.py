"""The read-only pages: dashboard, deadline list, incident list and page, what-if, inbox."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from incidents import services
from incidents.deadlines import deadline_mark_not_applicable
from incidents.models import Deadline, Notification, Profile
from incidents.views.figures import median_awareness_to_first_report, on_time_rate
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db


def network_act(incident) -> Deadline:
    return Deadline.objects.get(incident=incident, code="kr-network-act-48-3-initial")


# --- Dashboard ----------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 3, 12, 0, tzinfo=KST), tick=False)
def test_dashboard_shows_overdue_deadline_in_red_with_late_by(client, alice, aware_incident):
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    deadline = network_act(aware_incident)
    row = re.search(rf'<tr id="row-{deadline.pk}" class="row-(\w+)">(.*?)</tr>', html, re.S)
    assert row is not None
    assert row.group(1) == "overdue"
    # Due 2026-03-03 10:00 KST, now 12:00 KST: two hours late.
    assert "late by 2 h 0 min" in row.group(2)
    assert "2026-03-03 (Tue) 10:00 KST +09:00" in row.group(2)
    assert "Example Korea Co." in row.group(2)
    assert "Ministry of Science and ICT" in row.group(2)


@time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=KST), tick=False)
def test_dashboard_highlights_deadline_due_within_24_hours(client, alice, aware_incident):
    client.force_login(alice)
    html = client.get("/").content.decode()
    pipc = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-pipc-report")
    assert f'<tr id="row-{pipc.pk}" class="row-soon">' in html
    assert "in 22 h 0 min" in html


@time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=KST), tick=False)
def test_dashboard_lists_most_urgent_first(client, alice, aware_incident):
    client.force_login(alice)
    response = client.get("/")
    listed = [d.pk for d in response.context["deadlines"]]
    expected = list(
        Deadline.objects.filter(incident=aware_incident, status="open", due_at__isnull=False)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert listed == expected
    assert listed[0] == network_act(aware_incident).pk


@time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=KST), tick=False)
def test_dashboard_caps_the_list_at_50_and_links_to_the_full_list(client, admin_user, catalogue):
    for n in range(9):
        incident = IncidentFactory()
        add_korean_entity(incident, jurisdictions=["KR", "EU", "US"])
        services.timeline_event_record(
            incident=incident,
            kind="awareness",
            occurred_at=datetime(2026, 3, 1, n, 0, tzinfo=KST),
            title="aware",
        )
    total = Deadline.objects.filter(status="open", due_at__isnull=False).count()
    assert total > 50
    client.force_login(admin_user)
    response = client.get("/")
    assert len(response.context["deadlines"]) == 50
    assert response.context["more_deadlines"] is True
    assert reverse("deadline_list") in response.content.decode()
    first = client.get("/deadlines/")
    full = client.get("/deadlines/", {"cursor": first.context["page"].next_cursor})
    assert full.status_code == 200
    assert full.context["page"].shown_number == 2
    assert full.context["page"].count == Deadline.objects.filter(status="open").count()


def test_dashboard_shows_without_delay_obligations_as_such(client, alice, incident, catalogue):
    add_korean_entity(incident, jurisdictions=["EU"], name="EU Co.", country="DE")
    services.incident_update_facts(incident=incident, extra_facts={"high_risk": True})
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="aware",
    )
    gdpr34 = Deadline.objects.get(incident=incident, code="eu-gdpr-34")
    assert gdpr34.due_at is None
    client.force_login(alice)
    response = client.get("/")
    assert gdpr34 in response.context["without_delay"]
    assert "without delay" in response.content.decode()


def test_dashboard_hides_incidents_the_user_may_not_see(client, charlie, aware_incident):
    client.force_login(charlie)
    response = client.get("/")
    assert response.context["deadlines"] == []
    assert aware_incident.reference not in response.content.decode()


def test_dashboard_lists_open_regulator_requests_and_recent_activity(client, alice, aware_incident):
    services.timeline_event_record(
        incident=aware_incident,
        kind="regulator_request",
        occurred_at=datetime(2026, 3, 4, 9, 0, tzinfo=KST),
        title="PIPC asks for the access logs",
        data={"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
    )
    client.force_login(alice)
    response = client.get("/")
    assert [d.title for d in response.context["requests"]] == ["PIPC asks for the access logs"]
    assert response.context["activity"][0].title == "PIPC asks for the access logs"


# --- Figures ------------------------------------------------------------------------------------


def test_on_time_rate_counts_filed_deadlines_with_a_due_time(aware_incident):
    network = network_act(aware_incident)
    pipc = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-pipc-report")
    services.filing_submit(
        incident=aware_incident,
        deadline=network,
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 11, 0, tzinfo=KST),  # one hour late
    )
    services.filing_submit(
        incident=aware_incident,
        deadline=pipc,
        recipient="PIPC",
        submitted_at=datetime(2026, 3, 5, 10, 0, tzinfo=KST),  # exactly on the due time
    )
    rate = on_time_rate(type(aware_incident).objects.all())
    assert (rate.on_time, rate.late, rate.filed) == (1, 1, 2)
    assert rate.rate == 0.5


def test_median_time_to_first_report_is_per_regulator_over_incidents(catalogue, alice):
    spans_hours = [10, 30, 20]
    for hours in spans_hours:
        incident = IncidentFactory(owner=alice)
        add_korean_entity(incident)
        aware = datetime(2026, 3, 2, 10, 0, tzinfo=KST)
        services.timeline_event_record(
            incident=incident, kind="awareness", occurred_at=aware, title="aware"
        )
        deadline = network_act(incident)
        services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient="KISA",
            submitted_at=aware + timedelta(hours=hours),
        )
        # A second, later filing to the same regulator does not count: only the first does.
        services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient="KISA",
            submitted_at=aware + timedelta(hours=hours + 100),
        )
    medians = median_awareness_to_first_report(type(incident).objects.all())
    assert len(medians) == 1
    assert medians[0].regulator.code == deadline.regulator.code
    assert medians[0].median_seconds == 20 * 3600
    assert medians[0].incidents == 3


# --- Incident list --------------------------------------------------------------------------------


@pytest.fixture
def listed_incidents(admin_user, catalogue):
    """Three incidents: KR with an awareness (overdue on 2026-03-10), US only, and a closed one."""
    kr = IncidentFactory(title="Seoul token leak", severity="critical")
    add_korean_entity(kr, name="Hanbit Shop")
    services.timeline_event_record(
        incident=kr,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="aware",
    )
    us = IncidentFactory(title="Ohio ransomware", severity="medium")
    add_korean_entity(us, name="Buckeye Health", country="US", jurisdictions=["US"])
    closed = IncidentFactory(title="Old phishing", severity="low", status="closed")
    return kr, us, closed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"kr", "us", "closed"}),
        ("status=closed", {"closed"}),
        ("severity=critical", {"kr"}),
        ("regulator=KISA-MSIT", {"kr"}),
        ("entity=buckeye", {"us"}),
        ("overdue=on", {"kr"}),
        ("q=ransom", {"us"}),
        ("q=nothing-like-this", set()),
    ],
)
@time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=KST), tick=False)
def test_incident_list_filters(client, admin_user, listed_incidents, query, expected):
    kr, us, closed = listed_incidents
    names = {kr.pk: "kr", us.pk: "us", closed.pk: "closed"}
    client.force_login(admin_user)
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 200
    assert {names[i.pk] for i in response.context["incidents"]} == expected


def test_incident_list_paginates(client, admin_user):
    IncidentFactory.create_batch(30)
    client.force_login(admin_user)
    first = client.get("/incidents/")
    second = client.get("/incidents/", {"cursor": first.context["page"].next_cursor})
    assert len(first.context["incidents"]) == 25
    assert len(second.context["incidents"]) == 5
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()


def test_incident_list_ignores_a_bad_filter_value_with_an_error(
    client, admin_user, listed_incidents
):
    client.force_login(admin_user)
    response = client.get("/incidents/?status=exploded")
    assert response.status_code == 200
    assert response.context["form"].errors["status"]


# --- Incident page ----------------------------------------------------------------------------


def test_incident_page_shows_entities_counts_deadlines_and_explanations(
    client, carol, aware_incident
):
    client.force_login(carol)
    # Between awareness (10:00) and the first due time (next day 10:00): "now" is on the chart.
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=KST)):
        response = client.get(f"/incidents/{aware_incident.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Example Korea Co." in html
    assert "1,000" in html  # the KR count, localised
    deadline = network_act(aware_incident)
    assert f'id="deadline-{deadline.pk}"' in html
    # The engine's explanation, on demand (a link the page's script loads into the fold).
    explanation = reverse("deadline_explanation", args=[aware_incident.reference, deadline.pk])
    assert f'href="{explanation}"' in html
    assert "+ 24 h (elapsed clock hours" in client.get(explanation).content.decode()
    assert "<svg" in html
    assert 'class="now"' in html
    assert "now is outside this range" not in html
    # A viewer sees no write buttons.
    assert reverse("event_new", args=[aware_incident.reference]) not in html


def test_incident_page_shows_alternative_triggers_side_by_side(client, alice, aware_incident):
    services.timeline_event_record(
        incident=aware_incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 1, 16, 0, tzinfo=KST),
        title="Investigators: aware the day before",
        basis="investigators",
    )
    client.force_login(alice)
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert "Alternative triggers" in html
    section = html[html.index("Alternative triggers") :]
    assert "investigators" in section[:3000]
    assert "company" in section[:3000]


def test_incident_page_shows_superseded_event_and_its_correction(client, alice, aware_incident):
    original = aware_incident.events.get(kind="awareness")
    correction = services.timeline_event_record(
        incident=aware_incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 8, 0, tzinfo=KST),
        title="CISO confirms the leak (corrected time)",
        supersedes=original,
        correction_reason="Log review shows 08:00",
    )
    client.force_login(alice)
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert "Superseded by a correction" in html
    assert f'href="#event-{correction.pk}"' in html
    assert "Log review shows 08:00" in html


def test_incident_page_shows_not_applicable_justification(client, bob, aware_incident):
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-subject-notice")
    deadline_mark_not_applicable(
        deadline=deadline, justification="No notice needed: data encrypted", marked_by=bob
    )
    client.force_login(bob)
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert "No notice needed: data encrypted" in html


def test_incident_page_shows_times_in_the_viewers_zone_with_offset(client, alice, aware_incident):
    Profile.objects.filter(user=alice).update(time_zone="America/New_York")
    client.force_login(alice)
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    # Network Act due 2026-03-03 10:00 KST = 2026-03-02 20:00 EST.
    assert "2026-03-02 (Mon) 20:00 EST -05:00" in html
    # ...and in the rule's own zone beside it.
    assert "2026-03-03 (Tue) 10:00 KST +09:00" in html


def test_incident_page_has_an_exports_slot(client, alice, aware_incident):
    client.force_login(alice)
    response = client.get(f"/incidents/{aware_incident.reference}/")
    assert "incidents/_exports.html" in [t.name for t in response.templates]


# --- Language -------------------------------------------------------------------------------------


def test_language_switch_renders_the_pages_in_korean(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert response.status_code == 302
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert '<html lang="ko">' in html
    assert "타임라인" in html
    assert "법인" in html
    assert (
        "정보통신망법 제48조의3 침해사고 최초 신고(24시간)" in html
    )  # the obligation's Korean title


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_renders_in_both_languages(client, admin_user, aware_incident, language):
    client.cookies["django_language"] = language
    client.force_login(admin_user)
    ref = aware_incident.reference
    event = aware_incident.events.first()
    deadline = network_act(aware_incident)
    for url in [
        "/",
        "/deadlines/",
        "/incidents/",
        f"/incidents/{ref}/",
        f"/incidents/{ref}/events/new/",
        f"/incidents/{ref}/events/{event.pk}/correct/",
        f"/incidents/{ref}/counts/new/",
        f"/incidents/{ref}/filings/new/",
        f"/incidents/{ref}/deadlines/{deadline.pk}/not-applicable/",
        f"/incidents/{ref}/requests/new/",
        "/what-if/",
        "/notifications/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode()


# --- What-if ----------------------------------------------------------------------------------


def test_what_if_computes_an_obligation_in_both_zones(client, alice, catalogue):
    client.force_login(alice)
    response = client.get(
        "/what-if/",
        {
            "obligation": "us-sec-8k-1-05",
            "trigger_date": "2025-11-18",
            "trigger_tz": "America/New_York",
            "precision": "date",
            "rule_tz": "Asia/Seoul",
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.due_at == datetime(2025, 11, 24, 17, 30, tzinfo=ET)
    html = response.content.decode()
    assert "2025-11-24 (Mon) 17:30 EST -05:00" in html  # rule's zone
    assert "2025-11-25 (Tue) 07:30 KST +09:00" in html  # viewer's zone (Asia/Seoul)


def test_what_if_computes_an_ad_hoc_offset(client, alice, catalogue):
    client.force_login(alice)
    response = client.get(
        "/what-if/",
        {
            "offset": "72h",
            "rule_tz": "Asia/Seoul",
            "trigger_date": "2026-03-02",
            "trigger_time": "10:00",
            "trigger_tz": "Asia/Seoul",
            "precision": "exact",
        },
    )
    assert response.context["result"].due_at == datetime(2026, 3, 5, 10, 0, tzinfo=KST)


def test_what_if_rejects_a_bad_offset_with_a_clear_error(client, alice, catalogue):
    client.force_login(alice)
    response = client.get(
        "/what-if/",
        {
            "offset": "three days",
            "rule_tz": "Asia/Seoul",
            "trigger_date": "2026-03-02",
            "trigger_time": "10:00",
            "trigger_tz": "Asia/Seoul",
            "precision": "exact",
        },
    )
    assert response.status_code == 400
    assert "Write a number and a unit" in response.content.decode()


# --- Notifications ---------------------------------------------------------------------------


def test_unread_count_in_header_and_mark_read(client, alice):
    note = Notification.objects.create(user=alice, title="KISA report due in 4 h")
    Notification.objects.create(user=alice, title="Second")
    client.force_login(alice)
    html = client.get("/notifications/").content.decode()
    assert '<span class="badge" data-testid="unread-count">2</span>' in html
    assert "KISA report due in 4 h" in html
    client.post("/notifications/", {"read": note.pk})
    html = client.get("/").content.decode()
    assert '<span class="badge" data-testid="unread-count">1</span>' in html
    client.post("/notifications/", {"all": "1"})
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_inbox_shows_only_the_users_own_notifications(client, alice, bob):
    Notification.objects.create(user=bob, title="For Bob only")
    client.force_login(alice)
    assert "For Bob only" not in client.get("/notifications/").content.decode()
    other = Notification.objects.get(title="For Bob only")
    client.post("/notifications/", {"read": other.pk})
    other.refresh_from_db()
    assert other.read_at is None
