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

from datetime import UTC
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import TokenScope
from common.compiled import CompiledModels
from common.roles import Role, is_admin, remember_roles
from incidents.models import Profile
from incidents.selectors import unread_notification_counts

# Sessions store this path; config.settings lists it in AUTHENTICATION_BACKENDS.
USER_BACKEND = "accounts.backends.UserBackend"
PROFILE_FIELDS = ("id", "language", "time_zone")
TOKEN_FIELDS = ("key", "created")
SCOPE_FIELDS = ("id", "read_only", "expires_at", "created_at")


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


def _device_flags() -> dict[str, Exists]:
    """Whether the user has a confirmed second-factor device, one EXISTS per device model (what
    ``django_otp.user_has_device`` asks in a query of its own per model, on every page of a user
    without a device)."""
    from django_otp import device_classes  # why here: it reads the app registry, ready only later

    return {
        f"_otp_device_{index}": Exists(
            model._default_manager.filter(user_id=OuterRef("pk"), confirmed=True)
        )
        for index, model in enumerate(device_classes())
    }


def _users(alias: str, *, notifications: bool) -> QuerySet[Any]:
    model = get_user_model()
    return (
        model._default_manager.using(alias)
        .annotate(
            # The profile's columns (a LEFT JOIN: a user may have none).
            **{f"_profile_{name}": F(f"profile__{name}") for name in PROFILE_FIELDS},
            _role_bits=_role_bits(),
            **_device_flags(),
            **(unread_notification_counts() if notifications else {}),
        )
        .order_by()
    )


def _token_read(alias: str) -> QuerySet[Any]:
    """The same read for an API request, found by the token's key, with the token's and its
    scope's columns (LEFT JOIN: a token may have no scope); no notification count (the API
    shows none). One query where DRF's token, the scope, the roles and the profile took four."""
    return _users(alias, notifications=False).annotate(
        **{f"_token_{name}": F(f"auth_token__{name}") for name in TOKEN_FIELDS},
        **{f"_scope_{name}": F(f"auth_token__scope__{name}") for name in SCOPE_FIELDS},
    )


@cache
def _reads(alias: str) -> tuple[CompiledModels[Any], CompiledModels[Any]]:
    """The per-request reads of database ``alias``, by the user's id and by a token's key,
    compiled once per process (common/compiled.py)."""
    return (
        CompiledModels(lambda user_id: _users(alias, notifications=True).filter(pk=user_id)),
        CompiledModels(lambda key: _token_read(alias).filter(auth_token__key=key)),
    )


def _first(rows: list[Any]) -> Any:
    return rows[0] if rows else None


def _instance(model: Any, alias: str, values: dict[str, Any]) -> Any:
    """A ``model`` instance as the ORM would load it from ``values`` by attribute name (from_db
    takes them in the order of the model's fields, whatever order the names come in)."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(
        alias, [f.attname for f in fields], [_python(f, values[f.attname]) for f in fields]
    )


def _python(field: Any, value: Any) -> Any:
    """An annotation's raw value as the field's own column would be read: raw() converts only
    the model's columns, so on SQLite a date-time comes back naive (in UTC) and a boolean as 0/1."""
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(field, DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _one_to_one(
    model: Any, alias: str, owner: Any, link: str, row: Any, prefix: str, fields: tuple[str, ...]
) -> Any:
    """The ``model`` row whose ``link`` column holds ``owner``'s key, built from the ``prefix``ed
    columns of ``row`` (a LEFT JOIN's: None when it found none), its link to ``owner`` cached as
    select_related would cache it."""
    if getattr(row, f"{prefix}id") is None:
        return None
    related = _instance(
        model, alias, {link: owner.pk} | {n: getattr(row, f"{prefix}{n}") for n in fields}
    )
    getattr(model, link.removesuffix("_id")).field.set_cached_value(related, owner)
    return related


def _remember(user: Any, alias: str) -> None:
    """Set on ``user`` what its query read: the profile (cached as select_related would: no
    query when it is read), the roles and whether it has a confirmed second-factor device."""
    profile = _one_to_one(Profile, alias, user, "user_id", user, "_profile_", PROFILE_FIELDS)
    get_user_model().profile.related.set_cached_value(user, profile)  # type: ignore[attr-defined]
    bits = int(user._role_bits)
    remember_roles(user, {role for bit, role in enumerate(ROLES) if bits & (1 << bit)})
    user.has_otp_device = any(
        value for name, value in vars(user).items() if name.startswith("_otp_device_")
    )


def has_otp_device(user: Any) -> bool:
    """Whether ``user`` has a confirmed second-factor device: as read with the user on this
    request (no query), or asked of django_otp for a user loaded some other way."""
    known = getattr(user, "has_otp_device", None)
    if known is not None:
        return bool(known)
    from django_otp import user_has_device  # why here: django_otp needs the app registry ready

    return bool(user_has_device(user, confirmed=True))


def user_and_token(key: str) -> tuple[Any, Token] | None:
    """The user of API token ``key`` read as ``UserBackend.get_user`` reads one (profile, roles,
    second-factor device), with the token and its scope (None: no such token)."""
    alias = router.db_for_read(Token)
    if not isinstance(key, str) or "\x00" in key:
        return None  # no key holds a NUL (nor could PostgreSQL compare one)
    user = _first(_reads(alias)[1].rows(using=alias, key=key))
    if user is None:
        return None
    _remember(user, alias)
    token = _instance(
        Token,
        alias,
        {"user_id": user.pk} | {n: getattr(user, f"_token_{n}") for n in TOKEN_FIELDS},
    )
    Token.user.field.set_cached_value(token, user)  # type: ignore[attr-defined]
    scope = _one_to_one(TokenScope, alias, token, "token_id", user, "_scope_", SCOPE_FIELDS)
    Token.scope.related.set_cached_value(token, scope)  # type: ignore[attr-defined]
    return user, token


class UserBackend(ModelBackend):
    """Authenticates exactly as ModelBackend does; only ``get_user`` reads more in its query."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)  # type: ignore[union-attr]
        except ValidationError:
            return None
        alias = router.db_for_read(model)
        user = _first(_reads(alias)[0].rows(using=alias, user_id=pk))
        if user is None or not self.user_can_authenticate(user):
            return None
        _remember(user, alias)
        # As incidents.selectors.notifications_for counts them: an admin's all, others' those
        # about incidents they can still see.
        user.unread_notifications = user.unread_all if is_admin(user) else user.unread_visible
        return user
