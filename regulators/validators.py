"""Validators shared by models, forms and serializers."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Reject names that zoneinfo does not know (a typo would silently shift every due time)."""
    if value not in available_timezones():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                _("Unknown time zone %(value)s."), params={"value": value}, code="time_zone"
            ) from exc
