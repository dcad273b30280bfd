"""Task reminders: an action item's reminders run on the deadline machinery (plan, sweep, claim,
deliveries), reach its owner, escalate to the incident's owner and compliance once overdue, and
stop when the item is done, cancelled, or its incident closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from actions import services as actions
from incidents import services
from incidents.models import IncidentStatus, Notification
from reminders.action_items import item_content, item_webhook_payload
from reminders.models import Delivery, DeliveryState, Reminder, ReminderState
from reminders.sending import send_deliveries
from reminders.sweep import sweep

pytestmark = pytest.mark.django_db


def run_sweep():
    return sweep(enqueue=send_deliveries)


def recipients(reminder):
    return sorted(set(reminder.deliveries.values_list("user__username", flat=True)) - {None})


@pytest.fixture
def task(frozen, make_deadline, incident, alice, bob):
    """bob (legal, a member) owns a task due in 48 hours; dave is a compliance member."""
    make_deadline()  # also puts dave on the incident
    Reminder.objects.filter(deadline__isnull=False).delete()  # only the task's reminders here
    return actions.action_item_create(
        incident=incident,
        title="Collect the firewall logs",
        owner=bob,
        created_by=alice,
        due_at=datetime.now(tz=UTC) + timedelta(hours=48),
    )


def test_creating_a_task_plans_its_reminders_from_the_policy(task):
    kinds = sorted(Reminder.objects.filter(action_item=task).values_list("kind", flat=True))
    assert kinds == ["before", "before", "before", "created", "due", "half", "overdue"]
    assert not Reminder.objects.filter(action_item=task, deadline__isnull=False).exists()


def test_the_assignment_notice_reaches_only_the_owner(task):
    run_sweep()
    created = Reminder.objects.get(action_item=task, kind="created")
    assert created.state == ReminderState.DONE
    assert recipients(created) == ["bob"]
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert "Collect the firewall logs" in mail.outbox[0].subject
    note = Notification.objects.get(user__username="bob")
    assert note.incident_id == task.incident_id
    assert "#action-items" in note.url


def test_an_overdue_task_escalates_to_the_incident_owner_and_compliance(task, frozen):
    run_sweep()
    mail.outbox.clear()
    frozen.shift(timedelta(hours=61))  # due at 48 h; the first overdue repeat at 60 h
    run_sweep()
    latest = Reminder.objects.filter(action_item=task, state=ReminderState.DONE).latest("fire_at")
    # bob owns it; alice owns the incident and dave is a compliance member; carol (viewer) not.
    assert recipients(latest) == ["alice", "bob", "dave"]
    escalated = set(
        latest.deliveries.filter(escalation=True).values_list("user__username", flat=True)
    )
    assert escalated == {"alice", "dave"}
    assert latest.escalated_roles == ["incident-owner", "compliance"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com",
        "bob@example.com",
        "dave@example.com",
    ]
    # The older ones that fell due meanwhile were collapsed, not sent.
    assert Reminder.objects.filter(
        action_item=task, cancelled_reason__startswith="caught up"
    ).exists()
    # The next repetition is planned.
    assert Reminder.objects.filter(
        action_item=task, kind="overdue", state=ReminderState.PENDING
    ).exists()


def test_completing_a_task_cancels_its_reminders_and_nothing_more_goes_out(task, frozen, alice):
    run_sweep()
    sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
    actions.action_item_complete(item=task, by=alice)
    assert not Reminder.objects.filter(action_item=task, state=ReminderState.PENDING).exists()
    frozen.shift(timedelta(days=3))
    mail.outbox.clear()
    run_sweep()
    assert mail.outbox == []
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == sent


def test_cancelling_then_reopening_plans_them_again(task, alice):
    ahead = set(
        Reminder.objects.filter(action_item=task, state=ReminderState.PENDING).values_list(
            "key", flat=True
        )
    )
    actions.action_item_cancel(item=task, by=alice, reason="vendor does it")
    assert set(
        Reminder.objects.filter(action_item=task, state=ReminderState.CANCELLED).values_list(
            "cancelled_reason", flat=True
        )
    ) == {"task cancelled"}
    actions.action_item_reopen(item=task, by=alice)
    pending = Reminder.objects.filter(action_item=task, state=ReminderState.PENDING)
    # The same rows come back (the creation notice was never sent, so it is still owed).
    assert set(pending.values_list("key", flat=True)) == ahead


def test_moving_the_due_time_replaces_the_schedule(task, alice):
    old_due = task.due_at
    actions.action_item_update(item=task, changed_by=alice, due_at=old_due + timedelta(days=1))
    stale = Reminder.objects.filter(action_item=task, due_at=old_due, kind="before")
    assert set(stale.values_list("state", flat=True)) == {ReminderState.CANCELLED}
    assert Reminder.objects.filter(
        action_item=task, due_at=old_due + timedelta(days=1), state=ReminderState.PENDING
    ).exists()


def test_a_task_reminder_in_flight_is_cancelled_when_the_task_is_done(task, alice):
    batches: list[list[str]] = []
    sweep(enqueue=batches.append)  # recorded and dispatched, not yet sent
    actions.action_item_complete(item=task, by=alice)
    send_deliveries(batches[0])
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.CANCELLED}


def test_closing_the_incident_stops_task_reminders_and_reopening_revives_them(task, incident):
    services.incident_set_status(incident=incident, status=IncidentStatus.CLOSED)
    reminders = Reminder.objects.filter(action_item=task)
    assert not reminders.filter(state=ReminderState.PENDING).exists()
    assert "incident closed" in set(reminders.values_list("cancelled_reason", flat=True))
    services.incident_set_status(incident=incident, status=IncidentStatus.OPEN)
    assert reminders.filter(state=ReminderState.PENDING).exists()


def test_a_task_reminder_is_sent_once_when_sweep_and_batch_run_twice(task):
    batches: list[list[str]] = []
    sweep(enqueue=batches.append)
    sweep(enqueue=batches.append)
    assert len(batches) == 1
    send_deliveries(batches[0])
    send_deliveries(batches[0])
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user__username="bob").count() == 1


def test_an_owner_removed_from_the_incident_is_not_reminded(task, incident, bob, frozen):
    incident.memberships.filter(user=bob).delete()
    run_sweep()
    created = Reminder.objects.get(action_item=task, kind="created")
    assert recipients(created) == []


def test_a_reminder_belongs_to_a_deadline_or_a_task_never_both(task, make_deadline):
    deadline = make_deadline(key="other")
    fire = datetime.now(tz=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            deadline=deadline, action_item=task, key="x", kind="due", fire_at=fire
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(key="y", kind="due", fire_at=fire)


def test_content_and_webhook_payload_name_the_task_in_korean_and_english(task):
    reminder = Reminder.objects.get(action_item=task, kind="due")
    now = datetime.now(tz=UTC)
    ko = item_content(reminder, task, language="ko", zone="Asia/Seoul", escalation=True, now=now)
    en = item_content(reminder, task, language="en", zone="UTC", escalation=False, now=now)
    assert "에스컬레이션" in ko.subject
    assert "작업" in ko.title
    assert en.title.startswith("Task: Due in")
    assert "(UTC+09:00)" in ko.text
    delivery = Delivery(reminder=reminder, channel="webhook", recipient_key="w:1")
    payload = item_webhook_payload(delivery, reminder, en)
    assert payload["action_item"]["id"] == task.pk
    assert payload["incident"] == task.incident.reference


def test_a_task_policy_row_applies_after_a_resync(task):
    from reminders.action_items import reminders_resync_tasks
    from reminders.models import ReminderPolicy

    ReminderPolicy.objects.create(
        obligation_code="action-item", offsets=["-2h"], without_delay_every="", escalation=[]
    )
    assert reminders_resync_tasks() == 1
    pending = Reminder.objects.filter(action_item=task, state=ReminderState.PENDING)
    assert set(pending.values_list("kind", flat=True)) == {"created", "before"}
    assert pending.get(kind="before").offset_seconds == -7200
