"""Writes for action items. The web pages, the API and the JSON import all call these.

Rules that live here and nowhere else:

- who may write: the roles that may record on an incident (``Action.RECORD``) and can see it;
- the owner must be able to see the incident (its owner, a member, or an admin) and be active;
- the due time is aware (stored UTC);
- an item links only to a deadline, or a regulator request or order event, of its own incident;
- a concurrent edit is refused (``expected_version``, compare-and-set under ``select_for_update``);
- status moves: open -> done | cancelled (with a reason) -> open again (reopen).

Every write is recorded by django-simple-history, which feeds the audit hash chain
(audit/signals.py), and sends ``actions.signals.action_items_changed`` so that reminders keeps the
item's schedule in step in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actions.models import ActionItem, ActionStatus
from actions.signals import action_items_changed
from common.concurrency import check_version, lock
from common.roles import Action, has_right, is_admin
from incidents.followups import ORDER_TRIGGERS
from incidents.models import (
    Applicability,
    Deadline,
    DeadlineStatus,
    EventKind,
    Incident,
    Membership,
    TimelineEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Timeline events an item may answer: a regulator request, or an order or notice with an answer
# clock (incidents/followups.py).
LINKABLE_EVENT_KINDS = frozenset({EventKind.REGULATOR_REQUEST.value, *ORDER_TRIGGERS})
EDITABLE_FIELDS = frozenset({"title", "description", "owner", "due_at", "deadline", "event"})
TITLE_MAX = 300
# The catalogue's recipient for notices to the people whose data leaked (not a regulator).
DATA_SUBJECTS = "DATA-SUBJECTS"


def can_see_incident(user: User | AnonymousUser, incident: Incident) -> bool:
    """Need-to-know for one incident: its owner, a member, or an admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user) or incident.owner_id == user.pk:
        return True
    return Membership.objects.filter(incident=incident, user_id=user.pk).exists()


def can_write(user: User | AnonymousUser, incident: Incident) -> bool:
    return has_right(user, Action.RECORD) and can_see_incident(user, incident)


def _require_writer(user: User | AnonymousUser | None, incident: Incident) -> None:
    # ``None``: a system caller (the JSON import, demo data) that has checked rights itself.
    if user is not None and not can_write(user, incident):
        raise PermissionDenied(_("Your role does not allow this."))


def _clean_title(title: Any) -> str:
    text = " ".join(str(title or "").split())
    if not text:
        raise ValidationError({"title": _("Give the task a title.")})
    if len(text) > TITLE_MAX:
        raise ValidationError({"title": _("At most %(n)s characters, please.") % {"n": TITLE_MAX}})
    return text


def _check_owner(owner: Any, incident: Incident) -> None:
    if owner is None:
        raise ValidationError({"owner": _("Choose who owns the task.")})
    if not can_see_incident(owner, incident):
        raise ValidationError(
            {
                "owner": _(
                    "The owner must be able to see this incident (its owner, a member or an admin)."
                )
            }
        )


def _check_due(due_at: datetime | None) -> None:
    if due_at is not None and timezone.is_naive(due_at):
        raise ValidationError({"due_at": _("Give a time zone or a UTC offset with the time.")})


def _check_links(
    incident: Incident, deadline: Deadline | None, event: TimelineEvent | None
) -> None:
    if deadline is not None and deadline.incident_id != incident.pk:
        raise ValidationError({"deadline": _("That deadline belongs to another incident.")})
    if event is not None:
        if event.incident_id != incident.pk:
            raise ValidationError({"event": _("That event belongs to another incident.")})
        if event.kind not in LINKABLE_EVENT_KINDS:
            raise ValidationError(
                {"event": _("A task can answer a regulator request or order, not this event.")}
            )


def _changed(item: ActionItem) -> None:
    action_items_changed.send(sender=ActionItem, item=item)


def _as_actor(item: ActionItem, by: Any) -> None:
    # django-simple-history takes the request's user; outside a request (API token, import,
    # command) the acting user is given to it here, so the audit chain names them.
    if by is not None:
        item._history_user = by  # type: ignore[attr-defined]


@transaction.atomic
def action_item_create(
    *,
    incident: Incident,
    title: str,
    owner: User,
    created_by: User,
    description: str = "",
    due_at: datetime | None = None,
    deadline: Deadline | None = None,
    event: TimelineEvent | None = None,
    suggestion_key: str = "",
    check_rights: bool = True,
) -> ActionItem:
    _require_writer(created_by if check_rights else None, incident)
    clean_title = _clean_title(title)
    _check_owner(owner, incident)
    _check_due(due_at)
    _check_links(incident, deadline, event)
    item = ActionItem(
        incident=incident,
        title=clean_title,
        description=str(description or "").strip(),
        owner=owner,
        due_at=due_at,
        deadline=deadline,
        event=event,
        suggestion_key=suggestion_key,
        created_by=created_by,
    )
    _as_actor(item, created_by)
    item.save()
    _changed(item)
    return item


def _locked(item: ActionItem, expected_version: str | None) -> ActionItem:
    fresh = lock(ActionItem, item.pk)
    check_version(fresh, expected_version)
    return fresh


def _refresh_copy(copy: ActionItem, fresh: ActionItem) -> None:
    # Callers keep using the instance they passed in: bring it up to date with what was saved.
    if copy is not fresh:
        for field in fresh._meta.concrete_fields:
            setattr(copy, field.attname, getattr(fresh, field.attname))


@transaction.atomic
def action_item_update(
    *,
    item: ActionItem,
    changed_by: User,
    expected_version: str | None = None,
    **changes: Any,
) -> ActionItem:
    """Edit an item's title, description, owner, due time or links. Only fields given change."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fresh = _locked(item, expected_version)
    _require_writer(changed_by, fresh.incident)
    incident = fresh.incident
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    if "owner" in changes:
        _check_owner(changes["owner"], incident)
    if "due_at" in changes:
        _check_due(changes["due_at"])
    _check_links(
        incident, changes.get("deadline", fresh.deadline), changes.get("event", fresh.event)
    )
    changed = [name for name, value in changes.items() if getattr(fresh, name) != value]
    if not changed:
        _refresh_copy(item, fresh)
        return fresh
    for name in changed:
        setattr(fresh, name, changes[name])
    _as_actor(fresh, changed_by)
    fresh.save()
    _refresh_copy(item, fresh)
    _changed(fresh)
    return fresh


def _set_status(
    item: ActionItem,
    *,
    by: User,
    status: str,
    allowed_from: Iterable[str],
    reason: str = "",
    expected_version: str | None = None,
) -> ActionItem:
    fresh = _locked(item, expected_version)
    _require_writer(by, fresh.incident)
    if fresh.status == status:
        _refresh_copy(item, fresh)
        return fresh  # already there: repeating a request changes nothing
    if fresh.status not in allowed_from:
        raise ValidationError(
            {
                "status": _("A task that is %(old)s cannot become %(new)s.")
                % {"old": ActionStatus(fresh.status).label, "new": ActionStatus(status).label}
            }
        )
    fresh.status = status
    fresh.status_reason = reason
    fresh.completed_at = timezone.now() if status == ActionStatus.DONE else None
    _as_actor(fresh, by)
    fresh.save()
    _refresh_copy(item, fresh)
    _changed(fresh)
    return fresh


@transaction.atomic
def action_item_complete(
    *, item: ActionItem, by: User, note: str = "", expected_version: str | None = None
) -> ActionItem:
    return _set_status(
        item,
        by=by,
        status=ActionStatus.DONE,
        allowed_from=[ActionStatus.OPEN],
        reason=str(note or "").strip(),
        expected_version=expected_version,
    )


@transaction.atomic
def action_item_cancel(
    *, item: ActionItem, by: User, reason: str, expected_version: str | None = None
) -> ActionItem:
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why the task is cancelled.")})
    return _set_status(
        item,
        by=by,
        status=ActionStatus.CANCELLED,
        allowed_from=[ActionStatus.OPEN],
        reason=text,
        expected_version=expected_version,
    )


@transaction.atomic
def action_item_reopen(
    *, item: ActionItem, by: User, expected_version: str | None = None
) -> ActionItem:
    return _set_status(
        item,
        by=by,
        status=ActionStatus.OPEN,
        allowed_from=[ActionStatus.DONE, ActionStatus.CANCELLED],
        expected_version=expected_version,
    )


# -- suggested from a deadline -------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    due_at: datetime | None
    deadline: Deadline


def suggestion_key_for(deadline: Deadline) -> str:
    return f"deadline:{deadline.pk}"


def _deadline_title(deadline: Deadline, korean: bool) -> str:
    obligation = deadline.obligation
    if obligation is not None:
        return obligation.title_ko if korean else obligation.title_en
    if " / " in deadline.title:
        en, ko = deadline.title.split(" / ", 1)
        return ko if korean else en
    return deadline.title


def suggestion_title(deadline: Deadline) -> str:
    """In the active language: "Prepare the report to KISA: ..." / "KISA 신고 준비: ..."."""
    korean = (get_language() or "").startswith("ko")
    what = _deadline_title(deadline, korean)
    regulator = deadline.regulator
    if regulator is not None and regulator.code.upper() == DATA_SUBJECTS:
        text = _("Prepare the notice to the people affected: %(deadline)s") % {"deadline": what}
    elif regulator is not None:
        name = regulator.name_ko if korean else regulator.name_en
        text = _("Prepare the report to %(regulator)s: %(deadline)s") % {
            "regulator": name,
            "deadline": what,
        }
    else:
        text = _("Prepare: %(deadline)s") % {"deadline": what}
    return text[:TITLE_MAX]


def _suggested_due(deadline: Deadline) -> datetime | None:
    # The internal target, when the team set one before the legal due time, is the real one.
    target, due = deadline.internal_target_at, deadline.due_at
    if target is not None and (due is None or target < due):
        return target
    return due


def action_suggestions_for(*, incident: Incident) -> list[Suggestion]:
    """One suggestion per open, applicable deadline that no item (whatever its status) was
    created from yet: a cancelled suggestion is not offered again. Two queries."""
    taken = set(
        ActionItem.objects.filter(incident=incident)
        .exclude(suggestion_key="")
        .values_list("suggestion_key", flat=True)
    )
    deadlines = (
        Deadline.objects.filter(incident=incident, status=DeadlineStatus.OPEN)
        .exclude(applicability=Applicability.DOES_NOT_APPLY)
        .select_related("regulator", "obligation")
        .by_urgency()
    )
    return [
        Suggestion(suggestion_key_for(d), suggestion_title(d), _suggested_due(d), d)
        for d in deadlines
        if suggestion_key_for(d) not in taken
    ]


@transaction.atomic
def action_items_create_suggested(
    *, incident: Incident, by: User, keys: Iterable[str] | None = None
) -> list[ActionItem]:
    """Create the suggested items (all, or those whose key is in ``keys``). Idempotent: a
    suggestion already taken, by this call or a concurrent one, is skipped (unique constraint
    on (incident, suggestion_key))."""
    _require_writer(by, incident)
    wanted = set(keys) if keys is not None else None
    owner = incident.owner if can_see_incident(incident.owner, incident) else by
    created: list[ActionItem] = []
    for suggestion in action_suggestions_for(incident=incident):
        if wanted is not None and suggestion.key not in wanted:
            continue
        try:
            with transaction.atomic():
                created.append(
                    action_item_create(
                        incident=incident,
                        title=suggestion.title,
                        owner=owner,
                        created_by=by,
                        due_at=suggestion.due_at,
                        deadline=suggestion.deadline,
                        suggestion_key=suggestion.key,
                        check_rights=False,
                    )
                )
        except IntegrityError:
            continue  # created meanwhile by someone else
    return created
