"""API token authentication with expiry and the second-factor condition (docs/api.md).

A token with ``TokenScope.expires_at`` in the past is refused (401); the token of a user who must
sign in with a second factor (admin, superuser, legal) works only while that user has a
confirmed device (401 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.backends import has_otp_device, user_and_token
from accounts.middleware import otp_required_for
from audit.models import TokenScope


class ScopedTokenAuthentication(TokenAuthentication):
    """DRF token authentication plus expiry and the second-factor condition (401 otherwise).

    Checked on every request before any permission or method dispatch, so a refused token gets
    401 on every method, including ones the endpoint does not have (never a 405 that would
    show the token was accepted)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        # One query for the token, its scope and its user with the user's roles, profile and
        # second-factor device (DRF's own read, then each of those, took four).
        found = user_and_token(key)
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        try:
            expires_at = token.scope.expires_at  # type: ignore[attr-defined]
        except TokenScope.DoesNotExist:
            expires_at = None
        if expires_at is not None and expires_at <= timezone.now():
            raise AuthenticationFailed(_("This API token has expired."))
        if (
            getattr(settings, "OTP_ENFORCED", True)
            and otp_required_for(user)
            and not has_otp_device(user)
        ):
            raise AuthenticationFailed(
                _(
                    "Tokens of admin and legal users work only once the user has a confirmed "
                    "second factor: sign in on the web and enrol one."
                )
            )
        return user, token
