"""Reads that need permission scoping. Every page, API view and export goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from common.roles import is_admin
from incidents.models import Deadline, DeadlineQuerySet, Incident, Membership, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def incidents_visible_to(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The incidents ``user`` may see: owner, member, or admin. Anonymous users see none."""
    if not user.is_authenticated:
        return Incident.objects.none()
    if is_admin(user):
        return Incident.objects.all()
    # The ids are read first (one small query) so that the planner sees a literal list with an
    # exact size: with a subquery it guesses half of all incidents and scans whole tables.
    owned = Incident.objects.filter(owner=user).order_by().values_list("pk", flat=True)
    member_of = (
        Membership.objects.filter(user=user).order_by().values_list("incident_id", flat=True)
    )
    ids = set(owned.union(member_of))
    return Incident.objects.filter(pk__in=ids)


def incident_visible_to(user: User | AnonymousUser, **lookup: object) -> QuerySet[Incident]:
    """The incident matching a unique ``lookup`` (reference or pk), if ``user`` may see it, by
    the same rule as ``incidents_visible_to``: for one row the membership test is a subquery of
    the same query (no id list to read first)."""
    if not user.is_authenticated:
        return Incident.objects.none()
    queryset = Incident.objects.filter(**lookup)
    if is_admin(user):
        return queryset
    member = Membership.objects.filter(incident=OuterRef("pk"), user=user)
    return queryset.filter(Q(owner=user) | Exists(member))


def deadlines_visible_to(
    user: User | AnonymousUser, incidents: QuerySet[Incident] | None = None
) -> DeadlineQuerySet:
    """The deadlines of the incidents ``user`` may see. ``incidents``, when given, must be
    ``incidents_visible_to(user)`` (a page that has it already saves reading the ids again)."""
    if user.is_authenticated and is_admin(user):
        return Deadline.objects.all()  # no pointless semi-join over every incident
    visible = incidents if incidents is not None else incidents_visible_to(user)
    return Deadline.objects.filter(incident__in=visible)


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
