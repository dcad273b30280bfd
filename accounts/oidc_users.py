"""Create or update the Django user behind an SSO sign-in, and set their roles from claims.

- The user is found by the configured username claim (``OIDC_USERNAME_CLAIM``), exactly. A new
  user gets an unusable password: they can only come in through the provider.
- Name, e-mail, language and zone are taken from the claims when present and valid.
- A disabled user is refused; so is a superuser (break-glass accounts sign in locally, so an
  identity-provider account with the same name cannot take one over).
- Roles: with ``OIDC_ROLE_MAP`` set, the provider is the source of truth for roles. The user's
  role groups (those named in ``common.roles.Role``) become exactly the mapped ones: a group
  that no longer maps loses its role at this sign-in. Other groups, incident memberships
  (need-to-know) and anything else stay as they are. ``is_staff`` follows the admin role (the
  Django admin site needs it). With no map, roles stay managed in the admin site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.oidc import OIDCSignInError, groups_of, language_from, roles_from_groups, zone_from
from audit.models import AuditAction
from audit.services import audit_record
from common.services import user_roles_set
from incidents.models import Profile


def _username(claims: dict[str, Any]) -> str:
    value = claims.get(settings.OIDC_USERNAME_CLAIM)
    if not isinstance(value, str) or not value or len(value) > 150:
        raise OIDCSignInError("claims", f"no usable {settings.OIDC_USERNAME_CLAIM} claim")
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError as exc:
        raise OIDCSignInError("claims", "username claim has characters Django refuses") from exc
    return value


def _text_claim(claims: dict[str, Any], name: str, limit: int) -> str | None:
    value = claims.get(name)
    return value[:limit] if isinstance(value, str) else None


def _update_fields(user: Any, claims: dict[str, Any]) -> list[str]:
    changed = []
    for field, claim, limit in (
        ("email", settings.OIDC_EMAIL_CLAIM, 254),
        ("first_name", settings.OIDC_GIVEN_NAME_CLAIM, 150),
        ("last_name", settings.OIDC_FAMILY_NAME_CLAIM, 150),
    ):
        value = _text_claim(claims, claim, limit)
        if value is not None and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    return changed


def _update_profile(user: Any, claims: dict[str, Any]) -> None:
    profile, _created = Profile.objects.get_or_create(user=user)
    changed = []
    language = language_from(claims.get(settings.OIDC_LANGUAGE_CLAIM))
    if language and profile.language != language:
        profile.language = language
        changed.append("language")
    zone = zone_from(claims.get(settings.OIDC_ZONE_CLAIM))
    if zone and profile.time_zone != zone:
        profile.time_zone = zone
        changed.append("time_zone")
    if changed:
        profile.save(update_fields=changed)


def _sync_roles(user: Any, claims: dict[str, Any], request: HttpRequest | None) -> None:
    if not settings.OIDC_ROLE_MAP:
        return
    groups = groups_of(claims)
    # The same service as the admin site's users page and the commands: staff follows admin.
    current, wanted = user_roles_set(user=user, roles=roles_from_groups(groups))
    if current != wanted:
        audit_record(
            action=AuditAction.UPDATE,
            actor=user,
            obj=user,
            changes={
                "roles": {"old": sorted(current), "new": sorted(wanted)},
                "source": "oidc",
                "groups_claim": sorted(groups)[:50],
            },
            request=request,
        )


def sync_user(claims: dict[str, Any], *, request: HttpRequest | None = None) -> Any:
    """The user for these verified claims, created or updated; roles set from the groups."""
    username = _username(claims)
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(username=username).first()
        if user is None:
            if not settings.OIDC_CREATE_USERS:
                raise OIDCSignInError("no_account", username=username)
            user = user_model(username=username)
            user.set_unusable_password()
            _update_fields(user, claims)
            user.save()
        else:
            if not user.is_active:
                raise OIDCSignInError("disabled", username=username)
            if user.is_superuser:
                raise OIDCSignInError("superuser", username=username)
            changed = _update_fields(user, claims)
            if changed:
                user.save(update_fields=changed)
        _update_profile(user, claims)
        _sync_roles(user, claims, request)
    return user
