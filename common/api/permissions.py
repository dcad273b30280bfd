"""API permissions: the same matrix as the pages (common.roles), after need-to-know.

Visibility is decided by ``incidents.selectors`` (404 for what a user may not see); the rights
below give 403 where a visible incident is there but the role lacks the right.
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from common.roles import Action, has_right

# The project's default permission classes (settings.REST_FRAMEWORK: signed in, token scope);
# views that add their own right list these first. Read from settings so that no API app needs to
# import the app owning token scopes (audit).
DEFAULT_PERMISSIONS = cast(
    list[type[BasePermission]], list(api_settings.DEFAULT_PERMISSION_CLASSES)
)


def required_action(view: APIView) -> Action:
    rights: dict[str, Action] = getattr(view, "required_rights", {})
    return rights.get(getattr(view, "action", None) or "", Action.VIEW)


class HasRoleRight(BasePermission):
    """The right named for the view's action in ``view.required_rights`` (default: view)."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "detail", False):
            # Look the object up first: 404 for an invisible incident, then 403 for the right.
            return True
        return has_right(request.user, required_action(view))

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return has_right(request.user, required_action(view))


class ReadAnyWriteAdmin(BasePermission):
    """Catalogue data: every signed-in user with a role reads; only admins write."""

    message = "Only admins may change the catalogue."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return has_right(request.user, Action.VIEW)
        return has_right(request.user, Action.MANAGE)
