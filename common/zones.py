"""The project's default time zone, one source: ``settings.TIME_ZONE`` (env ``TIME_ZONE``)."""

from __future__ import annotations

from django.conf import settings


def default_time_zone() -> str:
    """Model field default (a callable, so migrations do not freeze today's setting)."""
    return str(settings.TIME_ZONE)
