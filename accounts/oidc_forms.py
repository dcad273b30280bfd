"""The password sign-in form with the SSO policy: all users, break-glass admins only, or off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.oidc import local_signin_allowed_for, local_signin_mode
from audit.models import AuditAction
from audit.services import audit_record


class LocalSignInForm(AuthenticationForm):
    def _refuse(self, reason: str, username: str) -> None:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_repr=username[:150],
            object_type="auth.user",
            object_repr=username[:150],
            changes={"method": "password", "reason": reason},
            request=self.request,
        )

    def clean(self) -> dict[str, Any]:
        if local_signin_mode() == "off":
            # Refused before the password is even checked: nothing to guess here.
            self._refuse("local_signin_off", str(self.data.get("username", "")))
            raise ValidationError(
                _("Password sign-in is switched off. Sign in with %(provider)s."),
                code="local_signin_off",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            )
        return super().clean()

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not local_signin_allowed_for(user):
            self._refuse("local_signin_admins_only", user.get_username())
            raise ValidationError(
                _(
                    "Password sign-in is kept for administrators (break-glass). "
                    "Sign in with %(provider)s."
                ),
                code="local_signin_admins_only",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            )
