"""The sign-in backend: Django's ModelBackend, whose per-request read of the signed-in user also
brings the user's profile (time zone, language), role groups and unread-notification count.

Every page needs all four (the time-zone middleware reads the profile, every view checks a
right, every page's header shows the count); read separately they were four queries on every
page, now one. The roles are remembered on the user object as ``common.roles.roles_of`` reads
them, the count as ``unread_notifications`` (the header's template tag reads it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet

from common.roles import Role, is_admin, remember_roles
from incidents.selectors import unread_notification_counts

# Sessions store this path; config.settings lists it in AUTHENTICATION_BACKENDS.
USER_BACKEND = "accounts.backends.UserBackend"


def _role_flag(role: Role) -> str:
    return f"_has_role_{role.value}"


@cache
def _users_with_roles_and_counts() -> QuerySet[Any]:
    """The users with their profile, role flags and unread counts, built once per process.

    Building these annotations (four EXISTS and two counting subqueries) cost ~2.9 ms of CPU, as
    much as compiling and running the query: on every request, for every signed-in page. Each
    request filters a clone of this queryset, which is itself never evaluated (docs/performance.md,
    "HTTP load test")."""
    model = get_user_model()
    groups = model.groups.through.objects.filter(user_id=OuterRef("pk"))  # type: ignore[attr-defined]
    return model._default_manager.select_related("profile").annotate(
        **{_role_flag(role): Exists(groups.filter(group__name=role.value)) for role in Role},
        **unread_notification_counts(),
    )


class UserBackend(ModelBackend):
    """Authenticates exactly as ModelBackend does; only ``get_user`` reads more in its query."""

    def get_user(self, user_id: Any) -> Any:
        user = _users_with_roles_and_counts().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user, {role for role in Role if getattr(user, _role_flag(role))})
        # As incidents.selectors.notifications_for counts them: an admin's all, others' those
        # about incidents they can still see.
        counts: Any = user  # the two counts are annotations of the query above
        user.unread_notifications = counts.unread_all if is_admin(user) else counts.unread_visible  # type: ignore[attr-defined]
        return user
