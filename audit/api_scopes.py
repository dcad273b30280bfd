"""API token scopes: a token marked read-only may only make safe (GET/HEAD/OPTIONS) requests.
Expiry and the second-factor condition are checked by ``accounts.tokens``.

Added to ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` in settings, after IsAuthenticated.
Views that set their own ``permission_classes`` must include ``TokenScopePermission`` too.
Session (browser) requests are not affected: a scope belongs to a token.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from audit.models import TokenScope


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
