"""The web forms: validated on the server, written through the services, and the user lands on
the incident page anchored at what changed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from incidents.models import AffectedCountRevision, Deadline, Filing, TimelineEvent

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def event_data(**overrides):
    data = {
        "kind": "awareness",
        "title": "Security team confirms exfiltration",
        "occurred_date": "2026-03-02",
        "occurred_time": "10:00",
        "entered_tz": "Asia/Seoul",
        "precision": "exact",
        "legal_entity": "",
        "basis": "company",
        "confidence": "high",
        "source_title": "Incident bridge",
        "source_url": "",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def kr_incident(incident, catalogue):
    from tests.conftest import add_korean_entity

    add_korean_entity(incident)
    return incident


def test_recording_awareness_creates_deadlines_and_lands_on_the_new_event(
    client, alice, kr_incident
):
    client.force_login(alice)
    response = client.post(f"/incidents/{kr_incident.reference}/events/new/", event_data())
    event = TimelineEvent.objects.get(incident=kr_incident, kind="awareness")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{kr_incident.reference}/#event-{event.pk}"
    assert event.occurred_at == datetime(2026, 3, 2, 10, 0, tzinfo=KST)
    assert event.recorded_by == alice
    network = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert network.due_at == datetime(2026, 3, 3, 10, 0, tzinfo=KST)
    page = client.get(response["Location"])
    assert "Event recorded; deadlines recomputed." in page.content.decode()


def test_event_in_another_zone_is_stored_as_that_instant(client, alice, kr_incident):
    client.force_login(alice)
    client.post(
        f"/incidents/{kr_incident.reference}/events/new/",
        event_data(
            occurred_time="20:00", entered_tz="America/New_York", occurred_date="2026-03-01"
        ),
    )
    event = TimelineEvent.objects.get(incident=kr_incident)
    assert event.occurred_at == datetime(2026, 3, 2, 10, 0, tzinfo=KST)
    assert event.entered_tz == "America/New_York"


def test_date_only_event_counts_from_the_start_of_the_day(client, alice, kr_incident):
    client.force_login(alice)
    client.post(
        f"/incidents/{kr_incident.reference}/events/new/",
        event_data(precision="date", occurred_time=""),
    )
    event = TimelineEvent.objects.get(incident=kr_incident)
    assert event.precision == "date"
    assert event.occurred_at == datetime(2026, 3, 2, 0, 0, tzinfo=KST)
    network = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert network.due_at == datetime(2026, 3, 3, 0, 0, tzinfo=KST)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_time": ""}, "occurred_time", "Give the time"),
        ({"title": ""}, "title", "This field is required."),
        ({"occurred_date": "2026-02-30"}, "occurred_date", "Enter a valid date."),
        ({"entered_tz": "Mars/Olympus"}, "entered_tz", "Select a valid choice."),
        ({"kind": "regulator_request"}, "kind", "Select a valid choice."),
        ({"source_url": "not a url"}, "source_url", "Enter a valid URL."),
        # 02:30 does not exist in New York on 2026-03-08 (clocks jump from 02:00 to 03:00).
        (
            {
                "occurred_date": "2026-03-08",
                "occurred_time": "02:30",
                "entered_tz": "America/New_York",
            },
            "occurred_time",
            "does not exist",
        ),
        # 01:30 happens twice in New York on 2026-11-01.
        (
            {
                "occurred_date": "2026-11-01",
                "occurred_time": "01:30",
                "entered_tz": "America/New_York",
            },
            "occurred_time",
            "happens twice",
        ),
    ],
)
def test_bad_event_input_shows_a_clear_error_and_changes_nothing(
    client, alice, kr_incident, overrides, field, message
):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{kr_incident.reference}/events/new/", event_data(**overrides)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    assert not TimelineEvent.objects.filter(incident=kr_incident).exists()
    assert not Deadline.objects.filter(incident=kr_incident).exists()


def test_legal_entity_of_another_incident_is_refused(client, alice, kr_incident, catalogue):
    from tests.conftest import add_korean_entity
    from tests.factories import IncidentFactory

    other = add_korean_entity(IncidentFactory(owner=alice), name="Elsewhere Ltd.")
    client.force_login(alice)
    response = client.post(
        f"/incidents/{kr_incident.reference}/events/new/", event_data(legal_entity=other.pk)
    )
    assert response.status_code == 400
    assert "legal_entity" in response.context["form"].errors


def test_correcting_an_event_supersedes_it_and_moves_the_deadline(client, alice, aware_incident):
    original = aware_incident.events.get(kind="awareness")
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/events/{original.pk}/correct/"
    page = client.get(url)
    assert page.context["form"].initial["occurred_time"].hour == 10
    response = client.post(
        url, {**event_data(occurred_time="08:00"), "correction_reason": "Log review: 08:00"}
    )
    correction = TimelineEvent.objects.get(supersedes=original)
    assert response["Location"].endswith(f"#event-{correction.pk}")
    assert correction.correction_reason == "Log review: 08:00"
    network = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    assert network.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=KST)
    assert network.recomputations.exists()


def test_correction_needs_a_reason(client, alice, aware_incident):
    original = aware_incident.events.get(kind="awareness")
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/events/{original.pk}/correct/",
        {**event_data(), "correction_reason": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["correction_reason"]
    assert not TimelineEvent.objects.filter(supersedes=original).exists()


def test_an_already_corrected_event_sends_the_user_to_the_correction(client, alice, aware_incident):
    original = aware_incident.events.get(kind="awareness")
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/events/{original.pk}/correct/"
    client.post(url, {**event_data(occurred_time="09:00"), "correction_reason": "first"})
    correction = TimelineEvent.objects.get(supersedes=original)
    response = client.post(url, {**event_data(occurred_time="07:00"), "correction_reason": "again"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#event-{correction.pk}")
    assert TimelineEvent.objects.filter(incident=aware_incident, kind="awareness").count() == 2


def test_revising_a_count_adds_a_revision(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/counts/new/",
        {
            "jurisdiction": "kr",
            "count": "33700000",
            "as_of_date": "2026-03-05",
            "as_of_time": "09:30",
            "as_of_tz": "Asia/Seoul",
            "source": "forensics",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#count-KR")
    latest = AffectedCountRevision.objects.filter(incident=aware_incident).latest("as_of")
    assert (latest.jurisdiction, latest.count) == ("KR", 33_700_000)
    assert latest.recorded_by == alice
    page = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert "33,700,000" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"jurisdiction": "Korea!"}, "jurisdiction"), ({"count": "-5"}, "count")],
)
def test_bad_count_is_refused(client, alice, aware_incident, overrides, field):
    client.force_login(alice)
    before = AffectedCountRevision.objects.count()
    data = {
        "jurisdiction": "KR",
        "count": "10",
        "as_of_date": "2026-03-05",
        "as_of_time": "09:30",
        "as_of_tz": "Asia/Seoul",
    }
    data.update(overrides)
    response = client.post(f"/incidents/{aware_incident.reference}/counts/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert AffectedCountRevision.objects.count() == before


@pytest.mark.parametrize(
    ("submitted", "verdict"),
    [("2026-03-03T09:59", "on_time"), ("2026-03-03T11:30", "late")],
)
def test_recording_a_filing_answers_the_deadline(client, alice, aware_incident, submitted, verdict):
    network = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    day, clock = submitted.split("T")
    client.force_login(alice)
    form_page = client.get(
        f"/incidents/{aware_incident.reference}/filings/new/?deadline={network.pk}"
    )
    assert form_page.context["form"].initial["deadline"] == network.pk
    response = client.post(
        f"/incidents/{aware_incident.reference}/filings/new/",
        {
            "deadline": network.pk,
            "recipient": "",
            "submitted_date": day,
            "submitted_time": clock,
            "submitted_tz": "Asia/Seoul",
            "channel": "KISA portal",
            "reference_number": "K-1",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#deadline-{network.pk}")
    network.refresh_from_db()
    assert network.status == "filed"
    assert network.verdict == verdict
    filing = Filing.objects.get(deadline=network)
    assert filing.recipient  # defaulted to the regulator's name
    assert filing.submitted_by == alice
    page = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert ("late by 1 h 30 min" in page) if verdict == "late" else ("1 min 0 s to spare" in page)


def test_filing_without_deadline_needs_a_recipient(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/filings/new/",
        {
            "deadline": "",
            "recipient": "",
            "submitted_date": "2026-03-03",
            "submitted_time": "09:00",
            "submitted_tz": "Asia/Seoul",
        },
    )
    assert response.status_code == 400
    assert "recipient" in response.context["form"].errors
    assert not Filing.objects.exists()


def test_legal_marks_an_obligation_not_applicable_with_a_justification(client, bob, aware_incident):
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-subject-notice")
    url = f"/incidents/{aware_incident.reference}/deadlines/{deadline.pk}/not-applicable/"
    client.force_login(bob)
    short = client.post(url, {"justification": "no"})
    assert short.status_code == 400
    deadline.refresh_from_db()
    assert deadline.status == "open"
    response = client.post(url, {"justification": "Data was encrypted with keys not exposed."})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == "not_applicable"
    assert deadline.not_applicable_by == bob


def test_a_filed_deadline_cannot_be_marked_not_applicable(client, bob, aware_incident):
    from incidents import services

    deadline = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    services.filing_submit(
        incident=aware_incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST),
    )
    client.force_login(bob)
    response = client.post(
        f"/incidents/{aware_incident.reference}/deadlines/{deadline.pk}/not-applicable/",
        {"justification": "Trying to hide a filed one."},
    )
    assert response.status_code == 400
    deadline.refresh_from_db()
    assert deadline.status == "filed"


def request_data(**overrides):
    data = {
        "title": "PIPC asks for the access logs",
        "regulator": "PIPC",
        "received_date": "2026-03-06",
        "received_time": "15:00",
        "received_tz": "Asia/Seoul",
        "precision": "exact",
        "offset": "5bd",
        "calendar": "KR",
        "rule_tz": "Asia/Seoul",
        "legal_entity": "",
        "source_title": "Letter",
    }
    data.update(overrides)
    return data


def test_regulator_request_creates_a_response_deadline(client, alice, aware_incident):
    entity = aware_incident.entities.get()
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/requests/new/",
        request_data(legal_entity=entity.pk),
    )
    assert response.status_code == 302
    deadline = Deadline.objects.get(incident=aware_incident, code="regulator-request")
    assert response["Location"].endswith(f"#deadline-{deadline.pk}")
    # Friday 2026-03-06 + 5 Korean business days = Friday 2026-03-13, end of day.
    assert deadline.due_at == datetime(2026, 3, 13, 23, 59, 59, tzinfo=KST)
    assert deadline.regulator is not None
    assert deadline.regulator.code == "PIPC"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"offset": "five days"}, "offset"),
        ({"offset": "0cd"}, "offset"),
        ({"offset": "5bd", "calendar": ""}, "calendar"),
        ({"regulator": "NOPE"}, "regulator"),
    ],
)
def test_bad_regulator_request_is_refused(client, alice, aware_incident, overrides, field):
    entity = aware_incident.entities.get()
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/requests/new/",
        request_data(legal_entity=entity.pk, **overrides),
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Deadline.objects.filter(code="regulator-request").exists()
