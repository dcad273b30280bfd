"""Properties of the deadline engine, checked with hypothesis over 2024-2027 triggers.

Profiles: "ci" (50 examples) and "dev" (300), registered in tests/conftest.py and chosen there by
the HYPOTHESIS_PROFILE environment variable (default "dev").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from regulators.engine.calendars import builtin_calendar
from regulators.engine.rules import RuleSpec, Trigger, Unit, adhoc_rule, compute_due

START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, 23, 59, tzinfo=UTC)

instants = st.datetimes(
    min_value=START.replace(tzinfo=None),
    max_value=END.replace(tzinfo=None),
    timezones=st.just(UTC),
)
observer_zones = st.sampled_from(
    ["Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]
)


def in_zone(instant: datetime, key: str) -> datetime:
    return instant.astimezone(ZoneInfo(key))


@given(
    instant=instants,
    observer=observer_zones,
    amount=st.integers(min_value=1, max_value=30),
    code=st.sampled_from(["KR", "US-EDGAR"]),
)
def test_business_day_result_is_never_a_weekend_holiday_or_confirmed_closure(
    instant: datetime, observer: str, amount: int, code: str
) -> None:
    tz = "Asia/Seoul" if code == "KR" else "America/New_York"
    spec = adhoc_rule(amount, Unit.BUSINESS_DAYS, calendar_code=code, reference_tz=tz)
    calendar = builtin_calendar(code)

    result = compute_due(spec, Trigger(in_zone(instant, observer)))

    assert result.due_at is not None
    due_date = result.due_at.date()
    assert due_date.weekday() < 5
    assert calendar.holiday_name(due_date) is None
    assert calendar.is_business_day(due_date)
    assert len(result.counted_days) == amount
    assert all(calendar.is_business_day(d) for d in result.counted_days)
    assert result.counted_days[-1] == due_date
    trigger_date = instant.astimezone(ZoneInfo(tz)).date()
    assert due_date > trigger_date


def _rule_for(unit: Unit, amount: int) -> RuleSpec:
    if unit is Unit.BUSINESS_DAYS:
        return adhoc_rule(amount, unit, calendar_code="US-EDGAR", reference_tz="America/New_York")
    return adhoc_rule(amount, unit, calendar_code="KR", reference_tz="Asia/Seoul")


@given(
    unit=st.sampled_from([Unit.HOURS, Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS, Unit.MONTHS]),
    amount=st.integers(min_value=1, max_value=12),
    first=instants,
    later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    roll_forward=st.booleans(),
)
def test_due_never_decreases_when_the_trigger_moves_later(
    unit: Unit, amount: int, first: datetime, later_by: timedelta, roll_forward: bool
) -> None:
    spec = _rule_for(unit, amount)
    if roll_forward and unit is not Unit.HOURS:
        spec = adhoc_rule(
            amount,
            unit,
            calendar_code=spec.calendar_code,
            reference_tz=spec.reference_tz,
            roll_forward=True,
        )

    early = compute_due(spec, Trigger(first))
    late = compute_due(spec, Trigger(first + later_by))

    assert early.due_at is not None
    assert late.due_at is not None
    assert early.due_at.astimezone(UTC) <= late.due_at.astimezone(UTC)


@given(
    instant=instants,
    hours=st.sampled_from([4, 24, 48, 72, 96]),
    key=st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Sydney"]),
)
def test_clock_hours_are_exact_elapsed_time_across_dst(
    instant: datetime, hours: int, key: str
) -> None:
    spec = adhoc_rule(hours, Unit.HOURS, calendar_code=None, reference_tz=key)
    trigger = Trigger(instant.astimezone(ZoneInfo(key)))

    result = compute_due(spec, trigger)

    assert result.due_at is not None
    assert result.due_at.astimezone(UTC) - instant == timedelta(hours=hours)
    assert result.due_at.tzinfo == ZoneInfo(key)
    # The wall clock shifts by exactly the change in UTC offset (zero unless DST changed).
    assert trigger.at.utcoffset() is not None
    assert result.due_at.utcoffset() is not None
    wall = result.due_at.replace(tzinfo=None) - trigger.at.replace(tzinfo=None)
    offset_change = result.due_at.utcoffset() - trigger.at.utcoffset()  # type: ignore[operator]
    assert wall == timedelta(hours=hours) + offset_change


def _transitions(key: str) -> list[datetime]:
    """UTC instants in 2024-2027 where the zone's UTC offset changes (REGULATIONS.md B.3)."""
    tz = ZoneInfo(key)
    found = []
    t = START
    while t < END:
        nxt = t + timedelta(hours=1)
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            found.append(nxt)
        t = nxt
    return found


DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney"]
TRANSITIONS = {key: _transitions(key) for key in DST_ZONES}


@given(
    key=st.sampled_from(DST_ZONES),
    index=st.integers(min_value=0, max_value=7),
    before=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(hours=95)),
    hours=st.sampled_from([4, 24, 72, 96]),
)
def test_clock_hours_straddling_a_dst_change_are_exact_elapsed_time(
    key: str, index: int, before: timedelta, hours: int
) -> None:
    transition = TRANSITIONS[key][index]
    instant = transition - before
    spec = adhoc_rule(hours, Unit.HOURS, calendar_code=None, reference_tz=key)

    result = compute_due(spec, Trigger(instant.astimezone(ZoneInfo(key))))

    assert result.due_at is not None
    assert result.due_at.astimezone(UTC) == instant + timedelta(hours=hours)
    if before < timedelta(hours=hours):
        # The window crosses the change: the explanation says the wall clock moved.
        assert "daylight saving" in " ".join(step.en for step in result.explanation)


def test_each_dst_zone_has_two_changes_a_year_in_2024_2027() -> None:
    for key in DST_ZONES:
        assert len(TRANSITIONS[key]) == 8, key
    # Spot-check REGULATIONS.md B.3: New York falls back on 2026-11-01 at 06:00 UTC.
    assert datetime(2026, 11, 1, 6, tzinfo=UTC) in TRANSITIONS["America/New_York"]


@given(day=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_unconfirmed_closures_never_make_a_due_date_later(day: date) -> None:
    calendar = builtin_calendar("US-EDGAR")

    due, _, _ = calendar.count_business_days(day, 4)
    alternative, _, _ = calendar.count_business_days(day, 4, unconfirmed_closed=True)

    assert due <= alternative
