"""The engine's words, one enum each, used by the whole project (pure Python, no Django).

Django fields and forms take their choices from these with translated labels
(``regulators.models.UNIT_CHOICES``, ``PRECISION_CHOICES``, ``CONFIDENCE_CHOICES``); there is
no second enum for the same thing anywhere.
"""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    """The unit of a legal period."""

    HOURS = "h"
    CALENDAR_DAYS = "cd"
    BUSINESS_DAYS = "bd"
    MONTHS = "mo"
    WITHOUT_DELAY = "none"


class Precision(StrEnum):
    """How precisely a moment is known (a trigger, a timeline event, a filing)."""

    EXACT = "exact"
    DATE = "date"
    APPROXIMATE = "approximate"


class Confidence(StrEnum):
    """How sure the catalogue is of a rule's reading of the law."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNCONFIRMED = "unconfirmed"
