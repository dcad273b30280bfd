"""The sweep and the senders, called directly (task bodies), with frozen time."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError

from incidents.models import Notification
from reminders import tasks
from reminders.models import (
    Channel,
    Delivery,
    DeliveryState,
    Reminder,
    ReminderState,
    WebhookEndpoint,
)
from reminders.sending import send_deliveries
from reminders.services import reminders_sync_for
from reminders.sweep import claim_due_reminders, sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_sweep():
    """One sweep whose batches are sent in-process, as a worker would."""
    return sweep(enqueue=send_deliveries)


def recipients(reminder):
    return sorted(set(reminder.deliveries.values_list("user__username", flat=True)) - {None})


def test_a_due_reminder_reaches_the_owner_and_compliance_members_by_email_and_in_app(
    frozen, make_deadline, charlie
):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    run_sweep()
    created = deadline.reminders.get(kind="created")
    assert created.state == ReminderState.DONE
    # alice owns it, dave is a compliance member; bob (legal), carol (viewer), charlie (outsider) not.
    assert recipients(created) == ["alice", "dave"]
    assert sorted(created.deliveries.values_list("channel", flat=True)) == [
        "email",
        "email",
        "inapp",
        "inapp",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "dave@example.com"]
    assert Notification.objects.filter(user__username="alice", read_at__isnull=True).count() == 1


def test_reminder_is_sent_once_when_the_sweep_and_the_batch_run_twice(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    sent_batches: list[list[str]] = []
    sweep(enqueue=sent_batches.append)
    sweep(enqueue=sent_batches.append)  # a second beat: nothing new to claim or dispatch
    assert len(sent_batches) == 1
    send_deliveries(sent_batches[0])
    send_deliveries(sent_batches[0])  # a redelivered message
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_deliveries_are_unique_per_reminder_recipient_and_channel(frozen, make_deadline, alice):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    reminder = deadline.reminders.get(kind="created")
    Delivery.objects.create(
        reminder=reminder, channel=Channel.EMAIL, recipient_key=f"u:{alice.pk}", user=alice
    )
    with pytest.raises(IntegrityError):
        Delivery.objects.create(
            reminder=reminder, channel=Channel.EMAIL, recipient_key=f"u:{alice.pk}", user=alice
        )


def test_a_second_claim_gets_nothing_until_the_lease_runs_out(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    from django.utils import timezone

    now = timezone.now()
    assert len(claim_due_reminders(now=now, limit=10)) == 1
    assert claim_due_reminders(now=now, limit=10) == []
    frozen.shift(timedelta(minutes=3))
    assert len(claim_due_reminders(now=timezone.now(), limit=10)) == 1


def test_an_interrupted_sweep_is_reclaimed_and_does_not_double_deliveries(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    from django.utils import timezone

    from reminders.sweep import fan_out

    ids = claim_due_reminders(now=timezone.now(), limit=10)
    fan_out(ids, now=timezone.now())
    # Pretend the sweep died after recording the deliveries but before marking the reminder.
    Reminder.objects.filter(pk__in=ids).update(state=ReminderState.CLAIMED)
    frozen.shift(timedelta(minutes=3))
    run_sweep()
    assert Delivery.objects.count() == 4
    assert len(mail.outbox) == 2


def test_missed_sweeps_catch_up_with_one_reminder_not_a_burst(frozen, make_deadline):
    deadline = make_deadline(timedelta(hours=5))
    reminders_sync_for(deadline=deadline)
    run_sweep()  # the creation notice
    mail.outbox.clear()
    # No sweep ran while -4h and -1h fell due.
    frozen.shift(timedelta(hours=4, minutes=30))
    run_sweep()
    assert len(mail.outbox) == 2  # one reminder, to alice and dave
    assert sorted(m.subject.split("] ")[1].split(":")[0] for m in mail.outbox) == [
        "30분 후 마감",
        "Due in 30 min",
    ]
    skipped = deadline.reminders.get(kind="before", offset_seconds=-4 * 3600)
    assert skipped.state == ReminderState.CANCELLED
    assert skipped.cancelled_reason.startswith("caught up")


def test_overdue_reminders_repeat_and_escalate_to_legal_then_admins(frozen, make_deadline, bob):
    admin = UserFactory(username="ada", role="admin")
    deadline = make_deadline(timedelta(hours=1))
    reminders_sync_for(deadline=deadline)
    run_sweep()
    frozen.shift(timedelta(hours=1))  # due
    run_sweep()
    due = deadline.reminders.get(kind="due")
    assert recipients(due) == ["alice", "dave"]
    frozen.shift(timedelta(hours=12))  # 12 h overdue
    run_sweep()
    first = deadline.reminders.get(kind="overdue", seq=1)
    assert recipients(first) == ["alice", "bob", "dave"]
    assert first.deliveries.get(user=bob, channel=Channel.EMAIL).escalation
    assert deadline.reminders.filter(kind="overdue", seq=2, state=ReminderState.PENDING).exists()
    frozen.shift(timedelta(hours=12))  # 24 h overdue
    run_sweep()
    second = deadline.reminders.get(kind="overdue", seq=2)
    assert recipients(second) == ["ada", "alice", "bob", "dave"]
    assert second.escalated_roles == ["legal", "admin"]
    assert admin.pk in set(second.deliveries.values_list("user_id", flat=True))


def test_a_reminder_for_a_deadline_filed_after_fan_out_is_cancelled_not_sent(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    batches: list[list[str]] = []
    sweep(enqueue=batches.append)
    deadline.status = "filed"
    deadline.save()
    reminders_sync_for(deadline=deadline)
    send_deliveries(batches[0])
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.CANCELLED}


def test_a_reminder_whose_deadline_moved_after_claim_is_not_sent_stale(frozen, make_deadline):
    deadline = make_deadline(timedelta(hours=2))
    reminders_sync_for(deadline=deadline)
    run_sweep()
    mail.outbox.clear()
    frozen.shift(timedelta(hours=1, minutes=1))
    from django.utils import timezone

    from reminders.sweep import fan_out

    ids = claim_due_reminders(now=timezone.now(), limit=10)
    assert ids
    deadline.due_at += timedelta(days=1)
    deadline.save()  # moved between claim and fan-out, without a sync (a racing writer)
    fan_out(ids, now=timezone.now())
    run_sweep()
    assert mail.outbox == []
    stale = Reminder.objects.get(pk__in=ids, kind="before")
    assert stale.cancelled_reason == "due time moved"
    assert not Delivery.objects.filter(reminder__pk__in=ids).exists()


def test_the_sweep_task_enqueues_send_batches_by_id(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    with mock.patch.object(tasks.send_deliveries, "delay") as delay:
        result = tasks.sweep_reminders()
    assert result["deliveries"] == 4
    delay.assert_called_once()
    (ids,) = delay.call_args.args
    assert sorted(ids) == sorted(str(pk) for pk in Delivery.objects.values_list("pk", flat=True))


def test_an_unreachable_webhook_is_retried_with_backoff_then_marked_failed(frozen, make_deadline):
    WebhookEndpoint.objects.create(name="down", url="http://127.0.0.1:9/hook", secret="s")
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    run_sweep()
    hook = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert hook.state == DeliveryState.PENDING
    assert hook.next_attempt_at is not None
    for _ in range(10):
        frozen.shift(timedelta(hours=2))
        run_sweep()
    hook.refresh_from_db()
    assert hook.state == DeliveryState.FAILED
    assert hook.attempts == 6
