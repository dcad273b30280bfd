"""Validators shared by models, forms and serializers."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def known_time_zones() -> frozenset[str]:
    """``available_timezones()`` walks the zone directory on every call (~10 ms, most of the
    time of recording an event); the set cannot change while the process runs."""
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """Reject names that zoneinfo does not know (a typo would silently shift every due time)."""
    if value not in known_time_zones():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                _("Unknown time zone %(value)s."), params={"value": value}, code="time_zone"
            ) from exc
