"""Task reminders: the reminders of action items (issue 16), on the deadline machinery.

An action item's reminders are ``Reminder`` rows with ``action_item`` set instead of
``deadline``; they are planned by the same ``policy.plan``, claimed by the same sweep, fanned out
into the same ``Delivery`` rows and sent by the same senders, so the exactly-once guarantee of
docs/reminders.md holds for them unchanged. What differs is said here:

- policy: the ``ReminderPolicy`` row ``action-item`` if an admin made one, else the global
  default; "without delay" nudges do not apply (an item without a due time gets only the
  assignment notice);
- recipients: the item's owner (a task is personal, the policy's member roles are not used);
  once overdue, the incident's owner and its compliance members are added (escalation), and the
  ladder's roles too when an ``action-item`` policy row sets one;
- an item wants reminders while it is open and its incident is not closed; completing,
  cancelling or closing the incident cancels them (reopening either plans them again).

Need-to-know holds: only people who can see the incident are reminded.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import ActionItem, ActionStatus
from common.roles import Role, users_with_roles
from incidents.models import IncidentStatus
from reminders.channels import Content, format_local, incident_url, relative_due
from reminders.models import Reminder, ReminderPolicy
from reminders.policy import ParsedPolicy, escalated_roles, parse_policy
from reminders.services import INCIDENT_CLOSED, Schedule, sync_schedule

logger = logging.getLogger(__name__)

POLICY_CODE = "action-item"
# Who an overdue task escalates to, besides the ladder of an ``action-item`` policy row.
INCIDENT_OWNER = "incident-owner"
TASK_ESCALATION = (INCIDENT_OWNER, Role.COMPLIANCE.value)
# Reopening a done or cancelled task (or its closed incident) plans these again.
REVIVABLE = frozenset({INCIDENT_CLOSED, "task done", "task cancelled"})


def item_policy() -> ParsedPolicy:
    """The ``action-item`` row, else the global default row's offsets without its escalation
    ladder (a task escalates to the incident's owner and compliance, not to legal)."""
    rows = {
        r.obligation_code: r
        for r in ReminderPolicy.objects.filter(obligation_code__in=[POLICY_CODE, ""])
    }
    row = rows.get(POLICY_CODE) or rows.get("")
    try:
        policy = parse_policy(row)
    except ValueError:
        logger.exception("invalid reminder policy %s; using the built-in default", row)
        policy = parse_policy(None)
    ladder = policy.escalation if POLICY_CODE in rows else ()
    return dataclasses.replace(policy, without_delay_every=None, escalation=ladder)


def item_wants_reminders(item: ActionItem) -> bool:
    return item.status == ActionStatus.OPEN and item.incident.status != IncidentStatus.CLOSED


def _status_reason(item: ActionItem) -> str:
    if item.status == ActionStatus.OPEN and item.incident.status == IncidentStatus.CLOSED:
        return INCIDENT_CLOSED
    return f"task {item.status}"


def stale_reason(reminder: Reminder, item: ActionItem) -> str | None:
    """Why a task reminder must not go out now (None: it may)."""
    if not item_wants_reminders(item):
        return _status_reason(item)
    if reminder.kind != "created" and reminder.due_at != item.due_at:
        return "due time moved"
    return None


def sync_item(item: ActionItem, now: datetime) -> list[Reminder]:
    wants = item_wants_reminders(item)
    return sync_schedule(
        Schedule(
            owner={"action_item": item},
            wants=wants,
            reason="" if wants else _status_reason(item),
            due_at=item.due_at,
            trigger_at=item.created_at,
            created_at=item.created_at,
            policy=item_policy,
            revivable=REVIVABLE,
        ),
        now,
    )


def sync_items_of(incident: Any, now: datetime) -> list[Reminder]:
    pending: list[Reminder] = []
    for item in ActionItem.objects.filter(incident=incident).select_related("incident"):
        pending.extend(sync_item(item, now))
    return pending


def reminders_resync_tasks(*, now: datetime | None = None) -> int:
    """Re-plan every open task (after a policy change); returns how many."""
    count = 0
    items = ActionItem.objects.filter(status=ActionStatus.OPEN).select_related("incident")
    for item in items.iterator(chunk_size=200):
        sync_item(item, now or timezone.now())
        count += 1
    return count


def item_escalation(policy: ParsedPolicy, *, overdue_by_seconds: float) -> list[str]:
    if overdue_by_seconds <= 0:
        return []
    roles = list(TASK_ESCALATION)
    for role in escalated_roles(policy, overdue_by_seconds=overdue_by_seconds):
        if role not in roles:
            roles.append(role)
    return roles


def recipients_for_item(item: ActionItem, escalate_to: list[str]) -> tuple[list[Any], set[int]]:
    """(users, ids reached only by escalation), each able to see the incident."""
    UserModel = get_user_model()
    incident = item.incident
    can_see = (
        Q(pk=incident.owner_id) | Q(memberships__incident=incident) | users_with_roles([Role.ADMIN])
    )
    base = {u.pk: u for u in UserModel.objects.filter(can_see, pk=item.owner_id, is_active=True)}
    extra: dict[int, Any] = {}
    for role in escalate_to:
        if role == INCIDENT_OWNER:
            query = Q(pk=incident.owner_id)
        elif role == Role.ADMIN:
            query = users_with_roles([Role.ADMIN])
        else:
            query = Q(memberships__incident=incident) & users_with_roles([role])
        for user in UserModel.objects.filter(query, is_active=True).distinct():
            if user.pk not in base:
                extra[user.pk] = user
    users = sorted([*base.values(), *extra.values()], key=lambda u: u.pk)
    return users, set(extra)


# -- content -------------------------------------------------------------------------------------


def _headline(reminder: Reminder, item: ActionItem, now: datetime, language: str) -> str:
    ko = language == "ko"
    if reminder.kind == "created":
        prefix = "새 작업이 배정되었습니다" if ko else "New task for you"
        if item.due_at is None:
            return prefix
        return f"{prefix} — {relative_due(item.due_at - now, language)}"
    if item.due_at is None:
        return "작업 알림" if ko else "Task reminder"
    prefix = "작업" if ko else "Task"
    return f"{prefix}: {relative_due(item.due_at - now, language)}"


def item_content(
    reminder: Reminder,
    item: ActionItem,
    *,
    language: str,
    zone: str,
    escalation: bool,
    now: datetime,
) -> Content:
    """Subject, text, HTML, title and URL of one task reminder, in the recipient's language."""
    incident = item.incident
    headline = _headline(reminder, item, now, language)
    url = incident_url(incident) + "#action-items"
    context = {
        "lang": language,
        "headline": headline,
        "item": item,
        "incident": incident,
        "owner": item.owner.get_full_name() or item.owner.get_username(),
        "due_local": format_local(item.due_at, zone) if item.due_at else "",
        "sent_local": format_local(now, zone),
        "escalation": escalation,
        "url": url,
        "zone": zone,
    }
    prefix = "[인시던트 클락]" if language == "ko" else "[Incident Clock]"
    escalated = (" — 에스컬레이션" if language == "ko" else " — escalation") if escalation else ""
    subject = f"{prefix} {headline}: {item.title} ({incident.reference}){escalated}"
    return Content(
        subject=subject[:250],
        text=render_to_string("emails/task_reminder.txt", context),
        html=render_to_string("emails/task_reminder.html", context),
        title=f"{headline}: {item.title}"[:300],
        url=url,
    )


def item_webhook_payload(delivery: Any, reminder: Reminder, content: Content) -> dict[str, Any]:
    """The deadline payload's shape (Slack-compatible), with ``action_item`` for ``deadline``."""
    item = reminder.action_item
    if item is None:  # the check constraint makes this impossible for a task reminder
        raise ValueError(f"reminder {reminder.pk} has no action item")
    reference = item.incident.reference
    return {
        "text": f"{content.title} — {reference} <{content.url}|open>",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{content.title}*"}},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"{reference} · <{content.url}|open task>"}
                ],
            },
        ],
        "delivery_id": str(delivery.pk),
        "reminder": {"id": reminder.pk, "kind": reminder.kind, "key": reminder.key},
        "action_item": {
            "id": item.pk,
            "title": item.title,
            "owner": item.owner.get_username(),
            "due_at": item.due_at.isoformat() if item.due_at else None,
            "deadline": item.deadline_id,
        },
        "incident": reference,
        "escalation": delivery.escalation,
    }
