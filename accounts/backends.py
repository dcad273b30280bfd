"""The sign-in backend: Django's ModelBackend, whose per-request read of the signed-in user also
brings the user's profile (time zone, language), role groups and unread-notification count.

Every page needs all four (the time-zone middleware reads the profile, every view checks a
right, every page's header shows the count); read separately they were four queries on every
page, now one. The roles are remembered on the user object as ``common.roles.roles_of`` reads
them, the count as ``unread_notifications`` (the header's template tag reads it), the profile
as the user's ``profile``.

Its SQL (a join and three subqueries) is compiled once per database and process: Django took
about ten times longer to compile it than PostgreSQL to run it, on every request.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from common.roles import Role, is_admin, remember_roles
from incidents.models import Profile
from incidents.selectors import unread_notification_counts

# Sessions store this path; config.settings lists it in AUTHENTICATION_BACKENDS.
USER_BACKEND = "accounts.backends.UserBackend"
# Stands for the user's id while the query is compiled; replaced in its parameters.
_ANY_ID = -1_955_173
PROFILE_FIELDS = ("id", "language", "time_zone")


ROLES = tuple(Role)


def _role_bits() -> Coalesce:
    """The user's roles as one number, a bit per role of ``ROLES`` (one subquery; four EXISTS
    took PostgreSQL five times longer to plan)."""
    names = [role.value for role in ROLES]
    bits = Case(
        *[When(group__name=name, then=Value(1 << bit)) for bit, name in enumerate(names)],
        default=Value(0),
        output_field=IntegerField(),
    )
    mine = get_user_model().groups.through.objects.filter(  # type: ignore[attr-defined]
        user_id=OuterRef("pk"), group__name__in=names
    )
    per_user = mine.order_by().values("user_id").annotate(bits=Sum(bits)).values("bits")[:1]  # type: ignore[misc]
    return Coalesce(Subquery(per_user), 0)


@cache
def _user_query(alias: str) -> tuple[str, tuple[Any, ...], int]:
    """The SQL of the per-request user read on database ``alias``, its parameters and the index
    of the user's id among them."""
    model = get_user_model()
    queryset = (
        model._default_manager.using(alias)
        .annotate(
            # The profile's columns (a LEFT JOIN: a user may have none).
            **{f"_profile_{name}": F(f"profile__{name}") for name in PROFILE_FIELDS},
            _role_bits=_role_bits(),
            **unread_notification_counts(),
        )
        .filter(pk=_ANY_ID)
        .order_by()
    )
    sql, params = queryset.query.get_compiler(alias).as_sql()
    return sql, tuple(params), list(params).index(_ANY_ID)


class UserBackend(ModelBackend):
    """Authenticates exactly as ModelBackend does; only ``get_user`` reads more in its query."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)  # type: ignore[union-attr]
        except ValidationError:
            return None
        alias = router.db_for_read(model)
        sql, params, at = _user_query(alias)
        found = list(
            model._default_manager.raw(sql, [*params[:at], pk, *params[at + 1 :]]).using(alias)
        )
        user: Any = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        profile = None
        if user._profile_id is not None:
            profile = Profile.from_db(
                alias,
                ["user_id", *PROFILE_FIELDS],
                [user.pk, *(getattr(user, f"_profile_{name}") for name in PROFILE_FIELDS)],
            )
            Profile.user.field.set_cached_value(profile, user)  # type: ignore[attr-defined]
        # Cached on the user as select_related would: no query when the profile is read.
        model.profile.related.set_cached_value(user, profile)  # type: ignore[attr-defined]
        bits = int(user._role_bits)
        remember_roles(user, {role for bit, role in enumerate(ROLES) if bits & (1 << bit)})
        # As incidents.selectors.notifications_for counts them: an admin's all, others' those
        # about incidents they can still see.
        user.unread_notifications = user.unread_all if is_admin(user) else user.unread_visible
        return user
