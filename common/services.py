"""Writes about people's roles (``common.roles``), shared by every door that gives or takes one:
the users page of the admin site (``accounts.admin``), the ``user_roles``, ``ensure_admin`` and
``load_demo`` commands, and the SSO sign-in's role mapping (``accounts.oidc_users``).

The rule kept here: **staff status follows the admin role.** The Django admin site lets in only
staff users, so a user who holds the ``admin`` role (or is a superuser) is staff, and a user
who loses it stops being staff, unless they are a superuser. Staff status given by hand to a
user without the admin role is taken away at the next role change, for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.roles import Role, is_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ROLE_NAMES = frozenset(role.value for role in Role)


def user_staff_sync(user: User) -> bool:
    """Give or take staff status as the user's roles say; returns whether it changed."""
    user.__dict__.pop("_incident_roles", None)  # roles_of caches per user object
    staff = bool(user.is_superuser) or is_admin(user)
    if user.is_staff == staff:
        return False
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    return True


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str]) -> tuple[set[str], set[str]]:
    """Make the user's role groups exactly ``roles`` (other Django groups stay) and staff status
    follow. Returns the roles before and after. An unknown role name is a ValidationError."""
    wanted = {str(role) for role in roles}
    unknown = wanted - ROLE_NAMES
    if unknown:
        raise ValidationError(
            {
                "roles": _("Unknown role: %(names)s (the roles are %(all)s).")
                % {"names": ", ".join(sorted(unknown)), "all": ", ".join(r.value for r in Role)}
            }
        )
    current = set(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
    removed, added = current - wanted, wanted - current
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    for name in sorted(added):
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    user_staff_sync(user)
    return current, wanted


__all__ = ["ROLE_NAMES", "user_roles_set", "user_staff_sync"]
