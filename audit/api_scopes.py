"""API token scopes: a token marked read-only may only make safe (GET/HEAD/OPTIONS) requests;
a token with an expiry is refused (401) after it; and the token of a user who must sign in with
a second factor (admin, superuser, legal) works only once that user has a confirmed device.

Added to ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` in settings, after IsAuthenticated.
Views that set their own ``permission_classes`` must include ``TokenScopePermission`` too.
Session (browser) requests are not affected: a scope belongs to a token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from audit.models import TokenScope
from incidents.security import otp_required_for


def token_is_read_only(token: Token) -> bool:
    try:
        return bool(token.scope.read_only)  # type: ignore[attr-defined]
    except TokenScope.DoesNotExist:
        return False


class TokenScopePermission(BasePermission):
    message = _("This API token is read-only.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, Token):
            return not token_is_read_only(token)
        return True


class ScopedTokenAuthentication(TokenAuthentication):
    """DRF token authentication plus expiry and the second-factor condition (401 otherwise).

    Checked on every request before any permission or method dispatch, so a refused token gets
    401 on every method, including ones the endpoint does not have (never a 405 that would
    show the token was accepted)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        try:
            expires_at = token.scope.expires_at  # type: ignore[attr-defined]
        except TokenScope.DoesNotExist:
            expires_at = None
        if expires_at is not None and expires_at <= timezone.now():
            raise AuthenticationFailed(_("This API token has expired."))
        if (
            getattr(settings, "OTP_ENFORCED", True)
            and otp_required_for(user)
            and not user_has_device(user, confirmed=True)
        ):
            raise AuthenticationFailed(
                _(
                    "Tokens of admin and legal users work only once the user has a confirmed "
                    "second factor: sign in on the web and enrol one."
                )
            )
        return user, token
