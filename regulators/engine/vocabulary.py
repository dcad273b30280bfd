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


class DayZone(StrEnum):
    """Which zone's calendar dates count for a day-based rule."""

    RULE = "rule"  # the rule's own zone (EDGAR: New York; Korean laws: Seoul)
    ENTITY = "entity"  # the obliged entity's zone (GDPR controller, NIS2/DORA Member State)
    EARLIER = "earlier"  # unsettled: both zones, the earlier due time applies


class WeekendRelief(StrEnum):
    """DORA RTS (EU) 2025/301 Art. 5(4)-(5) weekend and bank-holiday relief."""

    NONE = "none"
    ALL = "all"  # final reports: every financial entity
    UNLESS_EXCLUDED = "unless_excluded"  # initial/intermediate: not for the Art. 5(5) entities
