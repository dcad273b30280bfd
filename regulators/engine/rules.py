"""The deadline engine: a rule and a trigger in, a due instant and a bilingual explanation out.

Conventions (PRODUCT.md "Conventions for deadlines", REGULATIONS.md B):

- Clock-hour rules add elapsed hours on the UTC timeline; DST changes only the wall clock.
- Day-based rules (calendar days, business days, months): the trigger's date *in the rule's
  reference zone* is day 0; the due moment is the rule's cut-off (default 23:59:59) on the due
  date in that zone.
- Business days skip Saturdays, Sundays, the calendar's holidays (observed dates) and confirmed
  closures. An unconfirmed closure counts as a business day (earlier, safer date); the
  explanation names it and gives the later date that would apply if it were a holiday.
- "Without delay" has no legal due time; an internal target may be shown, labelled as internal.

Pure Python: no Django imports, so the law is testable in microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from .basics import (
    _UNIT_EN,
    DAY_UNITS,
    END_OF_DAY,
    DayZone,
    Precision,
    Step,
    Unit,
    WeekendRelief,
    _offset,
    _period_text,
    _short,
    format_duration_en,
    format_duration_ko,
    format_instant,
    zone,
)
from .calendars import ONE_DAY, BusinessCalendar, builtin_calendar
from .local_days import apply_weekend_relief, choose_day_zone
from .spec import DeadlineResult, RuleSpec, Trigger, _is_aware

__all__ = [
    "END_OF_DAY",
    "DayZone",
    "DeadlineResult",
    "Precision",
    "RuleSpec",
    "Step",
    "Trigger",
    "Unit",
    "WeekendRelief",
    "adhoc_rule",
    "compute_due",
    "compute_for_versions",
    "format_duration_en",
    "format_duration_ko",
    "format_instant",
    "lateness",
    "parse_offset",
    "select_version",
    "zone",
]


# -- arithmetic helpers --------------------------------------------------------------------------


def _add_months(d: date, n: int) -> tuple[date, bool]:
    """Same day number n months later, or that month's last day (second value: clamped)."""
    month0 = d.month - 1 + n
    year = d.year + month0 // 12
    month = month0 % 12 + 1
    last = 31 if month == 12 else (date(year, month + 1, 1) - ONE_DAY).day
    if d.day <= last:
        return date(year, month, d.day), False
    return date(year, month, last), True


def _at_local(d: date, t: time, tz: ZoneInfo) -> datetime:
    """``t`` on ``d`` in ``tz``, normalised (a wall time in a DST gap moves forward)."""
    local = datetime(d.year, d.month, d.day, t.hour, t.minute, t.second, tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz)


def _start_instant(trigger: Trigger, tz: ZoneInfo) -> datetime:
    """The instant to count from, in ``tz``: exact time, or 00:00 of the date for date/approximate."""
    local = trigger.at.astimezone(tz)
    if trigger.precision is Precision.EXACT:
        return local
    return _at_local(local.date(), time(0, 0), tz)


def _precision_step(
    trigger: Trigger, start: datetime, label_en: str, label_ko: str, tzkey: str
) -> Step:
    if trigger.precision is Precision.DATE:
        kind_en, kind_ko = (
            "known only to the date (date-only precision)",
            "날짜까지만 알려져 있어(날짜 정밀도)",
        )
    else:
        kind_en, kind_ko = "approximate (approximate precision)", "대략적인 시점이어서(근사 정밀도)"
    when = format_instant(start)
    return Step(
        f"The {label_en} time is {kind_en}: counted from the earliest possible instant, "
        f"the start of {start.date().isoformat()} in {tzkey}, {when}.",
        f"{label_ko} 시각이 {kind_ko} 가장 이른 시점인 {tzkey} 기준 "
        f"{start.date().isoformat()} 0시({when})부터 계산했습니다.",
    )


@dataclass
class _Count:
    due: datetime
    steps: list[Step]
    counted: tuple[date, ...] = ()
    alternative: date | None = None


def _count(
    amount: int,
    unit: Unit,
    start: datetime,
    tz: ZoneInfo,
    tzkey: str,
    cutoff: time | None,
    calendar: BusinessCalendar | None,
    calendar_code: str | None,
    roll_forward: bool,
    label_en: str,
    label_ko: str,
    first_day_counts: bool = False,
) -> _Count:
    """Apply one period to ``start`` (already in ``tz``); return the due instant and steps."""
    if unit is Unit.HOURS:
        due = (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(tz)
        s_txt, d_txt = format_instant(start), format_instant(due)
        steps = [
            Step(
                f"{label_en} {s_txt} + {amount} h (elapsed clock hours; nights, weekends and "
                f"holidays all count); due {d_txt}",
                f"{label_ko} {s_txt} + {amount}시간(경과 시간 기준, 야간·주말·공휴일 모두 포함); "
                f"기한 {d_txt}",
            )
        ]
        if start.utcoffset() != due.utcoffset():
            a, b = _offset(start), _offset(due)
            steps.append(
                Step(
                    f"The UTC offset of {tzkey} changes from {a} to {b} in between (daylight saving "
                    f"time): the wall-clock reading shifts, the elapsed time is still exactly {amount} h.",
                    f"그 사이 {tzkey}의 UTC 오프셋이 {a}에서 {b}(으)로 바뀝니다(일광 절약 시간). "
                    f"벽시계 시각만 달라지고 경과 시간은 정확히 {amount}시간입니다.",
                )
            )
        return _Count(due, steps)

    day0 = start.date()
    y = day0.year
    d0 = day0.isoformat()
    steps = []
    counted: tuple[date, ...] = ()
    alternative: date | None = None
    cal = calendar
    if unit is Unit.BUSINESS_DAYS:
        if cal is None:
            cal = builtin_calendar(calendar_code or "WEEKENDS")
        due_date, counted_list, skipped = cal.count_business_days(day0, amount)
        counted = tuple(counted_list)
        days = ", ".join([_short(d, y) for d in counted_list])
        main_en = f"{label_en} {d0} ({tzkey} date) + {amount} {cal.code} business days: {days}"
        main_ko = f"{label_ko} {d0}({tzkey} 기준 날짜) + {cal.code} 영업일 {amount}일: {days}"
        skip_en: list[str] = []
        skip_ko: list[str] = []
        for d in skipped:
            reason = cal.non_business_reason(d)
            if reason is not None:
                skip_en.append(f"{_short(d, y)} ({reason[0]})")
                skip_ko.append(f"{_short(d, y)}({reason[1]})")
        unconfirmed = [d for d in counted_list if cal.unconfirmed_closure(d) is not None]
    else:
        if unit is Unit.CALENDAR_DAYS and first_day_counts:
            due_date = day0 + timedelta(days=amount - 1)
            main_en = (
                f"{label_en} {d0} ({tzkey} date) is day 1 (the day of the trigger counts); "
                f"day {amount} = {due_date.isoformat()}"
            )
            main_ko = (
                f"{label_ko} {d0}({tzkey} 기준 날짜)을 1일째로 산입하여(초일 산입) "
                f"{amount}일째 = {due_date.isoformat()}"
            )
        elif unit is Unit.CALENDAR_DAYS:
            due_date = day0 + timedelta(days=amount)
            main_en = f"{label_en} {d0} ({tzkey} date) is day 0; + {amount} calendar days = {due_date.isoformat()}"
            main_ko = f"{label_ko} {d0}({tzkey} 기준 날짜)을 0일로 하여 역일 {amount}일 = {due_date.isoformat()}"
        else:
            due_date, clamped = _add_months(day0, amount)
            mo = "month" if amount == 1 else "months"
            main_en = f"{label_en} {d0} ({tzkey} date) + {amount} {mo} = {due_date.isoformat()}"
            main_ko = f"{label_ko} {d0}({tzkey} 기준 날짜) + {amount}개월 = {due_date.isoformat()}"
            if clamped:
                main_en += f" (day {day0.day} does not exist in that month: its last day applies)"
                main_ko += f"(해당 월에 {day0.day}일이 없어 그 달의 말일)"
        skip_en = skip_ko = []
        unconfirmed = []

    if roll_forward:
        if cal is None:
            cal = builtin_calendar(calendar_code or "WEEKENDS")
        if not cal.is_business_day(due_date):
            reason = cal.non_business_reason(due_date) or ("closed", "휴무일")
            rolled = cal.next_business_day(due_date)
            steps_roll = Step(
                f"The period's last day {due_date.isoformat()} is not a business day ({reason[0]}): "
                f"it runs to the next business day, {rolled.isoformat()} (roll-forward, e.g. Korean "
                f"Civil Act Art. 161).",
                f"기간의 말일 {due_date.isoformat()}이(가) 영업일이 아니므로({reason[1]}) 다음 영업일인 "
                f"{rolled.isoformat()}까지 연장됩니다(민법 제161조 등).",
            )
            due_date = rolled
        else:
            steps_roll = None
    else:
        steps_roll = None

    due = _at_local(due_date, cutoff or END_OF_DAY, tz)
    d_txt = format_instant(due)
    steps.append(Step(f"{main_en}; due {d_txt}", f"{main_ko}; 기한 {d_txt}"))
    if skip_en:
        steps.append(
            Step("Not counted: " + ", ".join(skip_en), "산입하지 않은 날: " + ", ".join(skip_ko))
        )
    if steps_roll is not None:
        steps.append(steps_roll)
    if unconfirmed and cal is not None:
        alternative, _, _ = cal.count_business_days(day0, amount, unconfirmed_closed=True)
        names_en = ", ".join(
            f"{d.isoformat()} ({c.label})"
            for d in unconfirmed
            if (c := cal.unconfirmed_closure(d)) is not None
        )
        names_ko = ", ".join(d.isoformat() for d in unconfirmed)
        alt = alternative.isoformat()
        steps.append(
            Step(
                f"Counted as business days although a closure was announced but is not confirmed "
                f"for this calendar: {names_en}. If they are holidays, the due date would be {alt} "
                f"(later); this result uses the earlier, safer date.",
                f"휴무가 발표되었으나 이 달력에 대해 확인되지 않은 날을 영업일로 산입했습니다: "
                f"{names_ko}. 이 날들이 휴일이라면 기한은 {alt}(더 늦은 날)입니다. "
                f"이 결과는 더 이르고 안전한 날짜를 사용합니다.",
            )
        )
    return _Count(due, steps, counted, alternative)


# -- public API ----------------------------------------------------------------------------------


def compute_due(
    rule: RuleSpec,
    trigger: Trigger,
    *,
    calendar: BusinessCalendar | None = None,
    awareness: Trigger | None = None,
    entity_tz: str | None = None,
    relief_excluded: bool | None = None,
    relief_calendar: BusinessCalendar | None = None,
) -> DeadlineResult:
    """Due instant and explanation for one rule version and one trigger.

    ``calendar`` overrides ``builtin_calendar(rule.calendar_code)`` (e.g. a calendar built from
    the database with admin closures). ``awareness`` feeds the long stop of rules that have one
    (eu-dora-initial: the earlier of classification + 4 h and awareness + 24 h).
    ``entity_tz`` is the obliged entity's own zone: rules whose days are the entity's
    (``day_zone``) count in it, or in both zones keeping the earlier due time.
    ``relief_excluded`` / ``relief_calendar`` feed the DORA weekend relief: whether the entity
    is one of those the relief does not cover (None = unknown: the stricter time is kept) and
    the calendar of its Member State's bank holidays (default: weekends only).
    """

    def in_zone(tzkey: str) -> _Zoned:
        return _compute_in_zone(rule, trigger, tzkey, calendar, awareness)

    chosen, steps = choose_day_zone(
        rule.day_zone,
        rule.reference_tz,
        entity_tz,
        day_based=rule.period_unit in DAY_UNITS,
        compute=in_zone,
    )
    due = chosen.due
    if due is not None and rule.weekend_relief is not WeekendRelief.NONE:
        due = apply_weekend_relief(
            rule.weekend_relief, due, relief_excluded, relief_calendar, steps
        )
    return DeadlineResult(
        code=rule.code,
        version=rule.version,
        due_at=due,
        internal_target_at=chosen.internal,
        without_delay=rule.period_unit is Unit.WITHOUT_DELAY,
        explanation=tuple(steps),
        counted_days=chosen.counted,
        alternative_if_unconfirmed=chosen.alternative,
    )


@dataclass
class _Zoned:
    """One computation of a rule in one zone (before zone choice and weekend relief)."""

    tzkey: str
    due: datetime | None
    internal: datetime | None
    steps: list[Step]
    counted: tuple[date, ...] = ()
    alternative: date | None = None


def _compute_in_zone(
    rule: RuleSpec,
    trigger: Trigger,
    tzkey: str,
    calendar: BusinessCalendar | None,
    awareness: Trigger | None,
) -> _Zoned:
    tz = zone(tzkey)
    label_en = trigger.label_en or rule.trigger_label_en
    label_ko = trigger.label_ko or rule.trigger_label_ko
    start = _start_instant(trigger, tz)
    steps: list[Step] = []
    if trigger.precision is not Precision.EXACT:
        steps.append(_precision_step(trigger, start, label_en, label_ko, tzkey))

    unit = rule.period_unit
    due: datetime | None = None
    counted: tuple[date, ...] = ()
    alternative: date | None = None
    if unit is Unit.WITHOUT_DELAY:
        steps.append(
            Step(
                f'{rule.title_en}: the law says "without delay" (or "promptly") with no number, so '
                f"there is no legal due time. Act as soon as possible after the {label_en} ({format_instant(start)}).",
                f"{rule.title_ko}: 법령이 '지체 없이' 등으로만 정하고 수치가 없어 법정 기한 시각이 "
                f"없습니다. {label_ko}({format_instant(start)}) 후 가능한 한 빨리 이행하십시오.",
            )
        )
    elif rule.period_amount is not None:  # always, per RuleSpec.__post_init__
        c = _count(
            rule.period_amount,
            unit,
            start,
            tz,
            tzkey,
            rule.cutoff,
            calendar,
            rule.calendar_code,
            rule.roll_forward and unit in DAY_UNITS,
            label_en,
            label_ko,
            rule.first_day_counts,
        )
        due, counted, alternative = c.due, c.counted, c.alternative
        steps.extend(c.steps)
        if rule.long_stop_hours is not None:
            due = _apply_long_stop(rule, due, start, awareness, tz, steps)

    internal: datetime | None = None
    if rule.internal_target_amount is not None and rule.internal_target_unit is not None:
        ic = _count(
            rule.internal_target_amount,
            rule.internal_target_unit,
            start,
            tz,
            tzkey,
            rule.cutoff,
            calendar,
            rule.calendar_code,
            False,
            label_en,
            label_ko,
        )
        internal = ic.due
        for s in ic.steps:
            steps.append(
                Step(
                    f"Internal target, not a legal deadline: {s.en}",
                    f"내부 목표(법정 기한 아님): {s.ko}",
                )
            )

    return _Zoned(tzkey, due, internal, steps, counted, alternative)


def _apply_long_stop(
    rule: RuleSpec,
    primary: datetime,
    start: datetime,
    awareness: Trigger | None,
    tz: ZoneInfo,
    steps: list[Step],
) -> datetime:
    hours = rule.long_stop_hours or 0
    if awareness is None:
        steps.append(
            Step(
                f"Awareness time not given: the long stop (awareness + {hours} h) was not checked; "
                f"record when the entity became aware.",
                f"인지 시각이 없어 장기 한도(인지 + {hours}시간)를 확인하지 못했습니다. "
                f"인지 시각을 기록하십시오.",
            )
        )
        return primary
    a_start = _start_instant(awareness, tz)
    if awareness.precision is not Precision.EXACT:
        steps.append(_precision_step(awareness, a_start, "awareness", "인지", rule.reference_tz))
    long_stop = (a_start.astimezone(UTC) + timedelta(hours=hours)).astimezone(tz)
    p_txt, l_txt, a_txt = (
        format_instant(primary),
        format_instant(long_stop),
        format_instant(a_start),
    )
    # Compare on the UTC timeline: same-tzinfo datetimes compare as wall-clock times.
    start_utc, long_stop_utc = start.astimezone(UTC), long_stop.astimezone(UTC)
    if start_utc >= long_stop_utc:
        steps.append(
            Step(
                f"Long stop: awareness {a_txt} + {hours} h = {l_txt} had already passed when the "
                f"{rule.trigger_label_en} happened, so the period from the {rule.trigger_label_en} "
                f"applies: due {p_txt}.",
                f"장기 한도: 인지 {a_txt} + {hours}시간 = {l_txt}이(가) {rule.trigger_label_ko} 전에 "
                f"이미 지났으므로 {rule.trigger_label_ko} 기준 기간이 적용됩니다: 기한 {p_txt}.",
            )
        )
        return primary
    if long_stop_utc < primary.astimezone(UTC):
        steps.append(
            Step(
                f"Long stop wins: awareness {a_txt} + {hours} h = {l_txt} is earlier than {p_txt}; "
                f"due {l_txt}.",
                f"장기 한도 적용: 인지 {a_txt} + {hours}시간 = {l_txt}이(가) {p_txt}보다 이르므로 "
                f"기한은 {l_txt}입니다.",
            )
        )
        return long_stop
    steps.append(
        Step(
            f"The {rule.trigger_label_en} + {rule.period_amount} h ({p_txt}) is earlier than the long "
            f"stop, awareness {a_txt} + {hours} h = {l_txt}, so it applies.",
            f"{rule.trigger_label_ko} + {rule.period_amount}시간({p_txt})이 장기 한도인 인지 {a_txt} + "
            f"{hours}시간 = {l_txt}보다 이르므로 이것이 적용됩니다.",
        )
    )
    return primary


def select_version(versions: Sequence[RuleSpec], trigger_at: datetime) -> RuleSpec | None:
    """The version in force on the trigger's date in that version's reference zone.

    effective_from <= date < effective_to, None = open-ended. If several match (overlapping data),
    the highest version number wins.
    """
    if not _is_aware(trigger_at):
        raise ValueError(f"Trigger time must be timezone-aware, got {trigger_at!r}.")
    best: RuleSpec | None = None
    for v in versions:
        if v.in_force_on(trigger_at.astimezone(zone(v.reference_tz)).date()) and (
            best is None or v.version > best.version
        ):
            best = v
    return best


def _range_text(v: RuleSpec) -> str:
    a = v.effective_from.isoformat() if v.effective_from else "…"
    b = v.effective_to.isoformat() if v.effective_to else "…"
    return f"v{v.version}: {a} – {b}"


def compute_for_versions(
    versions: Sequence[RuleSpec],
    trigger: Trigger,
    *,
    calendar: BusinessCalendar | None = None,
    awareness: Trigger | None = None,
    entity_tz: str | None = None,
    relief_excluded: bool | None = None,
    relief_calendar: BusinessCalendar | None = None,
) -> DeadlineResult:
    """Pick the version in force on the trigger's date and compute; report when none is."""
    if not versions:
        raise ValueError("compute_for_versions needs at least one rule version.")
    chosen = select_version(versions, trigger.at)
    if chosen is not None:
        return compute_due(
            chosen,
            trigger,
            calendar=calendar,
            awareness=awareness,
            entity_tz=entity_tz,
            relief_excluded=relief_excluded,
            relief_calendar=relief_calendar,
        )
    first = versions[0]
    d = trigger.at.astimezone(zone(first.reference_tz)).date().isoformat()
    ranges = "; ".join(_range_text(v) for v in sorted(versions, key=lambda v: v.version))
    step = Step(
        f"{first.code} is not in force on {d} ({first.reference_tz} date of the "
        f"{first.trigger_label_en}): no legal due time under this rule. In force: {ranges} "
        f"(end dates exclusive).",
        f"{first.code}은(는) {d}({first.reference_tz} 기준 {first.trigger_label_ko} 날짜)에 "
        f"시행 중이 아니므로 이 규정에 따른 법정 기한이 없습니다. 시행 기간: {ranges}"
        f"(종료일 불포함).",
    )
    return DeadlineResult(
        code=first.code,
        version=None,
        due_at=None,
        internal_target_at=None,
        without_delay=False,
        explanation=(step,),
        not_in_force=True,
    )


_OFFSET_RE: Final = re.compile(r"^\s*(\d{1,6})\s*(h|cd|bd|mo)\s*$", re.IGNORECASE)
_OFFSET_LIMITS: Final = {
    Unit.HOURS: 24 * 3660,
    Unit.CALENDAR_DAYS: 3660,
    Unit.BUSINESS_DAYS: 2600,
    Unit.MONTHS: 120,
}


def parse_offset(text: str) -> tuple[int, Unit]:
    """'3bd' -> (3, BUSINESS_DAYS); accepts h, cd, bd, mo (case-insensitive, spaces allowed)."""
    m = _OFFSET_RE.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(
            f"Cannot read the offset {text!r}: write a whole number followed by a unit, "
            "h (clock hours), cd (calendar days), bd (business days) or mo (months), "
            "e.g. '72h', '30cd', '4bd', '1mo'."
        )
    amount = int(m.group(1))
    unit = Unit(m.group(2).lower())
    if amount < 1:
        raise ValueError(f"The offset {text!r} must be at least 1 {_UNIT_EN[unit]}.")
    limit = _OFFSET_LIMITS[unit]
    if amount > limit:
        raise ValueError(f"The offset {text!r} is too large: at most {limit} {_UNIT_EN[unit]}.")
    return amount, unit


def adhoc_rule(
    amount: int,
    unit: Unit,
    *,
    calendar_code: str | None,
    reference_tz: str,
    cutoff: time | None = None,
    roll_forward: bool = False,
) -> RuleSpec:
    """A one-off rule for the what-if calculator and internal SLAs (code 'adhoc')."""
    unit = Unit(unit)
    en, ko = _period_text(amount, unit, calendar_code)
    return RuleSpec(
        code="adhoc",
        version=1,
        title_en=f"Ad hoc: + {en}",
        title_ko=f"임의 기한: + {ko}",
        period_amount=amount,
        period_unit=unit,
        calendar_code=calendar_code,
        reference_tz=reference_tz,
        cutoff=cutoff,
        effective_from=None,
        effective_to=None,
        roll_forward=roll_forward,
    )


def lateness(due_at: datetime | None, filed_at: datetime) -> timedelta | None:
    """filed_at - due_at on the UTC timeline (positive = late); None when there is no legal due."""
    if not _is_aware(filed_at):
        raise ValueError(f"Filing time must be timezone-aware, got {filed_at!r}.")
    if due_at is None:
        return None
    # Convert first: datetimes sharing a tzinfo subtract as wall-clock times, wrong across DST.
    return filed_at.astimezone(UTC) - due_at.astimezone(UTC)
