"""The pure deadline engine: facts in, due times and a bilingual explanation out.

No Django imports anywhere in this package, so the law is testable in microseconds. The Django
side (``regulators.models``) turns database rows into ``RuleSpec`` / ``BusinessCalendar`` and
calls ``compute_for_versions`` / ``compute_due`` and ``applicability.evaluate``.
"""

from .applicability import Applicability, Status, evaluate, validate_conditions
from .basics import DayZone, WeekendRelief
from .calendars import BusinessCalendar, Closure, builtin_calendar
from .orders import compute_order_due
from .rules import (
    DeadlineResult,
    Precision,
    RuleSpec,
    Step,
    Trigger,
    Unit,
    adhoc_rule,
    compute_due,
    compute_for_versions,
    format_duration_en,
    format_duration_ko,
    lateness,
    parse_offset,
    select_version,
)

__all__ = [
    "Applicability",
    "BusinessCalendar",
    "Closure",
    "DayZone",
    "DeadlineResult",
    "Precision",
    "RuleSpec",
    "Status",
    "Step",
    "Trigger",
    "Unit",
    "WeekendRelief",
    "adhoc_rule",
    "builtin_calendar",
    "compute_due",
    "compute_for_versions",
    "compute_order_due",
    "evaluate",
    "format_duration_en",
    "format_duration_ko",
    "lateness",
    "parse_offset",
    "select_version",
    "validate_conditions",
]
