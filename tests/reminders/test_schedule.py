"""The persisted schedule: created once, rescheduled when due moves, cancelled when met or waived."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from incidents import services
from incidents.deadlines import deadline_mark_not_applicable
from reminders.models import Reminder, ReminderPolicy, ReminderState
from reminders.services import reminders_sync_for

pytestmark = pytest.mark.django_db


def pending_kinds(deadline):
    return sorted(
        deadline.reminders.filter(state=ReminderState.PENDING).values_list("kind", flat=True)
    )


def test_syncing_twice_keeps_one_row_per_deadline_and_offset(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    reminders_sync_for(deadline=deadline)
    assert pending_kinds(deadline) == [
        "before",
        "before",
        "before",
        "created",
        "due",
        "half",
        "overdue",
    ]
    assert deadline.reminders.count() == 7


def test_reminder_keys_are_unique_per_deadline(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    with pytest.raises(IntegrityError):
        Reminder.objects.create(
            deadline=deadline, key="created", kind="created", fire_at=timezone.now()
        )


def test_moving_the_due_time_cancels_the_old_reminders_and_plans_new_ones(frozen, make_deadline):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    old_due = deadline.due_at
    deadline.due_at = old_due + timedelta(days=2)
    deadline.save()
    reminders_sync_for(deadline=deadline)
    cancelled = deadline.reminders.filter(state=ReminderState.CANCELLED)
    assert set(cancelled.values_list("cancelled_reason", flat=True)) == {"due time moved"}
    live = deadline.reminders.filter(state=ReminderState.PENDING).exclude(kind="created")
    assert live.count() == 6
    assert all(r.due_at == deadline.due_at for r in live)
    # The creation notice is not repeated for a move.
    assert deadline.reminders.filter(kind="created").count() == 1


def test_filing_cancels_pending_reminders(frozen, make_deadline, incident, alice):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    services.filing_submit(
        incident=incident,
        recipient="KISA",
        submitted_at=timezone.now(),
        deadline=deadline,
        submitted_by=alice,
    )
    assert pending_kinds(deadline) == []
    reasons = set(deadline.reminders.values_list("cancelled_reason", flat=True))
    assert reasons == {"deadline filed"}


def test_marking_not_applicable_cancels_pending_reminders(frozen, make_deadline, bob):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    deadline_mark_not_applicable(
        deadline=deadline, justification="Not an ICT provider", marked_by=bob
    )
    assert pending_kinds(deadline) == []


def test_per_obligation_policy_overrides_the_global_default(frozen, make_deadline):
    ReminderPolicy.objects.create(
        obligation_code="kr-network-act-infringement", offsets=["-2h"], without_delay_every=""
    )
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    assert pending_kinds(deadline) == ["before"]


def test_policy_admin_validation_rejects_an_unknown_rule_code_and_bad_offsets(db):
    with pytest.raises(ValidationError) as error:
        ReminderPolicy(obligation_code="no-such-rule").full_clean()
    assert "obligation_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ReminderPolicy(obligation_code="", offsets=["tomorrow"]).clean()
    assert "offsets" in error.value.message_dict
