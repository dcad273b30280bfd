"""ICS feeds: parseable, UTC instants, alarms per policy, stable UIDs, revocable, need-to-know."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from exports.models import ExportLog, IcsFeedToken
from exports.services import ics_token_issue, ics_token_revoke
from incidents.models import Deadline, Membership


def _fetch(url: str):
    return Client().get(url)  # no session: the token is the credential


def _events(response) -> list:
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk("VEVENT")]


@pytest.fixture
def incident_feed(rich_incident, bob) -> IcsFeedToken:
    return ics_token_issue(user=bob, incident=rich_incident)


@pytest.fixture
def user_feed(rich_incident, bob) -> IcsFeedToken:
    return ics_token_issue(user=bob)


def test_incident_feed_parses_and_holds_every_timed_deadline(incident_feed, rich_incident):
    response = _fetch(reverse("exports:ics_incident", args=[incident_feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    timed = Deadline.objects.filter(incident=rich_incident, due_at__isnull=False)
    assert len(events) == timed.count() > 0
    by_uid = {str(e["UID"]): e for e in events}
    for deadline in timed:
        event = by_uid[f"deadline-{deadline.pk}@127.0.0.1"]
        start = event.decoded("DTSTART")
        assert start.utcoffset() == timedelta(0)
        assert start == deadline.due_at
    assert ExportLog.objects.filter(via="feed", incident=rich_incident).count() == 1


def test_open_deadlines_carry_alarms_24_4_1_hours_before_and_at_due(incident_feed, rich_incident):
    events = _events(_fetch(reverse("exports:ics_incident", args=[incident_feed.token])))
    open_ids = set(
        Deadline.objects.filter(
            incident=rich_incident, status="open", due_at__isnull=False
        ).values_list("pk", flat=True)
    )
    assert open_ids
    for event in events:
        pk = int(str(event["UID"]).split("-")[1].split("@")[0])
        triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
        if pk in open_ids:
            assert triggers == [
                -timedelta(hours=24),
                -timedelta(hours=4),
                -timedelta(hours=1),
                timedelta(0),
            ]
        else:
            assert triggers == []


def test_alarms_follow_the_configured_reminder_policy(incident_feed):
    from reminders.models import ReminderPolicy

    ReminderPolicy.objects.update_or_create(
        obligation_code="", defaults={"offsets": ["created", "-48h", "every 12h"]}
    )
    events = _events(_fetch(reverse("exports:ics_incident", args=[incident_feed.token])))
    triggers = {a.decoded("TRIGGER") for e in events for a in e.walk("VALARM")}
    assert triggers == {-timedelta(hours=48)}


def test_uid_stays_when_a_deadline_moves(incident_feed, rich_incident):
    url = reverse("exports:ics_incident", args=[incident_feed.token])
    deadline = Deadline.objects.filter(
        incident=rich_incident, status="open", due_at__isnull=False
    ).first()
    before = {str(e["UID"]): e.decoded("DTSTART") for e in _events(_fetch(url))}
    new_due = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=new_due)
    after = {str(e["UID"]): e.decoded("DTSTART") for e in _events(_fetch(url))}
    uid = f"deadline-{deadline.pk}@127.0.0.1"
    assert set(before) == set(after)
    assert after[uid] == new_due != before[uid]


def test_user_feed_lists_deadlines_of_every_visible_incident_only(user_feed, rich_incident, db):
    from tests.factories import IncidentFactory, LegalEntityFactory

    other = IncidentFactory()
    entity = LegalEntityFactory(incident=other)
    Deadline.objects.create(
        incident=other,
        legal_entity=entity,
        code="x",
        title="hidden",
        due_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    events = _events(_fetch(reverse("exports:ics_user", args=[user_feed.token])))
    assert events
    assert all(rich_incident.reference in str(e["SUMMARY"]) for e in events)


def test_revoked_token_is_404(incident_feed, bob):
    url = reverse("exports:ics_incident", args=[incident_feed.token])
    assert _fetch(url).status_code == 200
    ics_token_revoke(token=incident_feed, by=bob)
    assert _fetch(url).status_code == 404


def test_revoke_through_the_page(incident_feed, bob):
    client = Client()
    client.force_login(bob)
    response = client.post(reverse("exports:feed_revoke", args=[incident_feed.pk]))
    assert response.status_code == 303
    incident_feed.refresh_from_db()
    assert incident_feed.revoked_at is not None


def test_bad_token_and_wrong_feed_kind_are_404(incident_feed, user_feed, db):
    assert _fetch(reverse("exports:ics_user", args=["nope"])).status_code == 404
    assert _fetch(reverse("exports:ics_incident", args=["nope"])).status_code == 404
    assert _fetch(reverse("exports:ics_user", args=[incident_feed.token])).status_code == 404
    assert _fetch(reverse("exports:ics_incident", args=[user_feed.token])).status_code == 404


def test_feed_stops_when_the_user_loses_membership_or_role(incident_feed, rich_incident, bob):
    url = reverse("exports:ics_incident", args=[incident_feed.token])
    Membership.objects.filter(incident=rich_incident, user=bob).delete()
    assert _fetch(url).status_code == 404
    Membership.objects.create(incident=rich_incident, user=bob)
    assert _fetch(url).status_code == 200
    bob.groups.clear()
    assert _fetch(url).status_code == 404


def test_only_users_with_the_export_right_get_feeds(rich_incident, carol, legal_outsider):
    with pytest.raises(PermissionDenied):
        ics_token_issue(user=carol, incident=rich_incident)
    with pytest.raises(PermissionDenied):
        ics_token_issue(user=legal_outsider, incident=rich_incident)


def test_feed_page_creates_a_feed_for_an_incident(rich_incident, bob, carol):
    client = Client()
    client.force_login(bob)
    response = client.post(reverse("exports:feeds"), {"incident": rich_incident.reference})
    assert response.status_code == 303
    token = IcsFeedToken.objects.get(user=bob)
    assert token.incident == rich_incident
    page = client.get(reverse("exports:feeds")).content.decode()
    assert f"/ics/incident/{token.token}.ics" in page
    viewer = Client()
    viewer.force_login(carol)
    assert viewer.get(reverse("exports:feeds")).status_code == 403
