"""The sign-in backend: Django's ModelBackend, whose per-request read of the signed-in user also
brings the user's profile (time zone, language) and role groups.

Every page needs all three (the time-zone middleware reads the profile, every view checks a
right); read separately they were three queries on every request, now one. The roles are
remembered on the user object as ``common.roles.roles_of`` reads them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from common.roles import Role, remember_roles

# Sessions store this path; config.settings lists it in AUTHENTICATION_BACKENDS.
USER_BACKEND = "accounts.backends.UserBackend"


def _role_flag(role: Role) -> str:
    return f"_has_role_{role.value}"


class UserBackend(ModelBackend):
    """Authenticates exactly as ModelBackend does; only ``get_user`` reads more in its query."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        groups = model.groups.through.objects.filter(user_id=OuterRef("pk"))  # type: ignore[attr-defined]
        user = (
            model._default_manager.select_related("profile")
            .annotate(
                **{_role_flag(role): Exists(groups.filter(group__name=role.value)) for role in Role}
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user, {role for role in Role if getattr(user, _role_flag(role))})
        return user
