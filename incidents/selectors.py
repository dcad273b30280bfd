"""Reads that need permission scoping. Every page, API view and export goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from incidents.models import Deadline, DeadlineQuerySet, Incident, Membership
from incidents.roles import is_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def incidents_visible_to(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The incidents ``user`` may see: owner, member, or admin. Anonymous users see none."""
    if not user.is_authenticated:
        return Incident.objects.none()
    if is_admin(user):
        return Incident.objects.all()
    member = Membership.objects.filter(incident=OuterRef("pk"), user=user)
    return Incident.objects.filter(Q(owner=user) | Exists(member))


def deadlines_visible_to(user: User | AnonymousUser) -> DeadlineQuerySet:
    return Deadline.objects.filter(incident__in=incidents_visible_to(user))
