"""The beat sweep: claim due reminders, record their deliveries, hand deliveries to senders.

Every step is a conditional UPDATE or an insert guarded by a unique constraint, so two sweeps at
once (two beat schedulers), a sweep that dies half-way, or a lost broker message never lose or
double anything:

1. claim: ``pending`` reminders with ``fire_at <= now`` (and ``claimed`` ones whose lease of
   ``REMINDER_CLAIM_LEASE_SECONDS`` ran out) get ``claimed_at`` and this sweep's token;
2. fan out: per reminder, in one transaction, re-check that it is not stale, insert one delivery
   per (recipient, channel) with ON CONFLICT DO NOTHING, mark the reminder ``done`` and plan the
   next repetition;
3. dispatch: pending deliveries not handed out within ``REMINDER_DISPATCH_LEASE_SECONDS`` are
   stamped with this sweep's token and sent to ``send_deliveries`` tasks in batches. A message the
   broker loses (filesystem broker deletes on read, Redis restarted, worker SIGKILLed) only delays
   its deliveries until the next sweep after that lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reminders import action_items
from reminders.models import (
    Channel,
    Delivery,
    DeliveryState,
    Reminder,
    ReminderState,
    WebhookEndpoint,
)
from reminders.policy import ParsedPolicy, escalated_roles, next_repeat
from reminders.sending import claimable_q
from reminders.services import (
    _cancel,
    deadline_wants_reminders,
    policy_for,
    recipients_for,
)

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class SweepResult:
    claimed: int = 0
    fanned_out: int = 0
    cancelled: int = 0
    deliveries: int = 0
    dispatched: int = 0
    tasks: int = 0


def claim_due_reminders(*, now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due reminders for this sweep; returns their ids."""
    token = uuid.uuid4()
    lease_cutoff = now - timedelta(seconds=_setting("REMINDER_CLAIM_LEASE_SECONDS", 120))
    claimable = Q(state=ReminderState.PENDING, fire_at__lte=now) | Q(
        state=ReminderState.CLAIMED, claimed_at__lt=lease_cutoff
    )
    ids = list(
        Reminder.objects.filter(claimable)
        .order_by("fire_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    # The WHERE is evaluated again on rows another sweep changed meanwhile: one of them wins.
    Reminder.objects.filter(claimable, pk__in=ids).update(
        state=ReminderState.CLAIMED, claimed_at=now, claim_token=token
    )
    return list(
        Reminder.objects.filter(claim_token=token, state=ReminderState.CLAIMED).values_list(
            "pk", flat=True
        )
    )


def _collapse_catch_up(reminders: list[Reminder]) -> tuple[list[Reminder], list[Reminder]]:
    """After missed sweeps several reminders of one deadline can fall due at once: send the
    latest (it says the most, and reaches the furthest up the ladder), skip the older ones.
    The creation notice is always kept."""
    keep: list[Reminder] = []
    skip: list[Reminder] = []
    by_deadline: dict[tuple[int | None, int | None], list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        if reminder.kind == "created":
            keep.append(reminder)
        else:
            by_deadline[(reminder.deadline_id, reminder.action_item_id)].append(reminder)
    for group in by_deadline.values():
        group.sort(key=lambda r: (r.fire_at, r.pk))
        keep.append(group[-1])
        skip.extend(group[:-1])
    return keep, skip


def fan_out(reminder_ids: list[int], *, now: datetime) -> tuple[int, int, int]:
    """Record the deliveries of claimed reminders, in one transaction for the chunk.

    Returns (fanned out, cancelled, deliveries recorded). Re-running it for the same reminders
    (a reclaimed chunk) records nothing twice: deliveries are unique per (reminder, recipient,
    channel), and only reminders still under this claim are marked done.
    """
    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids, state=ReminderState.CLAIMED).select_related(
            "deadline__incident", "action_item__incident"
        )
    )
    keep, skip = _collapse_catch_up(reminders)
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    policies: dict[str, ParsedPolicy] = {}
    people: dict[tuple[object, ...], tuple[list[Any], set[int]]] = {}
    rows: list[Delivery] = []
    stale: dict[str, list[int]] = defaultdict(list)
    done: dict[tuple[str, ...], list[Reminder]] = defaultdict(list)
    repeats: list[Reminder] = []
    task_policy: list[ParsedPolicy] = []
    for reminder in keep:
        if reminder.action_item_id is not None:
            # A task reminder (reminders/action_items.py): its own staleness and recipients.
            item = reminder.of_task
            reason = action_items.stale_reason(reminder, item)
            if reason:
                stale[reason].append(reminder.pk)
                continue
            if not task_policy:
                task_policy.append(action_items.item_policy())
            policy = task_policy[0]
            overdue_by = (reminder.fire_at - item.due_at).total_seconds() if item.due_at else 0
            roles = action_items.item_escalation(policy, overdue_by_seconds=overdue_by)
            users, escalated_ids = action_items.recipients_for_item(item, roles)
        else:
            deadline = reminder.of_deadline
            if not deadline_wants_reminders(deadline):
                stale[f"deadline {deadline.status}"].append(reminder.pk)
                continue
            if reminder.kind != "created" and reminder.due_at != deadline.due_at:
                stale["due time moved"].append(reminder.pk)
                continue
            if deadline.code not in policies:
                policies[deadline.code] = policy_for(deadline)
            policy = policies[deadline.code]
            overdue_by = (
                (reminder.fire_at - deadline.due_at).total_seconds() if deadline.due_at else 0
            )
            roles = escalated_roles(policy, overdue_by_seconds=overdue_by)
            key = (deadline.incident_id, policy.recipient_roles, tuple(roles))
            if key not in people:
                people[key] = recipients_for(deadline, policy, roles)
            users, escalated_ids = people[key]
        rows.extend(_deliveries(reminder, policy, users, escalated_ids, endpoints, bool(roles)))
        done[tuple(roles)].append(reminder)
        following = _following(reminder, policy, now)
        if following is not None:
            repeats.append(following)
    fanned = 0
    with transaction.atomic():
        cancelled = _cancel([r.pk for r in skip], "caught up: a later reminder was sent instead")
        for reason, ids in stale.items():
            cancelled += _cancel(ids, reason)
        # A reclaimed reminder may already have some: the unique constraint keeps the first ones.
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        for roles_done, group in done.items():
            fanned += Reminder.objects.filter(
                pk__in=[r.pk for r in group],
                claim_token__in={r.claim_token for r in group},
                state=ReminderState.CLAIMED,
            ).update(state=ReminderState.DONE, done_at=now, escalated_roles=list(roles_done))
        Reminder.objects.bulk_create(repeats, ignore_conflicts=True)
    return fanned, cancelled, len(rows)


def _deliveries(
    reminder: Reminder,
    policy: ParsedPolicy,
    users: list[Any],
    escalated_ids: set[int],
    endpoints: list[WebhookEndpoint],
    escalated: bool,
) -> list[Delivery]:
    rows: list[Delivery] = []
    for user in users:
        escalation = user.pk in escalated_ids
        if "email" in policy.channels and user.email:
            rows.append(
                Delivery(
                    reminder=reminder,
                    channel=Channel.EMAIL,
                    recipient_key=f"u:{user.pk}",
                    user=user,
                    escalation=escalation,
                )
            )
        if "inapp" in policy.channels:
            rows.append(
                Delivery(
                    reminder=reminder,
                    channel=Channel.IN_APP,
                    recipient_key=f"u:{user.pk}",
                    user=user,
                    escalation=escalation,
                )
            )
    if "webhook" in policy.channels:
        for endpoint in endpoints:
            if endpoint.overdue_only and not reminder.is_overdue_notice:
                continue
            rows.append(
                Delivery(
                    reminder=reminder,
                    channel=Channel.WEBHOOK,
                    recipient_key=f"w:{endpoint.pk}",
                    endpoint=endpoint,
                    escalation=escalated,
                )
            )
    return rows


def _following(reminder: Reminder, policy: ParsedPolicy, now: datetime) -> Reminder | None:
    """The next repetition of an overdue reminder or a 'without delay' nudge."""
    if reminder.kind not in ("overdue", "nudge"):
        return None
    subject = reminder.deadline if reminder.action_item_id is None else reminder.action_item
    if subject is None:  # the check constraint makes this impossible
        return None
    every = policy.overdue_every if reminder.kind == "overdue" else policy.without_delay_every
    anchor = subject.due_at if reminder.kind == "overdue" else subject.created_at
    if not every or anchor is None:
        return None
    following = next_repeat(reminder.kind, anchor, every, now, min_seq=reminder.seq + 1)
    return Reminder(
        deadline=reminder.deadline,
        action_item=reminder.action_item,
        key=following.key,
        kind=following.kind,
        offset_seconds=following.offset_seconds,
        seq=following.seq,
        due_at=following.due_at,
        fire_at=following.fire_at,
    )


def dispatch(
    *, now: datetime, enqueue: Callable[[list[str]], None], batch_size: int | None = None
) -> tuple[int, int]:
    """Hand pending deliveries to senders. Returns (deliveries dispatched, tasks enqueued)."""
    batch_size = batch_size or _setting("REMINDER_BATCH_SIZE", 250)
    lease = timedelta(seconds=_setting("REMINDER_DISPATCH_LEASE_SECONDS", 60))
    ready = claimable_q(now) & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - lease))
    dispatched = tasks = 0
    # One ordered read, then stamp in chunks: re-sorting the backlog per chunk is quadratic.
    candidates = list(
        Delivery.objects.filter(ready)
        .order_by("reminder_id", "digest_id", "channel")
        .values_list("pk", flat=True)[: _setting("REMINDER_DISPATCH_MAX", 50_000)]
    )
    for start in range(0, len(candidates), batch_size):
        ids = candidates[start : start + batch_size]
        token = uuid.uuid4()
        # Conditional again: another sweep may have stamped some of these meanwhile.
        Delivery.objects.filter(ready, pk__in=ids).update(dispatched_at=now, dispatch_token=token)
        mine = [
            str(pk)
            for pk in Delivery.objects.filter(dispatch_token=token).values_list("pk", flat=True)
        ]
        if not mine:
            continue
        try:
            enqueue(mine)
        except Exception:
            # Broker down: these stay stamped and go out after the dispatch lease.
            logger.exception("could not enqueue %s deliveries; the next sweep retries", len(mine))
            break
        dispatched += len(mine)
        tasks += 1
    return dispatched, tasks


def sweep(*, now: datetime | None = None, enqueue: Callable[[list[str]], None]) -> SweepResult:
    """One sweep: claim and fan out due reminders in chunks, dispatching as it goes."""
    started = time.monotonic()
    budget = float(getattr(settings, "REMINDER_SWEEP_BUDGET_SECONDS", 40))
    chunk = _setting("REMINDER_CLAIM_CHUNK", 200)
    result = SweepResult()
    while time.monotonic() - started < budget:
        at = now or timezone.now()
        ids = claim_due_reminders(now=at, limit=chunk)
        if not ids:
            break
        result.claimed += len(ids)
        fanned, cancelled, deliveries = fan_out(ids, now=at)
        result.fanned_out += fanned
        result.cancelled += cancelled
        result.deliveries += deliveries
        sent, tasks = dispatch(now=at, enqueue=enqueue)
        result.dispatched += sent
        result.tasks += tasks
        if len(ids) < chunk:
            break
    sent, tasks = dispatch(now=now or timezone.now(), enqueue=enqueue)
    result.dispatched += sent
    result.tasks += tasks
    return result


__all__ = [
    "DeliveryState",
    "SweepResult",
    "claim_due_reminders",
    "dispatch",
    "fan_out",
    "sweep",
]
