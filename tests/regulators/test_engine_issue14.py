"""Issue #14 in the pure engine: whose days count, DORA weekend relief, Japan APPI counting,
appeal windows and regulator orders. Every expected instant is worked out by hand in the test.

Plain Python: no Django, no database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regulators.engine.basics import DayZone, Unit, WeekendRelief
from regulators.engine.catalogue import entries_for, versions_for
from regulators.engine.orders import compute_order_due
from regulators.engine.rules import DeadlineResult, RuleSpec, Trigger, compute_due


def at(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    assert dt.tzinfo is not None, text
    return dt


def rule(code: str) -> RuleSpec:
    return versions_for(code)[-1]


def text_of(result: DeadlineResult) -> str:
    return "\n".join(f"{s.en}\n{s.ko}" for s in result.explanation)


# -- item 3: the entity's own days --------------------------------------------------------------


def test_hipaa_entity_in_los_angeles_gets_the_los_angeles_date() -> None:
    # Discovery 2026-01-15 23:30 PST is 2026-01-16 02:30 in New York. LA day 0 = 01-15:
    # 16 days to 01-31, 28 to 02-28 (44), 16 into March = 60 -> 03-16, end of day, PDT (DST
    # started 03-08). New York would give 03-17.
    result = compute_due(
        rule("us-hipaa-individuals"),
        Trigger(at("2026-01-15T23:30-08:00")),
        entity_tz="America/Los_Angeles",
    )
    assert result.due_at == at("2026-03-16T23:59:59-07:00")
    text = text_of(result)
    assert "America/Los_Angeles" in text
    assert "America/New_York" in text
    assert "2026-03-17" in text  # the other zone's due date is named


def test_hipaa_entity_in_seoul_keeps_the_earlier_new_york_date() -> None:
    # 2026-01-15 10:00 KST is 2026-01-14 20:00 EST: NY day 0 = 01-14, + 60 = 03-15 (EDT).
    # Seoul day 0 = 01-15, + 60 = 03-16 23:59:59 KST = 14:59:59Z, later than 03-16 03:59:59Z.
    result = compute_due(
        rule("us-hipaa-hhs-500"), Trigger(at("2026-01-15T10:00+09:00")), entity_tz="Asia/Seoul"
    )
    assert result.due_at == at("2026-03-15T23:59:59-04:00")


def test_without_an_entity_zone_the_rule_zone_is_used_and_said() -> None:
    result = compute_due(rule("us-hipaa-individuals"), Trigger(at("2026-01-15T23:30-08:00")))
    assert result.due_at == at("2026-03-17T23:59:59-04:00")
    assert "not recorded" in text_of(result)


def test_edgar_rule_keeps_new_york_days_whatever_the_entity_zone() -> None:
    # 2025-11-19 09:00 KST = 2025-11-18 19:00 EST: NY date 11-18 + 4 bd = Mon 11-24 17:30 EST.
    result = compute_due(
        rule("us-sec-8k-1-05"), Trigger(at("2025-11-19T09:00+09:00")), entity_tz="Asia/Seoul"
    )
    assert result.due_at == at("2025-11-24T17:30-05:00")


def test_nis2_final_report_counts_the_entitys_member_state_days() -> None:
    # Notification submitted 2026-03-14 23:30 in Lisbon (WET, +00:00) = 03-15 00:30 Brussels.
    # Lisbon date 03-14 + 1 month = 04-14, end of day, WEST (+01:00). Brussels would say 04-15.
    result = compute_due(
        rule("eu-nis2-final"), Trigger(at("2026-03-14T23:30+00:00")), entity_tz="Europe/Lisbon"
    )
    assert result.due_at == at("2026-04-14T23:59:59+01:00")
    assert "Europe/Lisbon" in text_of(result)


def test_catalogue_names_the_zone_policy_of_each_local_day_rule() -> None:
    earlier = ["us-hipaa-individuals", "us-hipaa-hhs-500", "us-hipaa-media", "us-ca-1798-82"]
    earlier += ["us-ca-1798-82-ag", "us-tx-521-053-ag", "us-co-6-1-716"]
    entity = ["eu-gdpr-33", "eu-gdpr-34", "eu-nis2-final", "eu-dora-final"]
    assert all(rule(c).day_zone is DayZone.EARLIER for c in earlier)
    assert all(rule(c).day_zone is DayZone.ENTITY for c in entity)
    assert rule("us-sec-8k-1-05").day_zone is DayZone.RULE


# -- item 5: DORA weekend relief ----------------------------------------------------------------

DORA_CLASSIFIED_FRIDAY_NIGHT = Trigger(at("2026-06-12T22:00+02:00"))
DORA_AWARE_FRIDAY_MORNING = Trigger(at("2026-06-12T10:00+02:00"))


@pytest.mark.parametrize(
    ("excluded", "expected"),
    [
        # Classified Fri 22:00 + 4 h = Sat 06-13 02:00 (earlier than awareness + 24 h, Sat 10:00).
        (None, "2026-06-13T02:00+02:00"),  # unknown: the stricter time is kept
        (True, "2026-06-13T02:00+02:00"),  # credit institution etc.: no relief (Art. 5(5))
        (False, "2026-06-15T12:00+02:00"),  # relief: 12:00 of the next working day, Mon 06-15
    ],
)
def test_dora_initial_weekend_relief_depends_on_the_entity(
    excluded: bool | None, expected: str
) -> None:
    result = compute_due(
        rule("eu-dora-initial"),
        DORA_CLASSIFIED_FRIDAY_NIGHT,
        awareness=DORA_AWARE_FRIDAY_MORNING,
        entity_tz="Europe/Berlin",
        relief_excluded=excluded,
    )
    assert result.due_at == at(expected)
    assert "2025/301" in text_of(result)


def test_dora_final_report_on_a_saturday_moves_to_monday_noon_for_everyone() -> None:
    # Latest intermediate report Thu 2026-06-11 + 1 month = Sat 07-11 -> Mon 07-13 12:00 CEST.
    result = compute_due(
        rule("eu-dora-final"),
        Trigger(at("2026-06-11T15:00+02:00")),
        entity_tz="Europe/Berlin",
        relief_excluded=True,
    )
    assert result.due_at == at("2026-07-13T12:00+02:00")


def test_dora_relief_leaves_a_weekday_time_limit_alone() -> None:
    # Classified Tue 2026-06-09 15:30 + 4 h = 19:30 the same Tuesday.
    result = compute_due(
        rule("eu-dora-initial"),
        Trigger(at("2026-06-09T15:30+02:00")),
        awareness=Trigger(at("2026-06-09T08:00+02:00")),
        relief_excluded=False,
    )
    assert result.due_at == at("2026-06-09T19:30+02:00")
    assert rule("eu-dora-initial").weekend_relief is WeekendRelief.UNLESS_EXCLUDED


# -- item 6: Japan APPI final report (stricter reading: the day of knowledge is day 1) ----------


def test_appi_final_report_counts_the_day_of_knowledge_as_day_one() -> None:
    # Knowledge 2026-03-02: day 1 = 03-02, day 30 = 03-31. Not moved although nothing special.
    result = compute_due(rule("jp-appi-26-final"), Trigger(at("2026-03-02T10:00+09:00")))
    assert result.due_at == at("2026-03-31T23:59:59+09:00")
    assert "day 1" in text_of(result)


def test_appi_final_unlawful_day_60_is_not_moved_off_a_holiday() -> None:
    # Knowledge 2026-03-06 = day 1; 03-31 = day 26; 04-30 = day 56; day 60 = 05-04 (Mon,
    # Greenery Day, a Japanese holiday): kept, no roll-forward under the stricter reading.
    result = compute_due(rule("jp-appi-26-final-unlawful"), Trigger(at("2026-03-06T09:00+09:00")))
    assert result.due_at == at("2026-05-04T23:59:59+09:00")


def test_credit_information_rule_needs_the_credit_information_company_fact() -> None:
    conditions = entries_for("kr-credit-info-39-4-report")[-1].conditions
    assert conditions is not None
    assert {"fact": "credit_information_company", "op": "true"} in conditions["all"]


# -- item 2: appeal windows and regulator orders ------------------------------------------------


def test_admin_appeal_window_is_90_days_from_receipt() -> None:
    # Received Thu 2026-06-11: 19 days to 06-30, 31 in July (50), 31 in August (81), 9 -> 09-09.
    result = compute_due(rule("kr-admin-appeal-27"), Trigger(at("2026-06-11T10:00+09:00")))
    assert result.due_at == at("2026-09-09T23:59:59+09:00")


def test_litigation_window_ending_on_a_saturday_runs_to_monday() -> None:
    # Received 2026-03-15: 16 days to 03-31, 30 in April (46), 31 in May (77), 13 -> Sat 06-13;
    # Civil Act Art. 161: to the next business day, Mon 06-15.
    result = compute_due(rule("kr-admin-litigation-20"), Trigger(at("2026-03-15T10:00+09:00")))
    assert result.due_at == at("2026-06-15T23:59:59+09:00")
    assert "161" in text_of(result)


def test_order_with_its_own_answer_by_time_uses_it() -> None:
    result = compute_order_due(
        versions_for("kr-network-act-64-materials"),
        Trigger(at("2025-12-02T10:00+09:00")),
        answer_by=at("2025-12-05T18:00+09:00"),
    )
    assert result.due_at == at("2025-12-05T18:00+09:00")
    assert not result.without_delay


def test_order_with_an_answer_by_date_is_due_at_the_end_of_that_seoul_day() -> None:
    result = compute_order_due(
        versions_for("kr-pipa-64-corrective-report"),
        Trigger(at("2026-06-11T10:00+09:00")),
        answer_by=date(2026, 8, 31),
    )
    assert result.due_at == at("2026-08-31T23:59:59+09:00")


def test_order_naming_a_period_counts_it_in_korean_business_days() -> None:
    # Tue 2025-12-02 + 5 KR business days: 12-03, 04, 05, (weekend), 08, 09 -> 12-09.
    result = compute_order_due(
        versions_for("kr-pipa-63-materials"),
        Trigger(at("2025-12-02T10:00+09:00")),
        offset=(5, Unit.BUSINESS_DAYS),
    )
    assert result.due_at == at("2025-12-09T23:59:59+09:00")


def test_order_without_a_date_is_a_plain_answer_owed_without_delay() -> None:
    result = compute_order_due(
        versions_for("kr-network-act-48-4-preservation"), Trigger(at("2025-12-02T10:00+09:00"))
    )
    assert result.due_at is None
    assert result.without_delay
    assert "as soon as possible" in text_of(result)


def test_penalty_notice_order_without_a_date_keeps_the_statutory_90_days() -> None:
    result = compute_order_due(
        versions_for("kr-admin-appeal-27"), Trigger(at("2026-06-11T10:00+09:00"))
    )
    assert result.due_at == at("2026-09-09T23:59:59+09:00")
    assert "statutory" in text_of(result)


def test_naive_answer_by_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_order_due(
            versions_for("kr-pipa-63-materials"),
            Trigger(at("2025-12-02T10:00+09:00")),
            answer_by=datetime(2025, 12, 5, 18, 0),  # noqa: DTZ001 - the naive input under test
        )


# -- properties ---------------------------------------------------------------------------------

ZONES = ["America/Los_Angeles", "America/New_York", "Asia/Seoul", "Europe/Lisbon", "UTC"]


def instants(start: datetime, end: datetime) -> st.SearchStrategy[datetime]:
    """Aware UTC instants between two aware bounds."""
    return st.datetimes(
        min_value=start.replace(tzinfo=None),
        max_value=end.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


@given(
    moment=instants(datetime(2024, 1, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC)),
    entity_tz=st.sampled_from(ZONES),
)
@settings(max_examples=60, deadline=None)
def test_earlier_policy_is_never_later_than_either_zone(moment: datetime, entity_tz: str) -> None:
    trigger = Trigger(moment)
    spec = rule("us-hipaa-individuals")
    both = compute_due(spec, trigger, entity_tz=entity_tz).due_at
    in_rule = compute_due(replace(spec, day_zone=DayZone.RULE), trigger).due_at
    in_entity = compute_due(spec, trigger, entity_tz=entity_tz)
    assert both is not None
    assert in_rule is not None
    assert both <= in_rule
    entity_only = compute_due(
        replace(spec, day_zone=DayZone.ENTITY), trigger, entity_tz=entity_tz
    ).due_at
    assert entity_only is not None
    assert both == min(in_rule, entity_only)
    assert in_entity.due_at == both


@given(
    moment=instants(datetime(2025, 2, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC)),
    excluded=st.sampled_from([None, True, False]),
)
@settings(max_examples=60, deadline=None)
def test_weekend_relief_never_brings_a_due_time_forward(
    moment: datetime, excluded: bool | None
) -> None:
    trigger = Trigger(moment)
    spec = rule("eu-dora-intermediate")
    strict = compute_due(replace(spec, weekend_relief=WeekendRelief.NONE), trigger).due_at
    relieved = compute_due(spec, trigger, relief_excluded=excluded).due_at
    assert strict is not None
    assert relieved is not None
    assert relieved >= strict
    if excluded is not False:
        assert relieved == strict
