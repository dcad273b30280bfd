"""Template helpers for the export links."""

from __future__ import annotations

from typing import Any

from django import template

from common.roles import Action, has_right

register = template.Library()


@register.filter
def can_export(user: Any) -> bool:
    """Whether the user's roles include the export right (visibility is checked by the page)."""
    return bool(user is not None and has_right(user, Action.EXPORT))
