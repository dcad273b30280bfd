"""Regulator orders and requests: the answer owed, by the order's own date, else the law's default.

An order (MSIT preservation order, request for materials, PIPC inspection, corrective order,
penalty notice) is a timeline event. Its clock, in this order of precedence:

1. the answer-by time the order itself names (entered from the order);
2. a response period the order names (``5bd``, ``14cd``...), counted from the order's date;
3. the statutory default of the catalogue rule (e.g. 90 days for an administrative appeal);
4. none of these: a plain "answer by" with no legal due time ("without delay").

Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from .basics import END_OF_DAY, Step, Unit, format_instant, zone
from .calendars import BusinessCalendar
from .rules import DeadlineResult, RuleSpec, Trigger, compute_for_versions, select_version

__all__ = ["compute_order_due"]


def _answer_by_instant(answer_by: datetime | date, tzkey: str) -> datetime:
    if isinstance(answer_by, datetime):
        if answer_by.tzinfo is None or answer_by.utcoffset() is None:
            raise ValueError(f"An answer-by time must be timezone-aware, got {answer_by!r}.")
        return answer_by.astimezone(zone(tzkey))
    return datetime.combine(answer_by, END_OF_DAY, tzinfo=zone(tzkey))


def compute_order_due(
    versions: Sequence[RuleSpec],
    trigger: Trigger,
    *,
    answer_by: datetime | date | None = None,
    offset: tuple[int, Unit] | None = None,
    calendar: BusinessCalendar | None = None,
    entity_tz: str | None = None,
) -> DeadlineResult:
    """Due time of the answer to an order; see the module docstring for the precedence."""
    if not versions:
        raise ValueError("compute_order_due needs at least one rule version.")
    rule = select_version(versions, trigger.at) or versions[-1]
    if answer_by is not None:
        due = _answer_by_instant(answer_by, rule.reference_tz)
        text = format_instant(due)
        step = Step(
            f"{rule.title_en}: the order names its own answer-by time, {text} "
            f"(order of {format_instant(trigger.at.astimezone(zone(rule.reference_tz)))}).",
            f"{rule.title_ko}: 명령·요청서에 정한 회신 기한 {text}"
            f"(명령일 {format_instant(trigger.at.astimezone(zone(rule.reference_tz)))}).",
        )
        return DeadlineResult(
            code=rule.code,
            version=rule.version,
            due_at=due,
            internal_target_at=None,
            without_delay=False,
            explanation=(step,),
        )
    if offset is not None:
        amount, unit = offset
        named = replace(
            rule,
            period_amount=amount,
            period_unit=unit,
            calendar_code=rule.calendar_code or ("KR" if unit is Unit.BUSINESS_DAYS else None),
            long_stop_hours=None,
            internal_target_amount=None,
            internal_target_unit=None,
        )
        result = compute_for_versions([named], trigger, calendar=calendar, entity_tz=entity_tz)
        lead = Step(
            f"{rule.title_en}: the order names a response period ({amount} {unit.value}), counted "
            f"from the order's date.",
            f"{rule.title_ko}: 명령·요청서에 정한 회신 기간({amount} {unit.value})을 명령일부터 "
            f"계산합니다.",
        )
        return replace(result, explanation=(lead, *result.explanation))
    result = compute_for_versions(versions, trigger, calendar=calendar, entity_tz=entity_tz)
    if result.without_delay:
        lead = Step(
            "The order names no answer-by date and the law sets no period: answer as soon as "
            "possible; record the date if the regulator gives one.",
            "명령·요청서에 회신 기한이 없고 법령에도 기간이 없습니다. 가능한 한 빨리 회신하고, "
            "규제기관이 기한을 정하면 기록하십시오.",
        )
    else:
        lead = Step(
            "The order names no answer-by date: the statutory period applies.",
            "명령·요청서에 회신 기한이 없어 법정 기간을 적용합니다.",
        )
    return replace(result, explanation=(lead, *result.explanation))
