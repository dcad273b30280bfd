"""The engine's data: a rule version, a trigger, a result. Plain frozen dataclasses.

Split out of ``rules`` (the counting) to keep each module small. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .basics import DayZone, Precision, Step, Unit, WeekendRelief, zone

__all__ = ["DeadlineResult", "RuleSpec", "Trigger"]


def _is_aware(dt: datetime) -> bool:
    return dt.tzinfo is not None and dt.utcoffset() is not None


# -- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """One version of an obligation, as plain data (the database row, minus the ORM)."""

    code: str
    version: int
    title_en: str
    title_ko: str
    period_amount: int | None
    period_unit: Unit
    calendar_code: str | None
    reference_tz: str
    cutoff: time | None  # None -> 23:59:59 for day-based units; ignored for hours
    effective_from: date | None
    effective_to: date | None  # exclusive
    internal_target_amount: int | None = None
    internal_target_unit: Unit | None = None
    long_stop_hours: int | None = None
    roll_forward: bool = False
    trigger_label_en: str = "trigger"
    trigger_label_ko: str = "기산 사건"
    # Which zone's calendar days count (item: entity's own days); see ``local_days``.
    day_zone: DayZone = DayZone.RULE
    # DORA RTS (EU) 2025/301 Art. 5(4)-(5): a due time on a weekend or bank holiday moves to
    # 12:00 of the next working day, for some reports and entities only.
    weekend_relief: WeekendRelief = WeekendRelief.NONE
    # Calendar-day rules only: the trigger's date is day 1, not day 0 (the stricter reading
    # where a regulator's counting convention is not confirmed, e.g. Japan APPI final reports).
    first_day_counts: bool = False

    def __post_init__(self) -> None:
        where = f"rule {self.code!r} v{self.version}"
        if not self.code:
            raise ValueError("A rule needs a code.")
        object.__setattr__(self, "day_zone", DayZone(self.day_zone))
        object.__setattr__(self, "weekend_relief", WeekendRelief(self.weekend_relief))
        unit = Unit(self.period_unit)  # accepts the stored string value too
        object.__setattr__(self, "period_unit", unit)
        if unit is Unit.WITHOUT_DELAY:
            if self.period_amount is not None:
                raise ValueError(f"{where}: a 'without delay' rule has no period amount.")
        elif not isinstance(self.period_amount, int) or self.period_amount < 1:
            raise ValueError(
                f"{where}: period amount must be a positive whole number for unit {unit.value!r}."
            )
        zone(self.reference_tz)
        if (self.internal_target_amount is None) != (self.internal_target_unit is None):
            raise ValueError(f"{where}: give both internal target amount and unit, or neither.")
        if self.internal_target_unit is not None:
            iunit = Unit(self.internal_target_unit)
            object.__setattr__(self, "internal_target_unit", iunit)
            if iunit is Unit.WITHOUT_DELAY:
                raise ValueError(f"{where}: an internal target needs a number and a unit.")
            if not isinstance(self.internal_target_amount, int) or self.internal_target_amount < 1:
                raise ValueError(
                    f"{where}: internal target amount must be a positive whole number."
                )
        if self.long_stop_hours is not None and self.long_stop_hours < 1:
            raise ValueError(f"{where}: a long stop needs a positive number of hours.")
        # roll_forward on a clock-hour or without-delay rule is ignored, not an error: hour-based
        # periods are never extended (REGULATIONS.md B.6), and admin data should not crash pages.
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to <= self.effective_from
        ):
            raise ValueError(f"{where}: effective_to must be after effective_from.")

    def in_force_on(self, d: date) -> bool:
        """effective_from <= d < effective_to (None = open-ended)."""
        return (self.effective_from is None or self.effective_from <= d) and (
            self.effective_to is None or d < self.effective_to
        )


@dataclass(frozen=True)
class Trigger:
    """The legal starting event of a clock; ``at`` must be timezone-aware."""

    at: datetime
    precision: Precision = Precision.EXACT
    label_en: str | None = None
    label_ko: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.at, datetime) or not _is_aware(self.at):
            raise ValueError(
                f"Trigger time must be a timezone-aware datetime, got {self.at!r}; "
                "attach the zone where it was observed (e.g. ZoneInfo('Asia/Seoul'))."
            )
        object.__setattr__(self, "precision", Precision(self.precision))


def _iso(d: datetime | date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True)
class DeadlineResult:
    code: str
    version: int | None
    due_at: datetime | None  # aware, in the rule's reference zone
    internal_target_at: datetime | None
    without_delay: bool
    explanation: tuple[Step, ...]
    not_in_force: bool = False
    counted_days: tuple[date, ...] = ()
    alternative_if_unconfirmed: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: instants as ISO 8601 with offset, explanation as [{"en", "ko"}]."""
        return {
            "code": self.code,
            "version": self.version,
            "due_at": _iso(self.due_at),
            "internal_target_at": _iso(self.internal_target_at),
            "without_delay": self.without_delay,
            "not_in_force": self.not_in_force,
            "counted_days": [d.isoformat() for d in self.counted_days],
            "alternative_if_unconfirmed": _iso(self.alternative_if_unconfirmed),
            "explanation": [{"en": s.en, "ko": s.ko} for s in self.explanation],
        }
