"""Worked examples E1-E15 of REGULATIONS.md section F, plus the engine's edge cases.

Plain Python: no Django, no database (run with ``-p no:django`` while settings are in flux).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from regulators.engine.calendars import BusinessCalendar, Closure, builtin_calendar
from regulators.engine.catalogue import CATALOGUE, CODES, versions_for
from regulators.engine.rules import (
    DeadlineResult,
    Precision,
    RuleSpec,
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

SEOUL = ZoneInfo("Asia/Seoul")
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SINGAPORE = ZoneInfo("Asia/Singapore")


def at(text: str) -> datetime:
    """An aware datetime from ISO text with an explicit offset."""
    dt = datetime.fromisoformat(text)
    assert dt.tzinfo is not None, text
    return dt


def rule(code: str) -> RuleSpec:
    """The catalogue version of ``code`` in force today (the latest)."""
    return versions_for(code)[-1]


def text_of(result: DeadlineResult) -> str:
    return "\n".join(f"{s.en}\n{s.ko}" for s in result.explanation)


def edgar_with_closures_confirmed() -> BusinessCalendar:
    """E8 (a): statutory holidays plus the two 2025 EO closures, as an admin would enter them."""
    return BusinessCalendar(
        "US-EDGAR",
        "US",
        closures=[
            Closure(date(2025, 1, 9), True, "National Day of Mourning for President Carter"),
            Closure(date(2025, 12, 24), True, "Executive-order closure (Christmas Eve)"),
            Closure(date(2025, 12, 26), True, "Executive-order closure (day after Christmas)"),
        ],
    )


def berlin(code: str) -> RuleSpec:
    return dataclasses.replace(rule(code), reference_tz="Europe/Berlin")


# (id, rule, trigger, calendar, awareness, expected due ISO, snippets expected in the explanation)
EXAMPLES = [
    pytest.param(
        rule("kr-network-act-48-3-initial"),
        Trigger(at("2025-11-17T16:00+09:00")),
        None,
        None,
        "2025-11-18T16:00:00+09:00",
        ["+ 24 h", "2025-11-18 16:00 KST (+09:00)", "24시간"],
        id="E1-network-act-24h",
    ),
    pytest.param(
        rule("kr-pipa-34-pipc-report"),
        Trigger(at("2025-11-18T22:52+09:00")),
        None,
        None,
        "2025-11-21T22:52:00+09:00",
        ["+ 72 h", "2025-11-21 22:52 KST (+09:00)"],
        id="E2-pipa-72h-coupang-first-report",
    ),
    pytest.param(
        rule("kr-pipa-34-pipc-report"),
        Trigger(at("2025-11-17T16:00+09:00")),
        None,
        None,
        "2025-11-20T16:00:00+09:00",
        ["2025-11-20 16:00 KST (+09:00)"],
        id="E2-pipa-72h-joint-team-awareness",
    ),
    pytest.param(
        rule("kr-pipa-34-pipc-report"),
        Trigger(at("2025-11-27T03:47+09:00")),
        None,
        None,
        "2025-11-30T03:47:00+09:00",
        ["2025-11-30 03:47 KST (+09:00)"],
        id="E3-pipa-72h-sunday-stays-sunday",
    ),
    pytest.param(
        rule("kr-pipa-34-subject-notice"),
        Trigger(at("2026-02-13T20:00+09:00")),
        None,
        None,
        "2026-02-16T20:00:00+09:00",
        ["weekends and holidays all count"],
        id="E4-pipa-72h-across-weekend-and-seollal",
    ),
    pytest.param(
        rule("us-sec-8k-1-05"),
        Trigger(at("2025-11-18T10:00-05:00")),
        None,
        None,
        "2025-11-24T17:30:00-05:00",
        [
            "materiality determination 2025-11-18 (America/New_York date) + 4 US-EDGAR business "
            "days: 11-19, 11-20, 11-21, 11-24; due 2025-11-24 17:30 EST (-05:00)",
            "11-22 (Saturday)",
            "11-23(일요일)",
        ],
        id="E5-sec-8k-coupang",
    ),
    pytest.param(
        rule("us-sec-8k-1-05"),
        Trigger(at("2025-11-19T09:00+09:00")),
        None,
        None,
        "2025-11-24T17:30:00-05:00",
        ["2025-11-18 (America/New_York date)"],
        id="E5-zone-trap-seoul-morning-is-new-york-previous-day",
    ),
    pytest.param(
        dataclasses.replace(rule("us-sec-8k-1-05"), reference_tz="Asia/Seoul"),
        Trigger(at("2025-11-19T09:00+09:00")),
        None,
        None,
        "2025-11-25T17:30:00+09:00",
        ["2025-11-19 (Asia/Seoul date)"],
        id="E5-zone-trap-with-seoul-reference-date",
    ),
    pytest.param(
        rule("us-sec-8k-1-05"),
        Trigger(at("2025-11-25T12:00-05:00")),
        None,
        None,
        "2025-12-02T17:30:00-05:00",
        ["11-26, 11-28, 12-01, 12-02", "11-27 (Thanksgiving Day)", "추수감사절"],
        id="E6-sec-across-thanksgiving-2025",
    ),
    pytest.param(
        rule("us-sec-8k-1-05"),
        Trigger(at("2026-12-23T12:00-05:00")),
        None,
        None,
        "2026-12-30T17:30:00-05:00",
        ["12-24, 12-28, 12-29, 12-30", "12-25 (Christmas Day)"],
        id="E7-sec-across-christmas-2026-builtin-calendar",
    ),
    pytest.param(
        rule("us-sec-8k-1-05"),
        Trigger(at("2025-12-22T12:00-05:00")),
        edgar_with_closures_confirmed(),
        None,
        "2025-12-31T17:30:00-05:00",
        [
            "12-23, 12-29, 12-30, 12-31",
            "12-24 (Executive-order closure (Christmas Eve))",
            "12-26 (Executive-order closure (day after Christmas))",
        ],
        id="E8-sec-christmas-2025-with-confirmed-closures",
    ),
    pytest.param(
        adhoc_rule(72, Unit.HOURS, calendar_code=None, reference_tz="America/New_York"),
        Trigger(at("2026-10-31T09:00-04:00")),
        None,
        None,
        "2026-11-03T08:00:00-05:00",
        ["2026-11-03 08:00 EST (-05:00)", "from -04:00 to -05:00", "exactly 72 h"],
        id="E9-72h-across-us-dst-end",
    ),
    pytest.param(
        berlin("eu-nis2-early-warning"),
        Trigger(at("2026-10-24T09:00+02:00")),
        None,
        None,
        "2026-10-25T08:00:00+01:00",
        ["2026-10-25 08:00 CET (+01:00)", "from +02:00 to +01:00"],
        id="E10-nis2-early-warning-across-eu-dst-end",
    ),
    pytest.param(
        berlin("eu-nis2-notification"),
        Trigger(at("2026-10-24T09:00+02:00")),
        None,
        None,
        "2026-10-27T08:00:00+01:00",
        ["2026-10-27 08:00 CET (+01:00)"],
        id="E10-nis2-notification-72h",
    ),
    pytest.param(
        berlin("eu-nis2-final"),
        Trigger(at("2026-10-27T08:00+01:00")),
        None,
        None,
        "2026-11-27T23:59:59+01:00",
        ["+ 1 month = 2026-11-27"],
        id="E10-nis2-final-one-month",
    ),
    pytest.param(
        rule("eu-dora-initial"),
        Trigger(at("2026-06-09T15:30+02:00")),
        None,
        Trigger(at("2026-06-09T08:00+02:00")),
        "2026-06-09T19:30:00+02:00",
        ["is earlier than the long stop", "2026-06-10 08:00 CEST (+02:00)"],
        id="E11-dora-initial-classification-plus-4h-wins",
    ),
    pytest.param(
        rule("eu-dora-intermediate"),
        Trigger(at("2026-06-09T18:45+02:00")),
        None,
        None,
        "2026-06-12T18:45:00+02:00",
        ["submission of the initial notification 2026-06-09 18:45 CEST (+02:00) + 72 h"],
        id="E11-dora-intermediate-72h-after-submission",
    ),
    pytest.param(
        rule("eu-dora-final"),
        Trigger(at("2026-06-15T10:00+02:00")),
        None,
        None,
        "2026-07-15T23:59:59+02:00",
        ["+ 1 month = 2026-07-15"],
        id="E11-dora-final-one-month",
    ),
    pytest.param(
        rule("sg-pdpa-26d"),
        Trigger(at("2026-12-24T11:00+08:00")),
        None,
        None,
        "2026-12-27T23:59:59+08:00",
        ["is day 0; + 3 calendar days = 2026-12-27", "2026-12-27 23:59:59 (+08:00)"],
        id="E12-singapore-3cd-over-christmas-no-roll-forward",
    ),
    pytest.param(
        rule("us-hipaa-individuals"),
        Trigger(at("2026-01-15T10:00-05:00")),
        None,
        None,
        "2026-03-16T23:59:59-04:00",
        ["+ 60 calendar days = 2026-03-16", "EDT (-04:00)"],
        id="E13-hipaa-60cd",
    ),
    pytest.param(
        adhoc_rule(3, Unit.BUSINESS_DAYS, calendar_code="KR", reference_tz="Asia/Seoul"),
        Trigger(at("2025-10-02T10:00+09:00")),
        None,
        None,
        "2025-10-14T23:59:59+09:00",
        [
            "10-10, 10-13, 10-14",
            "10-08 (Alternative holiday for Chuseok)",
            "10-08(추석 대체 휴일)",
            "10-03 (National Foundation Day)",
            "10-09 (Hangul Day)",
        ],
        id="E14-kr-3bd-across-chuseok-2025-substitute-day",
    ),
    pytest.param(
        adhoc_rule(2, Unit.BUSINESS_DAYS, calendar_code="KR", reference_tz="Asia/Seoul"),
        Trigger(at("2024-09-30T10:00+09:00")),
        None,
        None,
        "2024-10-04T23:59:59+09:00",
        ["10-02, 10-04", "10-01 (Armed Forces Day)", "10-03 (National Foundation Day)"],
        id="E15-kr-2bd-across-one-off-armed-forces-day",
    ),
    pytest.param(
        adhoc_rule(1, Unit.BUSINESS_DAYS, calendar_code="KR", reference_tz="Asia/Seoul"),
        Trigger(at("2024-09-30T10:00+09:00")),
        None,
        None,
        "2024-10-02T23:59:59+09:00",
        ["+ 1 KR business days: 10-02"],
        id="E15-kr-1bd-skips-one-off-holiday",
    ),
]


@pytest.mark.parametrize(
    ("spec", "trigger", "calendar", "awareness", "expected_due", "snippets"), EXAMPLES
)
def test_worked_example_gives_the_documented_due_instant(
    spec: RuleSpec,
    trigger: Trigger,
    calendar: BusinessCalendar | None,
    awareness: Trigger | None,
    expected_due: str,
    snippets: list[str],
) -> None:
    result = compute_due(spec, trigger, calendar=calendar, awareness=awareness)

    assert result.due_at is not None
    assert result.due_at.isoformat() == expected_due
    assert result.due_at.tzinfo == ZoneInfo(spec.reference_tz)
    explanation = text_of(result)
    for snippet in snippets:
        assert snippet in explanation


def test_e1_late_report_is_29_hours_35_minutes_late() -> None:
    result = compute_due(rule("kr-network-act-48-3-initial"), Trigger(at("2025-11-17T16:00+09:00")))

    late = lateness(result.due_at, at("2025-11-19T21:35+09:00"))

    assert late == timedelta(hours=29, minutes=35)
    assert format_duration_en(late) == "29 h 35 min"
    assert format_duration_ko(late) == "29시간 35분"


def test_e2_first_pipc_report_on_11_20_is_on_time() -> None:
    result = compute_due(rule("kr-pipa-34-pipc-report"), Trigger(at("2025-11-18T22:52+09:00")))

    late = lateness(result.due_at, at("2025-11-20T12:00+09:00"))

    assert late is not None
    assert late < timedelta(0)


def test_e5_actual_filing_on_12_16_is_the_19th_business_day() -> None:
    _, counted, _ = builtin_calendar("US-EDGAR").add_business_days(date(2025, 11, 18), 19)

    assert counted[-1] == date(2025, 12, 16)


def test_e8_statutory_only_reading_gives_12_29() -> None:
    statutory = BusinessCalendar("US-FEDERAL", "US")
    result = compute_due(
        rule("us-sec-8k-1-05"), Trigger(at("2025-12-22T12:00-05:00")), calendar=statutory
    )

    assert result.due_at == at("2025-12-29T17:30-05:00")


def test_e7_a_later_eo_closure_on_12_24_shifts_the_count_by_one_day() -> None:
    closed = BusinessCalendar(
        "US-EDGAR", "US", closures=[Closure(date(2026, 12, 24), True, "EO closure")]
    )
    result = compute_due(
        rule("us-sec-8k-1-05"), Trigger(at("2026-12-23T12:00-05:00")), calendar=closed
    )

    assert result.due_at == at("2026-12-31T17:30-05:00")


def test_e14_calendar_without_substitute_day_would_give_10_13() -> None:
    without_substitute = BusinessCalendar("KR", "KR", removed=[date(2025, 10, 8)])
    spec = adhoc_rule(3, Unit.BUSINESS_DAYS, calendar_code="KR", reference_tz="Asia/Seoul")

    result = compute_due(spec, Trigger(at("2025-10-02T10:00+09:00")), calendar=without_substitute)

    assert result.due_at == at("2025-10-13T23:59:59+09:00")


# -- unconfirmed closures --------------------------------------------------------------------------


def test_unconfirmed_edgar_closures_count_and_the_explanation_gives_the_later_date() -> None:
    result = compute_due(rule("us-sec-8k-1-05"), Trigger(at("2025-12-22T12:00-05:00")))

    assert result.due_at == at("2025-12-29T17:30-05:00")
    assert result.counted_days == (
        date(2025, 12, 23),
        date(2025, 12, 24),
        date(2025, 12, 26),
        date(2025, 12, 29),
    )
    assert result.alternative_if_unconfirmed == date(2025, 12, 31)
    explanation = text_of(result)
    assert "2025-12-24" in explanation
    assert "2025-12-26" in explanation
    assert "not confirmed" in explanation
    assert "2025-12-31 (later)" in explanation
    assert "확인되지 않은" in explanation


def test_confirmed_builtin_edgar_closure_2025_01_09_is_skipped() -> None:
    result = compute_due(rule("us-sec-8k-1-05"), Trigger(at("2025-01-07T12:00-05:00")))

    # 01-08 = 1, 01-09 closed, 01-10 = 2, 01-13 = 3, 01-14 = 4.
    assert result.due_at == at("2025-01-14T17:30-05:00")
    assert "01-09 (National Day of Mourning for President Carter)" in text_of(result)
    assert result.alternative_if_unconfirmed is None


def test_builtin_calendars_know_observed_new_year_2028_on_2027_12_31() -> None:
    edgar = builtin_calendar("US-EDGAR")

    assert not edgar.is_business_day(date(2027, 12, 31))
    assert edgar.holiday_name(date(2027, 12, 31)) == "New Year's Day (observed)"
    due, _, _ = edgar.add_business_days(date(2027, 12, 30), 1)
    assert due == date(2028, 1, 3)


def test_removed_holiday_becomes_a_business_day() -> None:
    cal = BusinessCalendar("KR-custom", "KR", removed=[date(2026, 5, 1)])

    assert not builtin_calendar("KR").is_business_day(date(2026, 5, 1))
    assert cal.is_business_day(date(2026, 5, 1))


# -- versions and force --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger_at", "expected_version", "without_delay", "expected_due"),
    [
        pytest.param("2024-08-01T10:00+09:00", 1, True, None, id="before-2024-08-14-immediately"),
        pytest.param(
            "2024-09-01T10:00+09:00", 2, False, "2024-09-02T10:00:00+09:00", id="after-24h"
        ),
        pytest.param(
            "2024-08-14T00:00+09:00", 2, False, "2024-08-15T00:00:00+09:00", id="on-the-day"
        ),
        pytest.param("2024-08-13T23:59+09:00", 1, True, None, id="last-minute-of-old-text"),
    ],
)
def test_network_act_version_is_chosen_by_the_trigger_date_in_seoul(
    trigger_at: str, expected_version: int, without_delay: bool, expected_due: str | None
) -> None:
    result = compute_for_versions(
        versions_for("kr-network-act-48-3-initial"), Trigger(at(trigger_at))
    )

    assert result.version == expected_version
    assert result.without_delay is without_delay
    assert (result.due_at.isoformat() if result.due_at else None) == expected_due


def test_version_selection_uses_the_rule_zone_not_utc() -> None:
    # 2024-08-13 15:30 UTC is already 2024-08-14 00:30 in Seoul: the 24 h text applies.
    chosen = select_version(
        versions_for("kr-network-act-48-3-initial"), at("2024-08-13T15:30+00:00")
    )

    assert chosen is not None
    assert chosen.version == 2


def test_rule_not_in_force_on_the_trigger_date_reports_it() -> None:
    result = compute_for_versions(
        versions_for("us-ca-1798-82"), Trigger(at("2025-06-01T10:00-07:00"))
    )

    assert result.not_in_force
    assert result.due_at is None
    assert result.version is None
    assert "not in force on 2025-06-01" in result.explanation[0].en
    assert "2026-01-01" in result.explanation[0].en
    assert "시행 중이 아니므로" in result.explanation[0].ko


def test_without_delay_has_no_due_and_labels_the_internal_target() -> None:
    result = compute_due(rule("jp-appi-26-preliminary"), Trigger(at("2026-03-02T10:00+09:00")))

    assert result.without_delay
    assert result.due_at is None
    assert result.internal_target_at == at("2026-03-05T23:59:59+09:00")
    explanation = text_of(result)
    assert "no legal due time" in explanation
    assert "Internal target, not a legal deadline" in explanation
    assert "내부 목표(법정 기한 아님)" in explanation


# -- DORA long stop --------------------------------------------------------------------------------


def test_dora_long_stop_wins_when_classification_comes_late() -> None:
    result = compute_due(
        rule("eu-dora-initial"),
        Trigger(at("2026-06-10T06:00+02:00")),
        awareness=Trigger(at("2026-06-09T08:00+02:00")),
    )

    assert result.due_at == at("2026-06-10T08:00+02:00")
    assert "Long stop wins" in result.explanation[-1].en
    assert "장기 한도 적용" in result.explanation[-1].ko


def test_dora_classification_after_the_long_stop_gets_4h_from_classification() -> None:
    result = compute_due(
        rule("eu-dora-initial"),
        Trigger(at("2026-06-11T09:00+02:00")),
        awareness=Trigger(at("2026-06-09T08:00+02:00")),
    )

    assert result.due_at == at("2026-06-11T13:00+02:00")
    assert "had already passed" in result.explanation[-1].en


def test_dora_without_awareness_says_the_long_stop_was_not_checked() -> None:
    result = compute_due(rule("eu-dora-initial"), Trigger(at("2026-06-09T15:30+02:00")))

    assert result.due_at == at("2026-06-09T19:30+02:00")
    assert "not checked" in text_of(result)


# -- precision, months, roll-forward -----------------------------------------------------------


def test_date_only_trigger_counts_from_the_start_of_that_day_in_the_rule_zone() -> None:
    spec = rule("kr-pipa-34-pipc-report")
    trigger = Trigger(at("2025-11-18T22:52+09:00"), precision=Precision.DATE)

    result = compute_due(spec, trigger)

    assert result.due_at == at("2025-11-21T00:00+09:00")
    assert "date-only precision" in result.explanation[0].en
    assert "2025-11-18 00:00 KST (+09:00)" in result.explanation[0].en
    assert "날짜 정밀도" in result.explanation[0].ko


def test_approximate_trigger_on_a_day_rule_keeps_the_date_and_says_so() -> None:
    result = compute_due(
        rule("us-hipaa-individuals"),
        Trigger(at("2026-01-15T18:00-05:00"), precision=Precision.APPROXIMATE),
    )

    assert result.due_at == at("2026-03-16T23:59:59-04:00")
    assert "approximate" in result.explanation[0].en


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param("2026-01-31", 1, "2026-02-28", id="jan31-to-feb28"),
        pytest.param("2028-01-31", 1, "2028-02-29", id="leap-year-feb29"),
        pytest.param("2026-03-31", 1, "2026-04-30", id="mar31-to-apr30"),
        pytest.param("2026-12-15", 1, "2027-01-15", id="across-year-end"),
        pytest.param("2026-08-31", 6, "2027-02-28", id="six-months"),
        pytest.param("2026-01-30", 1, "2026-02-28", id="jan30-to-feb28"),
    ],
)
def test_months_keep_the_day_number_or_use_the_last_day_of_the_month(
    start: str, months: int, expected: str
) -> None:
    spec = adhoc_rule(months, Unit.MONTHS, calendar_code=None, reference_tz="Europe/Brussels")

    result = compute_due(spec, Trigger(at(f"{start}T12:00+01:00")))

    assert result.due_at is not None
    assert result.due_at.date().isoformat() == expected
    assert result.due_at.time() == time(23, 59, 59)


def test_month_end_clamp_is_explained() -> None:
    spec = adhoc_rule(1, Unit.MONTHS, calendar_code=None, reference_tz="Europe/Brussels")

    result = compute_due(spec, Trigger(at("2026-01-31T12:00+01:00")))

    assert "its last day applies" in result.explanation[0].en


def test_roll_forward_moves_a_holiday_last_day_to_the_next_business_day() -> None:
    # 2025-10-02 + 3 cd = 10-05 (Sunday, day before Chuseok) -> 10-10 (after Chuseok, the
    # substitute day and Hangul Day).
    spec = adhoc_rule(
        3, Unit.CALENDAR_DAYS, calendar_code="KR", reference_tz="Asia/Seoul", roll_forward=True
    )

    result = compute_due(spec, Trigger(at("2025-10-02T10:00+09:00")))

    assert result.due_at == at("2025-10-10T23:59:59+09:00")
    assert "runs to the next business day, 2025-10-10" in text_of(result)
    assert "민법 제161조" in text_of(result)


def test_roll_forward_leaves_a_business_day_alone_and_is_off_by_default() -> None:
    plain = adhoc_rule(3, Unit.CALENDAR_DAYS, calendar_code="KR", reference_tz="Asia/Seoul")
    rolled = dataclasses.replace(plain, roll_forward=True)

    assert compute_due(plain, Trigger(at("2025-10-02T10:00+09:00"))).due_at == at(
        "2025-10-05T23:59:59+09:00"
    )
    assert compute_due(rolled, Trigger(at("2025-10-13T10:00+09:00"))).due_at == at(
        "2025-10-16T23:59:59+09:00"
    )


def test_custom_cutoff_applies_on_the_due_date() -> None:
    spec = adhoc_rule(
        2, Unit.CALENDAR_DAYS, calendar_code=None, reference_tz="Asia/Seoul", cutoff=time(18, 0)
    )

    result = compute_due(spec, Trigger(at("2026-03-02T23:30+09:00")))

    assert result.due_at == at("2026-03-04T18:00+09:00")


# -- inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3bd", (3, Unit.BUSINESS_DAYS)),
        ("7cd", (7, Unit.CALENDAR_DAYS)),
        ("48h", (48, Unit.HOURS)),
        ("1mo", (1, Unit.MONTHS)),
        (" 72 H ", (72, Unit.HOURS)),
    ],
)
def test_parse_offset_reads_amount_and_unit(text: str, expected: tuple[int, Unit]) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 weeks", "Cannot read the offset"),
        ("bd", "Cannot read the offset"),
        ("-3bd", "Cannot read the offset"),
        ("1.5h", "Cannot read the offset"),
        ("", "Cannot read the offset"),
        ("0bd", "at least 1"),
        ("999mo", "too large"),
    ],
)
def test_parse_offset_rejects_bad_text_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_offset(text)


def test_naive_trigger_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Trigger(datetime(2025, 11, 17, 16, 0))  # noqa: DTZ001 - naive on purpose


def test_naive_filing_time_is_rejected() -> None:
    naive = datetime(2025, 11, 19, 21, 35)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="timezone-aware"):
        lateness(at("2025-11-18T16:00+09:00"), naive)


def test_lateness_is_none_without_a_legal_due_time() -> None:
    assert lateness(None, at("2025-11-19T21:35+09:00")) is None


def test_lateness_is_exact_across_dst_in_the_same_zone() -> None:
    due = datetime(2026, 10, 31, 9, 0, tzinfo=NY)
    filed = datetime(2026, 11, 1, 9, 0, tzinfo=NY)

    assert lateness(due, filed) == timedelta(hours=25)


@pytest.mark.parametrize(
    ("td", "en", "ko"),
    [
        (timedelta(minutes=40), "40 min", "40분"),
        (timedelta(seconds=42), "42 s", "42초"),
        (timedelta(hours=24), "24 h", "24시간"),
        (timedelta(hours=-2, minutes=-5), "-2 h 5 min", "-2시간 5분"),
        (timedelta(hours=173, minutes=1), "173 h 1 min", "173시간 1분"),
    ],
)
def test_durations_format_in_both_languages(td: timedelta, en: str, ko: str) -> None:
    assert format_duration_en(td) == en
    assert format_duration_ko(td) == ko


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        adhoc_rule(3, Unit.HOURS, calendar_code=None, reference_tz="Asia/Seul")


def test_unknown_builtin_calendar_is_rejected() -> None:
    spec = adhoc_rule(3, Unit.BUSINESS_DAYS, calendar_code="XX", reference_tz="Asia/Seoul")

    with pytest.raises(ValueError, match="Unknown built-in calendar"):
        compute_due(spec, Trigger(at("2026-03-02T10:00+09:00")))


def test_result_serialises_to_json_with_offsets() -> None:
    result = compute_due(rule("us-sec-8k-1-05"), Trigger(at("2025-12-22T12:00-05:00")))

    data = json.loads(json.dumps(result.to_dict()))

    assert data["due_at"] == "2025-12-29T17:30:00-05:00"
    assert data["alternative_if_unconfirmed"] == "2025-12-31"
    assert data["without_delay"] is False
    assert data["explanation"][0].keys() == {"en", "ko"}
    assert data["counted_days"][0] == "2025-12-23"


# -- the whole catalogue ------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_every_catalogue_code_computes_for_a_2026_trigger(code: str) -> None:
    trigger = Trigger(at("2026-04-14T10:00+00:00"))

    result = compute_for_versions(
        versions_for(code), trigger, awareness=Trigger(at("2026-04-14T08:00+00:00"))
    )

    assert not result.not_in_force
    assert result.code == code
    assert result.explanation
    if result.without_delay:
        assert result.due_at is None
    else:
        assert result.due_at is not None
        assert result.due_at > trigger.at
    for step in result.explanation:
        assert step.en
        assert step.ko
    assert len([e for e in CATALOGUE if e.code == code]) >= 1


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, regulators.engine, regulators.engine.catalogue, tools.engine_bench; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "[]"
