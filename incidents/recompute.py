"""Catalogue and calendar edits reach the open deadlines they can move.

``regulators`` knows nothing about incidents, so it cannot call the scheduler. Instead this module
listens: ``IncidentsConfig.ready()`` connects ``catalogue_saved`` / ``catalogue_deleted`` to the
model signals of ``Obligation``, ``Calendar`` and ``CalendarClosure``. Model signals (rather than
calls from the admin and the API) are the one hook every door passes: the admin, its inlines, the
API, ``load_catalogue`` and a shell. The receiver does no work itself: it starts the Celery task
``incidents.tasks.recompute_open_deadlines`` once the edit is committed
(``transaction.on_commit``, by task name), so a rolled-back edit moves nothing and the admin page
stays fast.

The task (and ``manage.py recompute_deadlines``) calls ``open_deadlines_recompute``, which runs the
ordinary scheduler (``deadlines_schedule_for``) for each affected incident, limited to the
obligations the edit can reach. So the usual rules hold: each moved due time is recorded as a
``DeadlineRecomputation`` with the reason ("closure 2031-03-05 added to US-EDGAR"), reminders are
re-synced, and a filed deadline's frozen verdict stays frozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from celery import current_app
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model, Q
from django.db.models.signals import post_delete, post_save

from incidents.deadlines import deadlines_schedule_for
from incidents.models import Deadline, DeadlineStatus, Incident
from incidents.triggers import REQUEST_CODE, Scope
from regulators.models import Calendar, CalendarClosure, Obligation

RECOMPUTE_TASK = "incidents.tasks.recompute_open_deadlines"


@dataclass(frozen=True)
class Moved:
    """One deadline whose due time (or status) a recomputation changed."""

    reference: str
    code: str
    entity: str
    old_due: datetime | None
    new_due: datetime | None
    status: str
    reason: str


def _scope(rule: str | None, calendar: str | None) -> Scope:
    if rule is None and calendar is None:
        return Scope.everything()
    codes: set[str] = set()
    requests = False
    if rule is not None:
        if rule == REQUEST_CODE:
            requests = True
        else:
            codes.add(rule)
    if calendar is not None:
        codes |= set(
            Obligation.objects.filter(calendar__code=calendar).values_list("code", flat=True)
        )
        requests = requests or (
            Deadline.objects.filter(code=REQUEST_CODE, adhoc_spec__calendar=calendar).exists()
        )
    return Scope(codes=frozenset(codes), requests=requests)


def _incidents(scope: Scope, rule: str | None, reference: str | None) -> list[Incident]:
    incidents = Incident.objects.all()
    if reference is not None:
        return list(incidents.filter(reference=reference))
    if rule is not None and rule != REQUEST_CODE:
        # A rule edit can start clocks an incident does not have yet (a new obligation, a wider
        # condition), so every incident with an entity is looked at, not only those with one.
        return list(incidents.filter(entities__isnull=False).distinct().order_by("id"))
    if scope.codes is None:
        return list(incidents.order_by("id"))
    # A calendar moves only clocks that exist: incidents with an open deadline it counts.
    affected = Q(code__in=scope.codes)
    if scope.requests:
        affected |= Q(code=REQUEST_CODE)
    ids = Deadline.objects.filter(affected, status=DeadlineStatus.OPEN).values("incident_id")
    return list(incidents.filter(pk__in=ids).order_by("id"))


def open_deadlines_recompute(
    *,
    reason: str,
    rule: str | None = None,
    calendar: str | None = None,
    reference: str | None = None,
    changed_by: User | None = None,
    dry_run: bool = False,
) -> list[Moved]:
    """Recompute the deadlines that ``rule`` (an obligation code) or ``calendar`` (a calendar
    code) can move, on every incident or the one with ``reference``. Returns what moved; with
    ``dry_run`` nothing is kept (the work is rolled back)."""
    scope = _scope(rule, calendar)
    moved: list[Moved] = []
    with transaction.atomic():
        for incident in _incidents(scope, rule, reference):
            before = {
                d.pk: (d.due_at, d.status)
                for d in Deadline.objects.filter(incident=incident)
                if scope.includes(d.code)
            }
            changed = deadlines_schedule_for(
                incident=incident, changed_by=changed_by, reason=reason, scope=scope
            )
            for deadline in changed:
                old_due, old_status = before.get(deadline.pk, (None, ""))
                if deadline.pk in before and (old_due, old_status) == (
                    deadline.due_at,
                    deadline.status,
                ):
                    continue  # e.g. only the explanation's wording changed
                moved.append(
                    Moved(
                        reference=incident.reference,
                        code=deadline.code,
                        entity=deadline.legal_entity.name,
                        old_due=old_due,
                        new_due=deadline.due_at,
                        status=deadline.status if deadline.pk in before else "new",
                        reason=reason,
                    )
                )
        if dry_run:
            transaction.set_rollback(True)
    return moved


# --- the hook ---------------------------------------------------------------------------------


def _change_of(instance: Model, created: bool | None) -> tuple[dict[str, str], str] | None:
    """(task arguments, reason) for a saved or deleted catalogue row; ``created`` is None for a
    deletion."""
    verb = "added" if created else ("removed" if created is None else "changed")
    if isinstance(instance, Obligation):
        return (
            {"rule": instance.code},
            f"obligation {instance.code} v{instance.version} {verb}",
        )
    if isinstance(instance, Calendar):
        return {"calendar": instance.code}, f"calendar {instance.code} {verb}"
    if isinstance(instance, CalendarClosure):
        code = instance.calendar.code
        preposition = {"added": "to", "removed": "from"}.get(verb, "in")
        return (
            {"calendar": code},
            f"{instance.kind} day {instance.day.isoformat()} {verb} {preposition} {code}"
            if instance.kind != CalendarClosure.Kind.CLOSED
            else f"closure {instance.day.isoformat()} {verb} {preposition} {code}",
        )
    return None


def _enqueue(instance: Model, created: bool | None) -> None:
    change = _change_of(instance, created)
    if change is None:
        return
    arguments, reason = change
    # By name: incidents.tasks imports this module (the task body is open_deadlines_recompute),
    # so importing the task here would be a cycle; send_task needs no import at all.
    transaction.on_commit(
        partial(current_app.send_task, RECOMPUTE_TASK, kwargs={"reason": reason, **arguments})
    )


def catalogue_saved(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loaddata: fixtures are not edits
    _enqueue(instance, created)


def catalogue_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    _enqueue(instance, None)


def connect() -> None:
    """Called once from ``IncidentsConfig.ready()``."""
    for model in (Obligation, Calendar, CalendarClosure):
        post_save.connect(catalogue_saved, sender=model, dispatch_uid=f"recompute-{model}")
        post_delete.connect(catalogue_deleted, sender=model, dispatch_uid=f"recompute-d-{model}")


__all__ = ["Moved", "connect", "open_deadlines_recompute"]
