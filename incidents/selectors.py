"""Reads that need permission scoping. Every page, API view and export goes through here."""

from __future__ import annotations

from collections.abc import Collection
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from common.compiled import CompiledValues
from common.roles import is_admin
from incidents.models import (
    Deadline,
    DeadlineQuerySet,
    Incident,
    Membership,
    Notification,
    TimelineEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def visible_incident_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """The ids of the incidents ``user`` may see (owner or member); None for an admin (every
    incident). One small query for a member."""
    if not user.is_authenticated:
        return frozenset()
    if is_admin(user):
        return None
    return frozenset(row["pk"] for row in _VISIBLE_IDS.rows(user_id=user.pk))


def _visible_ids_query(user_id: int) -> QuerySet[Any]:
    owned = Incident.objects.filter(owner_id=user_id).order_by().values("pk")
    return owned.union(Membership.objects.filter(user_id=user_id).order_by().values("incident_id"))


# Every page reads these first: compiled once per process (common/compiled.py).
_VISIBLE_IDS = CompiledValues(_visible_ids_query)


def incidents_visible_to(
    user: User | AnonymousUser, ids: frozenset[int] | EllipsisType | None = ...
) -> QuerySet[Incident]:
    """The incidents ``user`` may see: owner, member, or admin. Anonymous users see none.
    ``ids``, when given, must be ``visible_incident_ids(user)`` (a page that needs them for
    several reads reads them once)."""
    # The ids are read first (one small query) so that the planner sees a literal list with an
    # exact size: with a subquery it guesses half of all incidents and scans whole tables.
    visible = visible_incident_ids(user) if ids is ... else ids
    if visible is None:
        return Incident.objects.all()
    return Incident.objects.filter(pk__in=visible)


def incident_visible_to(user: User | AnonymousUser, **lookup: object) -> QuerySet[Incident]:
    """The incident matching a unique ``lookup`` (reference or pk), if ``user`` may see it, by
    the same rule as ``incidents_visible_to``: for one row the membership test is a subquery of
    the same query (no id list to read first)."""
    if not user.is_authenticated:
        return Incident.objects.none()
    return visible_incident(None if is_admin(user) else user.pk, **lookup)


def visible_incident(member_id: int | None, **lookup: object) -> QuerySet[Incident]:
    """``incident_visible_to`` for the user whose id is ``member_id`` (None: an admin, who sees
    every incident). Takes the id, not the user, so that ``incident_for`` can compile the query
    once with a marker in its place (common/compiled.py)."""
    queryset = Incident.objects.filter(**lookup)
    if member_id is None:
        return queryset
    member = Membership.objects.filter(incident=OuterRef("pk"), user_id=member_id)
    return queryset.filter(Q(owner_id=member_id) | Exists(member))


def deadlines_visible_to(
    user: User | AnonymousUser, ids: frozenset[int] | EllipsisType | None = ...
) -> DeadlineQuerySet:
    """The deadlines of the incidents ``user`` may see; ``ids`` as in ``incidents_visible_to``.
    A member's are filtered by the literal list of incident ids (``incident_id IN (...)``), not a
    subquery over incidents: PostgreSQL probed the incident index once per candidate deadline."""
    return deadlines_of_incidents(visible_incident_ids(user) if ids is ... else ids)


def deadlines_of_incidents(ids: Collection[int] | None) -> DeadlineQuerySet:
    """The deadlines of the incidents ``ids`` (None: every incident), which must be the viewer's
    ``visible_incident_ids``: ``deadlines_visible_to`` once those are read."""
    if ids is None:
        return Deadline.objects.all()  # no pointless semi-join over every incident
    return Deadline.objects.filter(incident_id__in=ids)


def events_of_incidents(ids: Collection[int] | None) -> QuerySet[TimelineEvent]:
    """The timeline events of the incidents ``ids`` (None: every incident), which must be the
    viewer's ``visible_incident_ids``."""
    if ids is None:
        return TimelineEvent.objects.all()
    return TimelineEvent.objects.filter(incident_id__in=ids)


def notifications_for(user: User | AnonymousUser) -> QuerySet[Notification]:
    """``user``'s in-app notifications about incidents they can still see (and those about no
    incident, such as digests). Removed from an incident, a member no longer reads its
    notifications; the rows stay for the record. One query: the visibility test is a subquery."""
    if not user.is_authenticated:
        return Notification.objects.none()
    mine = Notification.objects.filter(user=user)
    if is_admin(user):
        return mine
    member = Membership.objects.filter(incident=OuterRef("incident"), user=user)
    return mine.filter(Q(incident__isnull=True) | Q(incident__owner=user) | Exists(member))


def unread_notification_counts() -> dict[str, Coalesce]:
    """For a query over users (the per-request read of the signed-in user): each user's unread
    notifications as two counts, ``unread_all`` (an admin's, ``notifications_for`` does not
    filter them) and ``unread_visible`` (about incidents the user can still see, or about no
    incident), by the same rule as ``notifications_for``."""
    user = OuterRef("pk")
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    member = Membership.objects.filter(incident=OuterRef("incident"), user=OuterRef(user))
    visible = unread.filter(Q(incident__isnull=True) | Q(incident__owner=user) | Exists(member))

    def count(rows: QuerySet[Notification]) -> Coalesce:
        per_user = rows.order_by().values("user").annotate(n=Count("pk")).values("n")[:1]
        return Coalesce(Subquery(per_user), 0)

    return {"unread_all": count(unread), "unread_visible": count(visible)}
