"""Writes for reminders. ``reminders_sync_for`` is the one function the deadline code calls.

It runs inside the caller's transaction: a deadline that is filed, waived or moved has its
pending reminders cancelled or replaced in the same commit, so a sweep never sees a stale one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.roles import Role, users_with_roles
from incidents.models import Applicability, Deadline, DeadlineStatus, Incident, IncidentStatus
from reminders.models import (
    Delivery,
    DeliveryState,
    Reminder,
    ReminderPolicy,
    ReminderState,
)
from reminders.policy import ParsedPolicy, PlannedReminder, parse_policy, plan

logger = logging.getLogger(__name__)

REPEATING_KINDS = ("overdue", "nudge")
# Cancellation reason of the reminders a closing cancels; reopening revives exactly these.
INCIDENT_CLOSED = "incident closed"


def policy_for(deadline: Deadline) -> ParsedPolicy:
    """The obligation's own policy if an admin set one, else the global default row, else built-in."""
    rows = {
        row.obligation_code: row
        for row in ReminderPolicy.objects.filter(obligation_code__in=[deadline.code, ""])
    }
    row = rows.get(deadline.code) or rows.get("")
    try:
        return parse_policy(row)
    except ValueError:
        # An invalid row can only come from outside the admin form; never stop reminding.
        logger.exception("invalid reminder policy %s; using the built-in default", row)
        return parse_policy(None)


def deadline_wants_reminders(deadline: Deadline) -> bool:
    """Open, applicable, and its incident not closed (closing stops reminders and escalations;
    the deadline itself keeps its status)."""
    return (
        deadline.status == DeadlineStatus.OPEN
        and deadline.applicability != Applicability.DOES_NOT_APPLY
        and deadline.incident.status != IncidentStatus.CLOSED
    )


def _cancel(reminder_ids: list[int], reason: str) -> int:
    if not reminder_ids:
        return 0
    count = Reminder.objects.filter(
        pk__in=reminder_ids, state__in=[ReminderState.PENDING, ReminderState.CLAIMED]
    ).update(state=ReminderState.CANCELLED, cancelled_reason=reason[:200], claim_token=None)
    # Deliveries not yet claimed by a sender are cancelled with their reminder.
    Delivery.objects.filter(reminder_id__in=reminder_ids, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED, last_error=reason[:500]
    )
    return count


def _status_reason(deadline: Deadline) -> str:
    if deadline.status == DeadlineStatus.OPEN and deadline.incident.status == IncidentStatus.CLOSED:
        return INCIDENT_CLOSED
    if deadline.status == DeadlineStatus.FILED:
        return "deadline filed"
    if deadline.status == DeadlineStatus.NOT_APPLICABLE:
        return "marked not applicable"
    if deadline.status == DeadlineStatus.SUPERSEDED:
        return "deadline superseded"
    if deadline.applicability == Applicability.DOES_NOT_APPLY:
        return "obligation does not apply"
    return "deadline closed"


# No savepoint of its own: the schedule is part of the write that changed the deadline (a
# failure fails that write), and a write that moves thirty clocks syncs thirty times.
@transaction.atomic(savepoint=False)
def reminders_sync_for(
    *,
    deadline: Deadline | None = None,
    incident: Incident | None = None,
    now: datetime | None = None,
    answer: bool = True,
) -> list[Reminder]:
    """Bring the schedule of ``deadline`` (or of every deadline of ``incident``) in line with its
    current due time, status and policy. The one entry point the deadline code calls.

    Idempotent. Cancels pending reminders of a deadline that was met, waived or superseded, or
    whose due time moved; creates the reminders still ahead; the creation notice exactly once.
    Returns the reminders now pending (an empty list with ``answer=False``: the signal receiver
    needs no answer, and reading it is a query per deadline).
    """
    now = now or timezone.now()
    if deadline is None:
        if incident is None:
            raise TypeError("reminders_sync_for needs deadline= or incident=")
        pending: list[Reminder] = []
        for each in Deadline.objects.filter(incident=incident).select_related("incident"):
            pending.extend(_sync_one(each, now, answer))
        return pending
    return _sync_one(deadline, now, answer)


@dataclass(frozen=True)
class Schedule:
    """What planning needs of the thing reminded about: a deadline or an action item."""

    owner: dict[str, Any]  # the Reminder FK: {"deadline": d} or {"action_item": item}
    wants: bool
    reason: str  # why not, when not wanted
    due_at: datetime | None
    trigger_at: datetime | None
    created_at: datetime | None
    policy: Callable[[], ParsedPolicy]
    # Cancellation reasons that a later sync undoes (reopening the incident, or the task).
    revivable: frozenset[str] = frozenset({INCIDENT_CLOSED})


def _sync_one(deadline: Deadline, now: datetime, answer: bool = True) -> list[Reminder]:
    wants = deadline_wants_reminders(deadline)
    return sync_schedule(
        Schedule(
            owner={"deadline": deadline},
            wants=wants,
            reason="" if wants else _status_reason(deadline),
            due_at=deadline.due_at,
            trigger_at=deadline.trigger_at,
            created_at=deadline.created_at,
            policy=lambda: policy_for(deadline),
        ),
        now,
        answer=answer,
    )


def sync_schedule(schedule: Schedule, now: datetime, *, answer: bool = True) -> list[Reminder]:
    """Bring one deadline's or action item's reminders in line with its due time, state and
    policy (see ``reminders_sync_for``); returns the pending ones when ``answer``."""
    owner = schedule.owner
    existing = {r.key: r for r in Reminder.objects.filter(**owner)}
    live = [
        r for r in existing.values() if r.state in (ReminderState.PENDING, ReminderState.CLAIMED)
    ]
    if not schedule.wants:
        _cancel([r.pk for r in live], schedule.reason)
        return []

    policy = schedule.policy()
    wanted = plan(
        policy=policy,
        now=now,
        due_at=schedule.due_at,
        trigger_at=schedule.trigger_at,
        created_at=schedule.created_at or now,
    )
    by_key: dict[str, PlannedReminder] = {p.key: p for p in wanted}
    repeat_kind = "nudge" if schedule.due_at is None else "overdue"
    current_due = schedule.due_at

    to_cancel: list[tuple[int, str]] = []
    live_repeat = False
    for reminder in live:
        if reminder.kind == "created":
            continue
        if reminder.due_at != current_due:
            to_cancel.append((reminder.pk, "due time moved"))
            continue
        if reminder.kind in REPEATING_KINDS:
            every = (
                policy.overdue_every if reminder.kind == "overdue" else policy.without_delay_every
            )
            if reminder.kind != repeat_kind or not every:
                to_cancel.append((reminder.pk, "policy changed"))
            else:
                live_repeat = True
            continue
        planned = by_key.get(reminder.key)
        if planned is None:
            # Past offsets are not re-planned; a due one stays for the sweep to catch up.
            if reminder.fire_at > now:
                to_cancel.append((reminder.pk, "policy changed"))
        elif reminder.state == ReminderState.PENDING and planned.fire_at != reminder.fire_at:
            Reminder.objects.filter(pk=reminder.pk, state=ReminderState.PENDING).update(
                fire_at=planned.fire_at
            )
    for reason in {r for _pk, r in to_cancel}:
        _cancel([pk for pk, r in to_cancel if r == reason], reason)

    new: list[Reminder] = []
    for item in wanted:
        if item.key in existing:
            _revive_after_reopening(existing[item.key], item, schedule.revivable)
            continue
        if item.repeating and live_repeat:
            continue
        new.append(
            Reminder(
                **owner,
                key=item.key,
                kind=item.kind,
                offset_seconds=item.offset_seconds,
                seq=item.seq,
                due_at=item.due_at,
                fire_at=item.fire_at,
            )
        )
    # Two writers (a page and the sweep) may sync at once: the unique key makes that harmless.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    if not answer:
        return []
    return list(
        Reminder.objects.filter(**owner, state__in=[ReminderState.PENDING, ReminderState.CLAIMED])
    )


def _revive_after_reopening(
    reminder: Reminder, planned: PlannedReminder, reasons: frozenset[str]
) -> None:
    """A reminder cancelled only because its incident (or task) was closed is planned again on
    reopening (same key, same row: its history stays in one place)."""
    if reminder.state != ReminderState.CANCELLED or reminder.cancelled_reason not in reasons:
        return
    Reminder.objects.filter(pk=reminder.pk, state=ReminderState.CANCELLED).update(
        state=ReminderState.PENDING,
        fire_at=planned.fire_at,
        cancelled_reason="",
        claim_token=None,
        claimed_at=None,
    )


def reminders_resync_all(*, now: datetime | None = None) -> int:
    """Sync every open deadline (after a policy change, or on a database that predates reminders)."""
    count = 0
    for deadline in Deadline.objects.open().iterator(chunk_size=200):
        reminders_sync_for(deadline=deadline, now=now)
        count += 1
    return count


def recipients_for(
    deadline: Deadline, policy: ParsedPolicy, escalate_to: list[str]
) -> tuple[list[User], set[int]]:
    """Who gets a reminder: the owner and members holding the policy's roles; escalation roles
    add the incident's members with that role, and for ``admin`` every admin (they see every
    incident). Returns (users, ids of users reached only by escalation).

    Need-to-know holds: only people who can already see the incident are ever told about it.
    """
    UserModel = get_user_model()
    incident = deadline.incident
    base_q = Q(pk=incident.owner_id) | (
        Q(memberships__incident=incident) & users_with_roles(policy.recipient_roles)
    )
    base = {u.pk: u for u in UserModel.objects.filter(base_q, is_active=True).distinct()}
    extra: dict[int, User] = {}
    for role in escalate_to:
        if role == "admin":
            query = users_with_roles([Role.ADMIN])
        else:
            query = Q(memberships__incident=incident) & users_with_roles([role])
        for user in UserModel.objects.filter(query, is_active=True).distinct():
            if user.pk not in base:
                extra[user.pk] = user
    users = sorted([*base.values(), *extra.values()], key=lambda u: u.pk)
    return users, set(extra)
