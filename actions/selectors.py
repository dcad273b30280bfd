"""Reads of action items, scoped by need-to-know (incidents.selectors)."""

from __future__ import annotations

from collections.abc import Collection
from types import EllipsisType
from typing import TYPE_CHECKING

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from actions.models import ActionItem, ActionStatus
from common.roles import is_admin
from incidents.models import Incident, IncidentStatus, Membership
from incidents.selectors import incidents_visible_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# What a list shows with each item, in a fixed number of queries.
_RELATED = (
    "owner",
    "deadline",
    "deadline__regulator",
    "deadline__obligation",
    "event",
    "incident",
)


def action_items_for(incident: Incident) -> QuerySet[ActionItem]:
    """An incident's items (the caller has checked that the user may see the incident): open
    first by due time (no due time last), then done and cancelled."""
    return (
        ActionItem.objects.filter(incident=incident)
        .select_related(*_RELATED)
        .annotate(
            _rank=Case(
                When(status=ActionStatus.OPEN, then=Value(0)),
                When(status=ActionStatus.DONE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("_rank", F("due_at").asc(nulls_last=True), "id")
    )


def action_items_visible_to(user: User | AnonymousUser) -> QuerySet[ActionItem]:
    if not user.is_authenticated:
        return ActionItem.objects.none()
    if is_admin(user):
        return ActionItem.objects.all()
    return ActionItem.objects.filter(incident__in=incidents_visible_to(user))


def open_action_items_owned(
    owner_id: int, ids: Collection[int] | None, *, related: tuple[str, ...] = _RELATED
) -> QuerySet[ActionItem]:
    """``my_open_action_items`` once the owner's ``visible_incident_ids`` are read (None: an
    admin, every incident). Built from its arguments only (common/compiled.py)."""
    mine = ActionItem.objects.filter(owner_id=owner_id, status=ActionStatus.OPEN)
    if ids is not None:
        mine = mine.filter(incident_id__in=ids)
    if related:  # select_related() with no names would follow every foreign key
        mine = mine.select_related(*related)
    return mine.exclude(incident__status=IncidentStatus.CLOSED).order_by(
        F("due_at").asc(nulls_last=True), "id"
    )


def my_open_action_items(
    user: User | AnonymousUser,
    ids: frozenset[int] | EllipsisType | None = ...,
    *,
    related: tuple[str, ...] = _RELATED,
) -> QuerySet[ActionItem]:
    """The "My tasks" panel: open items ``user`` owns, on incidents they may still see (a member
    removed from an incident no longer sees its tasks), soonest due first. ``ids``, when given,
    must be ``visible_incident_ids(user)`` (the dashboard has read them already); ``related``
    are the rows to join (the dashboard's panel needs fewer than the API)."""
    if not user.is_authenticated:
        return ActionItem.objects.none()
    if ids is not ...:
        return open_action_items_owned(user.pk, ids, related=related)
    mine = ActionItem.objects.filter(owner=user, status=ActionStatus.OPEN)
    if not is_admin(user):
        # One query (the dashboard's bound): the visibility test is a subquery here, not the
        # id list incidents_visible_to reads first.
        member = Membership.objects.filter(incident=OuterRef("incident"), user=user)
        mine = mine.filter(Q(incident__owner=user) | Exists(member))
    return (
        mine.exclude(incident__status=IncidentStatus.CLOSED)
        .select_related(*related)
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )
