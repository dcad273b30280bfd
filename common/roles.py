"""Roles (Django groups) and what each may do. The matrix is documented in docs/access.md.

Visibility (need-to-know) is separate from rights: ``incidents.selectors.incidents_visible_to``
decides *which* incidents a user may see at all; this module decides *what* they may do there.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Role(StrEnum):
    VIEWER = "viewer"
    COMPLIANCE = "compliance"
    LEGAL = "legal"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW = "view"
    RECORD = "record"  # timeline events, count revisions, filings, regulator requests
    EXPORT = "export"
    MARK_NOT_APPLICABLE = "mark_not_applicable"
    APPROVE = "approve"
    MANAGE = "manage"  # incident settings, members, rules, calendars, users
    AUDIT = "audit"  # read an incident's audit trail and verify the chain


MATRIX: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.COMPLIANCE: frozenset({Action.VIEW, Action.RECORD}),
    Role.LEGAL: frozenset(
        {Action.VIEW, Action.EXPORT, Action.MARK_NOT_APPLICABLE, Action.APPROVE, Action.AUDIT}
    ),
    Role.ADMIN: frozenset(Action),
}


# A superuser holds this role whatever their groups; roles_of and users_with_roles both use it.
SUPERUSER_ROLE = Role.ADMIN


def roles_of(user: User | AnonymousUser) -> set[Role]:
    if not user.is_authenticated:
        return set()
    if getattr(user, "is_superuser", False):
        return {SUPERUSER_ROLE}
    # Cached on the user object: pages check several rights per request.
    cached: set[Role] | None = getattr(user, "_incident_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        cached = {role for role in Role if role.value in names}
        remember_roles(user, cached)
    return cached


def remember_roles(user: User | AnonymousUser, roles: set[Role]) -> None:
    """Keep ``roles`` on the user object for ``roles_of`` (the sign-in backend reads them with
    the user; ``common.services.user_staff_sync`` forgets them when they change)."""
    user._incident_roles = roles  # type: ignore[union-attr,attr-defined]


def is_admin(user: User | AnonymousUser) -> bool:
    return Role.ADMIN in roles_of(user)


def has_right(user: User | AnonymousUser, action: Action) -> bool:
    """Whether any of the user's roles grants ``action`` (visibility is checked separately)."""
    return any(action in MATRIX[role] for role in roles_of(user))


def users_with_roles(roles: Iterable[str]) -> Q:
    """A user filter matching exactly the users for whom ``roles_of`` holds any of ``roles``
    (group membership by role name; superusers for the admin role)."""
    names = {str(role) for role in roles}
    query = Q(groups__name__in=sorted(names & {role.value for role in Role}))
    if SUPERUSER_ROLE.value in names:
        query |= Q(is_superuser=True)
    return query
