"""Whose days count, and the DORA weekend relief: the zone and calendar questions of a due time.

- ``choose_day_zone``: a day-based rule counts dates in the rule's zone, in the obliged entity's
  zone, or (where the law does not settle it) in both, keeping the earlier due time and naming
  both in the explanation. Clock-hour rules give the same instant in every zone; only the
  wall-clock reading differs, so they are shown in the zone the rule names.
- ``apply_weekend_relief``: RTS (EU) 2025/301 Art. 5(4): a report whose time limit falls on a
  weekend or bank holiday in the entity's Member State may be submitted by 12:00 of the next
  working day; Art. 5(5): not for the initial notification and intermediate report of credit
  institutions, central counterparties, trading-venue operators and NIS2 essential or
  important entities. Where it is unknown whether the entity is one of those, the stricter
  time is kept and the relieved time is named.

Pure Python, no Django. The zone is an input: the engine never looks anything up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Protocol, TypeVar

from .basics import DayZone, Step, WeekendRelief, format_instant
from .calendars import BusinessCalendar, builtin_calendar

__all__ = ["NOON", "apply_weekend_relief", "choose_day_zone"]

NOON = time(12, 0)


class _ZonedLike(Protocol):
    tzkey: str
    due: datetime | None
    steps: list[Step]


Z = TypeVar("Z", bound=_ZonedLike)


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def choose_day_zone(
    policy: DayZone,
    rule_tz: str,
    entity_tz: str | None,
    *,
    day_based: bool,
    compute: Callable[[str], Z],
) -> tuple[Z, list[Step]]:
    """The computation that applies and its explanation steps (a fresh list)."""
    if policy is DayZone.RULE or not day_based:
        chosen = compute(rule_tz)
        return chosen, list(chosen.steps)
    if entity_tz is None:
        chosen = compute(rule_tz)
        note = Step(
            f"This rule counts the entity's own days, but the entity's time zone is not "
            f"recorded: {rule_tz} was used.",
            f"이 규정은 해당 법인의 현지 날짜로 기간을 계산하지만 법인의 시간대가 기록되지 않아 "
            f"{rule_tz}을(를) 사용했습니다.",
        )
        return chosen, [*chosen.steps, note]
    if policy is DayZone.ENTITY or entity_tz == rule_tz:
        chosen = compute(entity_tz)
        note = Step(
            f"Days are counted in the entity's own time zone, {entity_tz}.",
            f"기간은 해당 법인의 시간대({entity_tz}) 날짜로 계산합니다.",
        )
        return chosen, [note, *chosen.steps]
    in_rule, in_entity = compute(rule_tz), compute(entity_tz)
    rule_due, entity_due = in_rule.due, in_entity.due
    if rule_due is None or entity_due is None:
        return in_rule, list(in_rule.steps)
    entity_first = _utc(entity_due) < _utc(rule_due)
    chosen = in_entity if entity_first else in_rule
    chosen_due, other_due = (entity_due, rule_due) if entity_first else (rule_due, entity_due)
    steps = [
        Step(
            f"Counted in {rule_tz} (the rule's zone): {s.en}", f"{rule_tz}(규정 기준) 계산: {s.ko}"
        )
        for s in in_rule.steps
    ]
    steps += [
        Step(
            f"Counted in {entity_tz} (the entity's zone): {s.en}",
            f"{entity_tz}(법인 기준) 계산: {s.ko}",
        )
        for s in in_entity.steps
    ]
    c_txt, o_txt = format_instant(chosen_due), format_instant(other_due)
    if _utc(chosen_due) == _utc(other_due):
        verdict = Step(
            f"The law does not settle whose local days count; both zones give the same due "
            f"time, {c_txt}.",
            f"어느 쪽 현지 날짜로 계산하는지 법령이 정하지 않았으나 두 시간대 모두 같은 기한"
            f"({c_txt})을 줍니다.",
        )
    else:
        verdict = Step(
            f"The law does not settle whose local days count ({rule_tz} or {entity_tz}): both "
            f"were computed and the earlier due time applies, {c_txt} (the other: {o_txt}).",
            f"어느 쪽 현지 날짜로 계산하는지({rule_tz} 또는 {entity_tz}) 법령이 정하지 않아 둘 다 "
            f"계산하고 더 이른 기한 {c_txt}을(를) 적용합니다(다른 쪽: {o_txt}).",
        )
    return chosen, [*steps, verdict]


def apply_weekend_relief(
    relief: WeekendRelief,
    due: datetime,
    excluded: bool | None,
    calendar: BusinessCalendar | None,
    steps: list[Step],
) -> datetime:
    """The due time after RTS 2025/301 Art. 5(4)-(5); appends its explanation to ``steps``."""
    if relief is WeekendRelief.NONE:
        return due
    cal = calendar or builtin_calendar("WEEKENDS")
    local_day = due.date()
    if cal.is_business_day(local_day):
        return due
    reason = cal.non_business_reason(local_day) or ("closed", "휴무일")
    next_day = cal.next_business_day(local_day)
    tz = due.tzinfo  # engine due times are always aware
    relieved = datetime.combine(next_day, NOON, tzinfo=tz).astimezone(UTC).astimezone(tz)
    d_txt, r_txt = format_instant(due), format_instant(relieved)
    cite_en = "RTS (EU) 2025/301 Art. 5(4)"
    cite_ko = "RTS (EU) 2025/301 제5조제4항"
    if relief is WeekendRelief.ALL or excluded is False:
        steps.append(
            Step(
                f"The time limit {d_txt} falls on {local_day.isoformat()} ({reason[0]}): under "
                f"{cite_en} the report may be submitted by 12:00 of the next working day, {r_txt}.",
                f"기한 {d_txt}이(가) {local_day.isoformat()}({reason[1]})에 해당하여 {cite_ko}에 "
                f"따라 다음 영업일 12:00인 {r_txt}까지 제출할 수 있습니다.",
            )
        )
        return relieved
    if excluded:
        steps.append(
            Step(
                f"The time limit {d_txt} falls on {local_day.isoformat()} ({reason[0]}), but the "
                f"weekend relief of {cite_en} does not cover the initial notification and "
                f"intermediate report of credit institutions, central counterparties, trading-venue "
                f"operators and NIS2 essential or important entities (Art. 5(5)): {d_txt} stands.",
                f"기한 {d_txt}이(가) {local_day.isoformat()}({reason[1]})에 해당하지만, 신용기관·"
                f"중앙청산소·거래소 운영자·NIS2 필수·중요 기관의 초기 통지와 중간 보고에는 "
                f"{cite_ko}의 주말 특례가 적용되지 않습니다(제5조제5항). 기한은 {d_txt}입니다.",
            )
        )
        return due
    steps.append(
        Step(
            f"The time limit {d_txt} falls on {local_day.isoformat()} ({reason[0]}). If the entity "
            f"is not a credit institution, central counterparty, trading-venue operator or NIS2 "
            f"essential or important entity, {cite_en} allows submission by {r_txt}; that is not "
            f"recorded, so the stricter time {d_txt} is kept.",
            f"기한 {d_txt}이(가) {local_day.isoformat()}({reason[1]})에 해당합니다. 법인이 신용기관·"
            f"중앙청산소·거래소 운영자·NIS2 필수·중요 기관이 아니라면 {cite_ko}에 따라 {r_txt}까지 "
            f"제출할 수 있으나, 이 사실이 기록되지 않아 더 엄격한 기한 {d_txt}을(를) 유지합니다.",
        )
    )
    return due
