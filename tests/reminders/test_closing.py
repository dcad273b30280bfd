"""Closing an incident stops its reminders and escalations; reopening plans them again; a member
taken off an incident no longer reads its notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Deadline, DeadlineStatus, IncidentStatus, Notification
from incidents.selectors import notifications_for
from reminders.models import Delivery, DeliveryState, ReminderState
from reminders.sending import send_deliveries
from reminders.services import reminders_sync_for
from reminders.sweep import sweep
from tests.factories import UserFactory


def run_sweep():
    return sweep(enqueue=send_deliveries)


def test_closing_cancels_pending_reminders_and_a_later_sweep_sends_nothing(
    frozen, make_deadline, incident
) -> None:
    deadline = make_deadline(timedelta(hours=24))
    reminders_sync_for(deadline=deadline)
    run_sweep()  # the creation notice goes out before the incident is closed
    sent_before = Delivery.objects.filter(state=DeliveryState.SENT).count()
    assert sent_before > 0
    mail.outbox.clear()

    services.incident_set_status(incident=incident, status=IncidentStatus.CLOSED)

    pending = deadline.reminders.filter(state=ReminderState.PENDING)
    assert not pending.exists()
    cancelled = deadline.reminders.filter(state=ReminderState.CANCELLED)
    assert cancelled.exists()
    assert set(cancelled.values_list("cancelled_reason", flat=True)) == {"incident closed"}
    # Two days later (the deadline is overdue, escalation would have reached legal and admin):
    frozen.shift(timedelta(days=2))
    run_sweep()
    assert mail.outbox == []
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == sent_before
    # The deadline itself is still there, with its status.
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN


def test_reopening_plans_the_reminders_of_open_deadlines_again(
    frozen, make_deadline, incident
) -> None:
    deadline = make_deadline(timedelta(hours=72))
    filed = make_deadline(timedelta(hours=72), key="filed", status=DeadlineStatus.FILED)
    reminders_sync_for(deadline=deadline)
    ahead = set(
        deadline.reminders.filter(state=ReminderState.PENDING).values_list("key", flat=True)
    )
    assert ahead
    services.incident_set_status(incident=incident, status=IncidentStatus.CLOSED)
    assert not deadline.reminders.filter(state=ReminderState.PENDING).exists()

    services.incident_set_status(incident=incident, status=IncidentStatus.OPEN)

    again = set(
        deadline.reminders.filter(state=ReminderState.PENDING).values_list("key", flat=True)
    )
    assert again == ahead
    assert not filed.reminders.filter(state=ReminderState.PENDING).exists()


def test_removed_member_no_longer_sees_the_incidents_notifications(
    db, incident, bob, client
) -> None:
    Notification.objects.create(user=bob, incident=incident, title="8-K due soon")
    Notification.objects.create(user=bob, incident=None, title="Daily digest")
    assert notifications_for(bob).count() == 2

    services.membership_remove(incident=incident, user=bob)

    assert list(notifications_for(bob).values_list("title", flat=True)) == ["Daily digest"]
    api = APIClient()
    api.force_authenticate(bob)
    titles = [n["title"] for n in api.get("/api/v1/notifications/").json()["results"]]
    assert titles == ["Daily digest"]
    client.force_login(bob)
    page = client.get(reverse("notifications")).content.decode()
    assert "Daily digest" in page
    assert "8-K due soon" not in page
    # Kept for the record.
    assert Notification.objects.filter(user=bob, incident=incident).exists()


def test_owner_cannot_be_removed_from_their_incident(db, incident, alice) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.membership_remove(incident=incident, user=alice)
    assert "user" in excinfo.value.error_dict


def test_closed_incidents_deadlines_stay_visible_with_their_status(
    aware_incident, alice, client
) -> None:
    services.incident_set_status(incident=aware_incident, status=IncidentStatus.CLOSED)
    client.force_login(alice)
    page = client.get(reverse("incident_detail", kwargs={"reference": aware_incident.reference}))
    assert page.status_code == 200
    for deadline in Deadline.objects.filter(incident=aware_incident):
        assert f'id="deadline-{deadline.pk}"' in page.content.decode()
        assert deadline.status == DeadlineStatus.OPEN


def test_deadlines_are_read_only_in_the_admin(aware_incident, client) -> None:
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    deadline = Deadline.objects.filter(incident=aware_incident).first()
    url = reverse("admin:incidents_deadline_change", args=[deadline.pk])
    assert client.post(url, {"status": "filed", "title": "x"}).status_code == 403
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN
