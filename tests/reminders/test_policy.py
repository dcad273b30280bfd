"""Pure planning of fire times: no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from reminders.policy import (
    ParsedPolicy,
    PolicyError,
    escalated_roles,
    parse_duration,
    parse_policy,
    plan,
)

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@dataclass
class Row:
    offsets: list[str] = field(default_factory=lambda: ["created", "-2h", "0", "every 6h"])
    without_delay_every: str = "24h"
    escalation: list[dict[str, str]] = field(default_factory=list)
    recipient_roles: list[str] = field(default_factory=list)
    email: bool = True
    in_app: bool = True
    webhook: bool = False


def kinds(planned):
    return [(p.kind, p.fire_at - NOW) for p in planned]


def test_default_policy_plans_creation_half_window_before_due_and_first_overdue_repeat():
    planned = plan(
        policy=ParsedPolicy(),
        now=NOW,
        due_at=NOW + timedelta(hours=72),
        trigger_at=NOW,
        created_at=NOW,
    )
    assert kinds(planned) == [
        ("created", timedelta(0)),
        ("half", timedelta(hours=36)),
        ("before", timedelta(hours=48)),
        ("before", timedelta(hours=68)),
        ("before", timedelta(hours=71)),
        ("due", timedelta(hours=72)),
        ("overdue", timedelta(hours=84)),
    ]


def test_offsets_already_past_at_creation_are_skipped_but_the_creation_notice_is_kept():
    planned = plan(
        policy=ParsedPolicy(),
        now=NOW,
        due_at=NOW + timedelta(hours=3),
        trigger_at=NOW - timedelta(hours=21),
        created_at=NOW,
    )
    assert kinds(planned) == [
        ("created", timedelta(0)),
        ("before", timedelta(hours=2)),
        ("due", timedelta(hours=3)),
        ("overdue", timedelta(hours=15)),
    ]


def test_an_overdue_deadline_plans_the_next_repeat_after_now_not_the_missed_ones():
    planned = plan(
        policy=ParsedPolicy(),
        now=NOW,
        due_at=NOW - timedelta(hours=30),
        trigger_at=NOW - timedelta(hours=54),
        created_at=NOW,
    )
    assert kinds(planned) == [("created", timedelta(0)), ("overdue", timedelta(hours=6))]
    assert planned[1].seq == 3


def test_without_delay_obligation_gets_the_creation_notice_then_a_daily_nudge():
    planned = plan(policy=ParsedPolicy(), now=NOW, due_at=None, trigger_at=NOW, created_at=NOW)
    assert kinds(planned) == [("created", timedelta(0)), ("nudge", timedelta(hours=24))]


def test_policy_rows_are_parsed_into_offsets_repeats_and_channels():
    policy = parse_policy(Row())
    assert policy.relative == (-7200, 0)
    assert policy.overdue_every == 6 * 3600
    assert not policy.half
    assert policy.channels == frozenset({"email", "inapp"})


@pytest.mark.parametrize(
    ("row", "field_name"),
    [
        (Row(offsets=["soon"]), "offsets"),
        (Row(offsets=["every 0h"]), "offsets"),
        (Row(without_delay_every="daily"), "without_delay_every"),
        (Row(escalation=[{"after": "1h", "role": "boss"}]), "escalation"),
        (Row(escalation=[{"after": "-1h", "role": "legal"}]), "escalation"),
    ],
)
def test_bad_policy_rows_are_rejected_with_the_field_named(row, field_name):
    with pytest.raises(PolicyError) as error:
        parse_policy(row)
    assert error.value.field == field_name


def test_durations_accept_signs_and_units():
    assert parse_duration("-90m") == -5400
    assert parse_duration("2d") == 172800
    assert parse_duration("0") == 0


def test_escalation_ladder_starts_after_the_due_time_legal_then_admins():
    policy = ParsedPolicy()
    assert escalated_roles(policy, overdue_by_seconds=0) == []
    assert escalated_roles(policy, overdue_by_seconds=12 * 3600) == ["legal"]
    assert escalated_roles(policy, overdue_by_seconds=24 * 3600) == ["legal", "admin"]
